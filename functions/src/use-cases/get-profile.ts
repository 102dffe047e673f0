import { ErrorCode, MatchmakingError, type ServerEvent } from '@matchmaking/core';
import type { Deps } from './deps.js';

/** getProfile: the player's rating, region, status, match and server address. */
export async function getProfile(deps: Pick<Deps, 'players'>, userId: string): Promise<ServerEvent> {
  const player = await deps.players.get(userId);
  if (!player) throw new MatchmakingError(ErrorCode.NotFound, 'unknown player: reconnect and try again');
  return {
    type: 'profile',
    message: `rating ${Math.round(player.rating)}, ${player.status}`,
    userId: player.userId,
    rating: player.rating,
    rd: player.rd,
    vol: player.vol,
    region: player.region ?? null,
    status: player.status,
    matchId: player.matchId ?? null,
    server: player.server ?? null,
  };
}
