import { ErrorCode, events, MatchmakingError, type ReadyCallback } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';
import { ticketOf } from '../data/tickets-repository.js';
import { notifyConnection } from '../match/notify.js';
import type { MatchmakingMetrics } from '../metrics/matchmaking-metrics.js';
import type { CallbackDeps } from './lifecycle-deps.js';

/**
 * The game server is listening: starting -> ready at its address, each player
 * marked in match there and told "server created with ip: <ip>". A repeated
 * call finishes anything a crashed first call left, then answers 409.
 */
export async function serverReady(
  deps: CallbackDeps & { metrics: Pick<MatchmakingMetrics, 'timeToPlay' | 'flush'> },
  maxMatchSeconds: number,
  match: MatchItem,
  body: ReadyCallback,
  sourceIp: string,
): Promise<{ ip: string; port: number }> {
  const now = deps.clock.now();
  const server = { ip: body.ip ?? sourceIp, port: body.port };
  const moved = await deps.matches.transition(match.matchId, {
    from: ['starting'],
    to: 'ready',
    now,
    set: { server, readyAt: now },
    deadlineAt: now + maxMatchSeconds * 1000,
  });
  // Once per match: only the call that made it ready counts, published at once (a repeated call after
  // a crash below finds it ready and counts nothing).
  if (moved) {
    deps.metrics.timeToPlay(match.region, (now - playersToldAt(match)) / 1000);
    deps.metrics.flush();
  }
  const current = moved
    ? { ...match, state: 'ready' as const, server }
    : await deps.matches.get(match.matchId);
  if (current?.state !== 'ready' || !current.server) {
    throw new MatchmakingError(ErrorCode.Conflict, `the match is ${current?.state ?? 'gone'}, not starting`);
  }
  for (const member of [...current.home, ...current.away]) {
    const player = await deps.players.markInMatch(member.userId, current.matchId, current.server);
    if (!player) continue;
    const event = events.serverReady(current.matchId, current.server.ip, current.server.port, member.joinKey);
    await notifyConnection(deps, player.connectionId, event);
  }
  for (const ticket of current.tickets) {
    await deps.tickets.deleteClaimed(ticketOf(current, ticket), current.matchId);
  }
  if (!moved) throw new MatchmakingError(ErrorCode.Conflict, 'the match is already ready');
  return current.server;
}

/**
 * When the players heard MATCH FOUND: the match starter sends it right after
 * the match is recorded, or, with a ready check, once the last player accepted.
 */
function playersToldAt(match: MatchItem): number {
  return match.acceptedAt ?? match.createdAt;
}
