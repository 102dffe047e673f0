import { GameServerEnv } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';

/** The container overrides a match's game server gets (names shared with the game server in core). */
export function gameServerEnvironment(
  match: MatchItem,
  token: string,
  callbackBaseUrl: string,
  maxMatchSeconds: number,
): Record<string, string> {
  // Seed compatibility: USER_IDS lists the away team first, then home.
  const seedOrder = [...match.away, ...match.home];
  return {
    [GameServerEnv.matchId]: match.matchId,
    [GameServerEnv.userIds]: seedOrder.map((p) => p.userId).join(','),
    [GameServerEnv.connectionIds]: seedOrder.map((p) => p.connectionId).join(','),
    [GameServerEnv.homeUserIds]: match.home.map((p) => p.userId).join(','),
    [GameServerEnv.awayUserIds]: match.away.map((p) => p.userId).join(','),
    [GameServerEnv.callbackBaseUrl]: callbackBaseUrl.replace(/\/+$/, ''),
    [GameServerEnv.matchToken]: token,
    [GameServerEnv.maxMatchSeconds]: String(maxMatchSeconds),
  };
}
