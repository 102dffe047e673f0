import { rate } from './glicko2.js';
import type { RateOptions, Rating, TeamOutcome } from './types.js';

/**
 * The seed's team update (its glicko_team.py): each player plays one game
 * against a composite opponent whose rating is the player's own rating shifted
 * by the difference of the team means (opponent mean - own mean) and whose RD
 * is the root-sum-square of the opponent team's RDs. Every update uses the
 * pre-match values, so the order of players does not matter.
 */
export function rateTeams(
  home: readonly Rating[],
  away: readonly Rating[],
  outcome: TeamOutcome,
  options: RateOptions = {},
): { home: Rating[]; away: Rating[] } {
  if (home.length === 0 || away.length === 0) throw new RangeError('both teams need at least one player');
  const homeScore = outcome === 'home' ? 1 : outcome === 'away' ? 0 : 0.5;
  return {
    home: home.map((player) => rateAgainst(player, home, away, homeScore, options)),
    away: away.map((player) => rateAgainst(player, away, home, 1 - homeScore, options)),
  };
}

function rateAgainst(
  player: Rating,
  own: readonly Rating[],
  opponents: readonly Rating[],
  score: number,
  options: RateOptions,
): Rating {
  const opponent = {
    rating: player.rating + (mean(opponents) - mean(own)),
    rd: Math.sqrt(opponents.reduce((sum, other) => sum + other.rd * other.rd, 0)),
  };
  return rate(player, [{ opponent, score }], options);
}

function mean(team: readonly Rating[]): number {
  return team.reduce((sum, player) => sum + player.rating, 0) / team.length;
}
