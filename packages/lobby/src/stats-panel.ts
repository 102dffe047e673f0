import type { LobbyContext } from './context.js';
import { h, show } from './dom.js';
import { secondsText } from './format.js';

/** How often the page asks for the chosen queue's figures. */
const REFRESH_MS = 5000;
/**
 * Queue events ask for fresh figures too, but at most once per this: with the
 * poll, at most 6 of the 20 messages a player may send per 10 s, however fast
 * a party leader joins and leaves (every member's page hears it).
 */
const EVENT_REFRESH_GAP_MS = 3000;

/** Live figures of the chosen queue per region: players waiting, recent matches, time to match. */
export function mountStatsPanel(root: HTMLElement, context: LobbyContext): void {
  const body = h('tbody', { id: 'stats-rows' });
  const caption = h('caption', {});
  show(
    root,
    h('h2', {}, 'Queue stats (live)'),
    h(
      'table',
      { id: 'stats' },
      caption,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['region', 'waiting', 'matches', 'time to match p50', 'p95'].map((title) => h('th', {}, title)),
        ),
      ),
      body,
    ),
  );
  let running = false;
  let again = false;
  let last = 0;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  const refresh = async () => {
    if (running) {
      // Asked during a request (the queue changed): ask once more after it, for the figures now wanted.
      again = true;
      return;
    }
    running = true;
    last = Date.now();
    try {
      const stats = await context.mm.getQueueStats(context.queue());
      show(caption, `${stats.queue}, matches and times over the last ${stats.minutes} min`);
      show(
        body,
        ...Object.entries(stats.regions).map(([region, figures]) =>
          h(
            'tr',
            { 'data-region': region },
            h('td', {}, region),
            h('td', {}, String(figures.playersWaiting)),
            h('td', {}, String(figures.matches)),
            h('td', {}, secondsText(figures.timeToMatchP50)),
            h('td', {}, secondsText(figures.timeToMatchP95)),
          ),
        ),
      );
    } catch {
      // A dropped connection or a rate limit: the next refresh tries again.
    } finally {
      running = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  };
  const soon = () => {
    if (trailing) return;
    trailing = setTimeout(
      () => {
        trailing = undefined;
        void refresh();
      },
      Math.max(0, last + EVENT_REFRESH_GAP_MS - Date.now()),
    );
  };
  context.onQueueChange(() => void refresh());
  for (const type of ['joinedQueue', 'matchFound', 'leftQueue'] as const) context.mm.on(type, soon);
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  context.mm.on('closed', () => {
    clearInterval(timer);
    clearTimeout(trailing);
  });
  void refresh();
}
