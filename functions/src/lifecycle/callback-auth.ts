import { ErrorCode, MatchmakingError } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';
import type { MatchesRepository } from '../data/matches-repository.js';
import { tokenMatches } from '../match/match-token.js';

/**
 * Finds the match a callback names and checks that the caller holds that
 * match's session token (or, for the session exchange, its bootstrap token). Unknown matches and wrong tokens look the same to the caller
 * (403), so the API does not reveal which match ids exist.
 */
export async function authorizeCallback(
  matches: MatchesRepository,
  matchId: string | undefined,
  authorization: string | undefined,
  which: 'session' | 'bootstrap' = 'session',
): Promise<MatchItem> {
  const token = bearerToken(authorization, which === 'session' ? 'session token' : 'MATCH_BOOTSTRAP_TOKEN');
  const match = matchId && matchId.length <= 64 ? await matches.get(matchId) : undefined;
  const expected = which === 'session' ? match?.tokenHash : match?.bootstrapHash;
  if (!match || !expected || !tokenMatches(token, expected)) {
    throw new MatchmakingError(ErrorCode.Forbidden, 'this token does not open this match');
  }
  return match;
}

/** The token of an `Authorization: Bearer <token>` header (at most 512 characters); 401 naming `expected` otherwise. */
export function bearerToken(authorization: string | undefined, expected: string): string {
  const token = /^Bearer\s+(\S{1,512})$/i.exec(authorization ?? '')?.[1];
  if (!token)
    throw new MatchmakingError(
      ErrorCode.Unauthorized,
      `missing bearer token (Authorization: Bearer <${expected}>)`,
    );
  return token;
}
