import { ErrorCode, MatchmakingError } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';
import type { MatchesRepository } from '../data/matches-repository.js';
import { tokenMatches } from '../match/match-token.js';

/**
 * Finds the match a callback names and checks that the caller holds that
 * match's token. Unknown matches and wrong tokens look the same to the caller
 * (403), so the API does not reveal which match ids exist.
 */
export async function authorizeCallback(
  matches: MatchesRepository,
  matchId: string | undefined,
  authorization: string | undefined,
): Promise<MatchItem> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token)
    throw new MatchmakingError(
      ErrorCode.Unauthorized,
      'missing bearer token (Authorization: Bearer <MATCH_TOKEN>)',
    );
  const match = matchId && matchId.length <= 64 ? await matches.get(matchId) : undefined;
  if (!match || !tokenMatches(token, match.tokenHash)) {
    throw new MatchmakingError(ErrorCode.Forbidden, 'this token does not open this match');
  }
  return match;
}
