import { events, type ServerEvent } from '@matchmaking/core';
import type { Deps } from './deps.js';

/** tryCreateMatch (kept from the seed): only asks for a matchmaking pass over the player's region, or all. */
export async function requestMatchmaking(
  deps: Pick<Deps, 'players' | 'queue' | 'clock' | 'ids'>,
  regions: readonly string[],
  userId: string,
): Promise<ServerEvent> {
  const player = await deps.players.get(userId);
  const now = deps.clock.now();
  const wanted = player?.region && regions.includes(player.region) ? [player.region] : [...regions];
  await deps.queue.requestPass(
    { reason: 'tryCreateMatch', regions: wanted, requestedAt: now },
    deps.ids.next(),
  );
  return events.matchmakingRequested();
}
