import { ErrorCode, type GameServerSession, MatchmakingError } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';
import { hashToken, newMatchToken } from '../match/match-token.js';
import type { CallbackDeps } from './lifecycle-deps.js';

/**
 * The game server's first call: it trades the one-time bootstrap token of its
 * task overrides for the match's session token and roster (user ids and the
 * SHA-256 of each player's join key). Works once: the bootstrap token sits in
 * DescribeTasks and in task events, so after this it opens nothing. A second
 * exchange (a retry whose first answer was lost, or anyone else) gets 409.
 */
export async function openSession(
  deps: Pick<CallbackDeps, 'matches' | 'clock'>,
  match: MatchItem,
): Promise<GameServerSession> {
  const { token, hash } = newMatchToken();
  const opened = await deps.matches.openSession(match.matchId, match.bootstrapHash, hash, deps.clock.now());
  if (!opened) {
    throw new MatchmakingError(
      ErrorCode.Conflict,
      `the session of this match is already open (or the match is ${match.state})`,
    );
  }
  return sessionFor(match, token);
}

/**
 * What a game server gets for its match: the session token and the roster,
 * each player with the SHA-256 of its join key (never the key). The same for
 * a match's own server and a warm-pool server.
 */
export function sessionFor(match: MatchItem, token: string): GameServerSession {
  const roster = (team: MatchItem['home']) =>
    team.map((member) => ({ userId: member.userId, joinKeyHash: hashToken(member.joinKey) }));
  return { matchId: match.matchId, token, teams: { home: roster(match.home), away: roster(match.away) } };
}
