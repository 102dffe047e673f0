import { ErrorCode, events, MatchmakingError, type ServerEvent } from '@matchmaking/core';
import type { Deps } from './deps.js';
import { withdrawTicket } from './withdraw-ticket.js';

/**
 * leaveQueue: takes the player's waiting ticket out (a party's, for every
 * member: each is told). A ticket a match already claimed stays with the match.
 */
export async function leaveQueue(
  deps: Pick<Deps, 'players' | 'tickets' | 'notifier' | 'connections' | 'queue' | 'clock'>,
  userId: string,
): Promise<ServerEvent> {
  const player = await deps.players.get(userId);
  if (player?.status === 'matched' || player?.status === 'in_match') {
    throw new MatchmakingError(ErrorCode.AlreadyInMatch, 'already in match: a match was found', {
      matchId: player.matchId,
    });
  }
  const outcome = player ? await withdrawTicket(deps, player, `${userId} left the queue`, userId) : 'none';
  if (outcome === 'claimed')
    throw new MatchmakingError(ErrorCode.AlreadyInMatch, 'already in match: a match was found');
  if (outcome === 'none') throw new MatchmakingError(ErrorCode.NotQueued, 'not in the queue');
  return events.leftQueue();
}
