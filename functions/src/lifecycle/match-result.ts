import { ErrorCode, events, MatchmakingError, type Outcome, rateTeams } from '@matchmaking/core';
import type { MatchItem, MatchPlayerItem } from '../data/items.js';
import { notifyConnection } from '../match/notify.js';
import type { CallbackDeps } from './lifecycle-deps.js';

/**
 * The game server reports the result: ready -> finished, the team Glicko-2
 * update from the stored pre-match ratings applied once per player (the
 * roster is the stored match's, never the caller's), players freed and told
 * their new rating. A repeated or late call changes nothing and gets 409.
 */
export async function matchResult(deps: CallbackDeps, match: MatchItem, outcome: Outcome): Promise<void> {
  const now = deps.clock.now();
  const moved = await deps.matches.transition(match.matchId, {
    from: ['ready'],
    to: 'finished',
    now,
    set: { outcome, endedAt: now },
  });
  const current = moved
    ? { ...match, state: 'finished' as const, outcome }
    : await deps.matches.get(match.matchId);
  if (current?.state !== 'finished' || !current.outcome) {
    throw new MatchmakingError(ErrorCode.Conflict, `the match is ${current?.state ?? 'gone'}, not ready`);
  }
  await applyRatings(deps, current, current.outcome);
  if (!moved) throw new MatchmakingError(ErrorCode.Conflict, 'the result of this match is already recorded');
}

/** Idempotent: each player's update is conditional on not having this match applied yet. */
async function applyRatings(deps: CallbackDeps, match: MatchItem, outcome: Outcome): Promise<void> {
  const rated = rateTeams(match.home.map(ratingOf), match.away.map(ratingOf), outcome);
  for (const team of ['home', 'away'] as const) {
    for (const [i, member] of match[team].entries()) {
      const rating = rated[team][i];
      const player = rating && (await deps.players.applyResult(member.userId, match.matchId, rating));
      if (!rating || !player) continue;
      const event = events.matchFinished(match.matchId, outcome, team, rating, ratingOf(member));
      await notifyConnection(deps, player.connectionId, event);
    }
  }
}

function ratingOf(member: MatchPlayerItem) {
  return { rating: member.rating, rd: member.rd, vol: member.vol };
}
