import { ErrorCode, events, MatchmakingError, type ServerEvent } from '@matchmaking/core';
import type { Deps } from './deps.js';

/** leaveQueue: deletes the player's waiting ticket. A ticket a match already claimed stays with the match. */
export async function leaveQueue(
  deps: Pick<Deps, 'players' | 'tickets'>,
  userId: string,
): Promise<ServerEvent> {
  const player = await deps.players.get(userId);
  if (player?.status === 'matched' || player?.status === 'in_match') {
    throw new MatchmakingError(ErrorCode.AlreadyInMatch, 'already in match: a match was found', {
      matchId: player.matchId,
    });
  }
  if (player?.status !== 'queued' || !player.ticketId || !player.region) {
    throw new MatchmakingError(ErrorCode.NotQueued, 'not in the queue');
  }
  const deleted = await deps.tickets.deleteWaiting(player.region, player.ticketId);
  const ticket = deleted ? undefined : await deps.tickets.get(player.region, player.ticketId);
  if (ticket) throw new MatchmakingError(ErrorCode.AlreadyInMatch, 'already in match: a match was found');
  await deps.players.leaveQueue(userId, player.ticketId);
  return events.leftQueue();
}
