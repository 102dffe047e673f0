import { events, type ServerEvent } from '@matchmaking/core';
import type { QueueCatalog } from '../queues/queue-config.js';
import type { Deps } from './deps.js';

/** Requests for the same regions within this window are one FIFO message (the queue deduplicates for 5 minutes). */
export const PASS_REQUEST_WINDOW_MS = 5_000;

/**
 * tryCreateMatch (kept from the seed): only asks for a matchmaking pass over
 * the player's queue and region, or all. Every request for the same regions in one
 * window carries the same deduplication id, so any number of clients asking
 * at once put one message on the single FIFO group.
 */
export async function requestMatchmaking(
  deps: Pick<Deps, 'players' | 'queue' | 'clock'>,
  settings: { regions: readonly string[]; catalog: QueueCatalog },
  userId: string,
): Promise<ServerEvent> {
  const { regions, catalog } = settings;
  const player = await deps.players.get(userId);
  const now = deps.clock.now();
  const wanted = player?.region && regions.includes(player.region) ? [player.region] : [...regions];
  const queues =
    player?.queue && catalog.queues.has(player.queue) ? [player.queue] : [...catalog.queues.keys()];
  const window = Math.floor(now / PASS_REQUEST_WINDOW_MS);
  for (const queue of queues) {
    await deps.queue.requestPass(
      { reason: 'tryCreateMatch', queue, regions: wanted, requestedAt: now },
      `tryCreateMatch:${queue}:${wanted.join('+')}:${window}`,
    );
  }
  return events.matchmakingRequested();
}
