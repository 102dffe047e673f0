import type { QueueSummary } from '@matchmaking/client';
import { attempt, type LobbyContext } from './context.js';
import { byId, h, show } from './dom.js';
import { secondsText } from './format.js';

const BY_PING = 'by-ping';

/** Pick a queue and a region (or the nearest by ping), join or leave it, and see where the ticket waits. */
export function mountQueuePanel(
  root: HTMLElement,
  context: LobbyContext,
  queues: QueueSummary[],
  /** The profile says the player is waiting already (a page opened again): Leave, not Join. */
  initiallyQueued: boolean,
): void {
  const { mm } = context;
  const regions = [...new Set(queues.flatMap((queue) => Object.keys(queue.playersWaiting)))];
  const queueSelect = h(
    'select',
    { id: 'queue' },
    ...queues.map((queue) =>
      h(
        'option',
        { value: queue.name, selected: queue.name === context.queue() },
        `${queue.name} (${queue.teamSize}v${queue.teamSize})`,
      ),
    ),
  );
  const regionSelect = h(
    'select',
    { id: 'region' },
    h('option', { value: BY_PING }, 'nearest by ping'),
    ...regions.map((region) => h('option', { value: region }, region)),
  );
  const join = h('button', { id: 'join-queue' }, 'Join the queue');
  const leave = h('button', { id: 'leave-queue', disabled: true }, 'Leave the queue');
  show(
    root,
    h('h2', {}, 'Queue'),
    h('p', {}, h('label', {}, 'Game mode ', queueSelect), ' ', h('label', {}, 'Region ', regionSelect)),
    h('p', {}, join, ' ', leave),
    h('p', { id: 'queue-status' }, 'Not queued.'),
    h('p', { id: 'pings' }),
  );
  const status = byId('queue-status');
  const pingLine = byId('pings');
  queueSelect.onchange = () => context.setQueue(queueSelect.value);

  let queued = false;
  let busy = false;
  const setButtons = () => {
    join.disabled = queued || busy;
    leave.disabled = !queued || busy;
  };
  const request = <T>(run: () => Promise<T>) => {
    busy = true;
    setButtons();
    return attempt(context, run, [], () => {
      busy = false;
      setButtons();
    });
  };
  const setQueued = (on: boolean) => {
    queued = on;
    setButtons();
  };
  join.onclick = () =>
    request(async () => {
      const queue = queueSelect.value;
      if (regionSelect.value !== BY_PING) return mm.joinQueue({ queue, region: regionSelect.value });
      show(status, 'Timing each region...');
      const latencies = await mm.measurePings();
      show(
        pingLine,
        `Your pings: ${Object.entries(latencies)
          .map(([r, ms]) => `${r} ${Math.round(ms)} ms`)
          .join(', ')}`,
      );
      return mm.joinQueue({ queue, latencies });
    });
  leave.onclick = () => request(() => mm.leaveQueue());

  mm.on('joinedQueue', (ticket) => {
    setQueued(true);
    const estimate =
      ticket.estimatedWaitSeconds === undefined
        ? 'no estimate yet (no recent matches)'
        : `estimated wait ${secondsText(ticket.estimatedWaitSeconds)}`;
    show(
      status,
      `Waiting in ${ticket.queue}, ${ticket.region}, with ${ticket.players.join(', ')}: `,
      h('span', { id: 'wait-estimate' }, estimate),
    );
  });
  mm.on('leftQueue', (left) => {
    setQueued(false);
    show(status, `Not queued (${left.message}).`);
  });
  mm.on('queueTimeout', (timeout) => {
    setQueued(false);
    show(status, `No match within ${secondsText(timeout.waitedSeconds)}: join again, or try another region.`);
  });
  for (const type of ['matchProposed', 'matchFound'] as const)
    mm.on(type, () => {
      setQueued(false);
      show(status, 'In a match (below).');
    });
  mm.on('matchDeclined', (declined) => setQueued(declined.requeued));
  for (const type of ['matchFinished', 'matchAbandoned'] as const)
    mm.on(type, () => {
      setQueued(false);
      show(status, 'Not queued.');
    });
  mm.on('matchCancelled', (cancelled) => setQueued(cancelled.requeued));
  // A drop that cost the ticket (the SDK reports it after reconnecting): the page must let the player join again.
  mm.on('queueLost', (lost) => {
    setQueued(false);
    show(status, `Your place in the ${lost.queue} queue was lost when the connection dropped: join again.`);
  });
  setQueued(initiallyQueued);
  if (initiallyQueued) show(status, 'Waiting in a queue (joined before this page opened).');
}
