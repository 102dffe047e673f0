import { connect } from '@matchmaking/client';
import { lobbyContext } from './context.js';
import { devToken } from './dev-token.js';
import { byId, h, show } from './dom.js';
import { runEventLog } from './event-log.js';
import { ratingText } from './format.js';
import { mountMatchPanel } from './match-panel.js';
import { mountPartyPanel } from './party-panel.js';
import { mountQueuePanel } from './queue-panel.js';
import { mountStatsPanel } from './stats-panel.js';

/** Signs `userId` in with a dev token, connects the SDK to this stack's WebSocket API and shows the lobby. */
export async function openLobby(root: HTMLElement, devKey: string, userId: string): Promise<void> {
  // The token is asked again at each reconnect: a long session outlives none of them.
  const mm = await connect(`ws://${location.host}`, { token: () => devToken(devKey, userId) });
  const sections = ['party', 'queue', 'match', 'stats', 'log'].map((name) =>
    h('section', { id: `${name}-panel` }),
  );
  const notice = h('p', { id: 'notice', role: 'status' });
  show(
    root,
    h(
      'header',
      {},
      h('h1', {}, 'Matchmaking lobby'),
      h(
        'p',
        {},
        'Playing as ',
        h('strong', { id: 'user' }, userId),
        ', rating ',
        h('span', { id: 'rating' }, '...'),
      ),
      h('p', { id: 'connection' }, 'connected'),
    ),
    notice,
    ...sections,
  );
  const context = lobbyContext(mm, userId, '', (text, kind = 'info') => {
    notice.textContent = text;
    notice.className = kind;
  });
  const rating = byId('rating');
  // Listeners first: the match state the server re-sends to a player who opens the page mid-match
  // (a proposal, MATCH FOUND, the server) may come while the profile is still being asked for.
  mountPartyPanel(byId('party-panel'), context);
  mountMatchPanel(byId('match-panel'), context, (text) => {
    rating.textContent = text;
  });
  void runEventLog(byId('log-panel'), mm);
  const [profile, queues] = await Promise.all([mm.getProfile(), mm.listQueues()]);
  rating.textContent = ratingText(profile);
  context.setQueue(queues.defaultQueue);
  mountQueuePanel(byId('queue-panel'), context, queues.queues, profile.status === 'queued');
  mountStatsPanel(byId('stats-panel'), context);
  watchConnection(context.mm, byId('connection'));
  mm.on('error', (error) => context.notice(`${error.code}: ${error.message}`, 'error'));
}

function watchConnection(mm: Parameters<typeof runEventLog>[1], line: HTMLElement): void {
  mm.on('disconnected', () => {
    line.textContent = 'connection lost: reconnecting...';
  });
  mm.on('reconnected', (info) => {
    line.textContent = info.lostQueue
      ? `reconnected; your place in the ${info.lostQueue.queue} queue was lost: join again`
      : 'reconnected';
  });
  mm.on('closed', (info) => {
    line.textContent = `disconnected: ${info.reason}`;
  });
}
