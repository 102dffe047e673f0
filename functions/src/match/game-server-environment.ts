import { GameServerEnv } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';

/** What a game server is told about its match beyond its id: where to call, and for how long to run. */
export interface GameServerTimings {
  callbackBaseUrl: string;
  maxMatchSeconds: number;
  idleSeconds: number;
}

/**
 * The container overrides a match's game server gets (names shared with the
 * game server in core): the match id, the callback API, the one-time
 * bootstrap token and the time limits. Nothing grows with the team size and no
 * user id is listed: the server reads its roster from the session callback.
 */
export function gameServerEnvironment(
  match: Pick<MatchItem, 'matchId'>,
  bootstrapToken: string,
  timings: GameServerTimings,
): Record<string, string> {
  return {
    [GameServerEnv.matchId]: match.matchId,
    [GameServerEnv.callbackBaseUrl]: timings.callbackBaseUrl.replace(/\/+$/, ''),
    [GameServerEnv.bootstrapToken]: bootstrapToken,
    [GameServerEnv.maxMatchSeconds]: String(timings.maxMatchSeconds),
    [GameServerEnv.idleSeconds]: String(timings.idleSeconds),
  };
}
