import { describe, expect, it } from 'vitest';
import { rateTeams } from '../../src/rating/teams.js';
import type { Rating } from '../../src/rating/types.js';

/*
 * Expected values were computed outside this code base: a separate Python
 * transcription of the paper's steps 1-8 (no shared code), fed the composite
 * opponents worked out by hand from DESIGN.md's formula:
 *   opponent rating = own rating + (opponent team mean - own team mean)
 *   opponent RD     = sqrt(sum of the opponent team's RD^2)
 */
function expectRating(actual: Rating | undefined, expected: Rating): void {
  expect(actual).toBeDefined();
  expect(actual?.rating).toBeCloseTo(expected.rating, 3);
  expect(actual?.rd).toBeCloseTo(expected.rd, 3);
  expect(actual?.vol).toBeCloseTo(expected.vol, 7);
}

describe('rateTeams', () => {
  it('updates a 1v1 exactly like a single Glicko-2 game against the other player', () => {
    // 1v1: the composite opponent is the other player itself (1450/200 and 1600/100).
    const result = rateTeams(
      [{ rating: 1600, rd: 100, vol: 0.06 }],
      [{ rating: 1450, rd: 200, vol: 0.06 }],
      'home',
    );
    expectRating(result.home[0], { rating: 1615.19085, rd: 98.00605, vol: 0.05999891 });
    expectRating(result.away[0], { rating: 1396.53886, rd: 178.69921, vol: 0.05999865 });
  });

  it('updates a 2v2 from pre-match values against composite opponents', () => {
    // Home means 1600, away means 1600, so each composite opponent has the player's own rating;
    // home composite RD = sqrt(120^2 + 300^2) = 323.11, away composite RD = sqrt(80^2 + 150^2) = 170.
    const home = [
      { rating: 1700, rd: 80, vol: 0.06 },
      { rating: 1500, rd: 150, vol: 0.06 },
    ];
    const away = [
      { rating: 1650, rd: 120, vol: 0.05 },
      { rating: 1550, rd: 300, vol: 0.07 },
    ];
    const result = rateTeams(home, away, 'away');
    expectRating(result.home[0], { rating: 1687.25595, rd: 79.63643, vol: 0.05999996 });
    expectRating(result.home[1], { rating: 1458.36904, rd: 143.93498, vol: 0.05999987 });
    expectRating(result.away[0], { rating: 1683.55105, rd: 115.08787, vol: 0.04999988 });
    expectRating(result.away[1], { rating: 1694.66972, rd: 238.98206, vol: 0.06999904 });
  });

  it('keeps the order of the players and does not depend on it', () => {
    const a = { rating: 1700, rd: 80, vol: 0.06 };
    const b = { rating: 1500, rd: 150, vol: 0.06 };
    const away = [{ rating: 1600, rd: 100, vol: 0.06 }];
    const forward = rateTeams([a, b], away, 'draw');
    const backward = rateTeams([b, a], away, 'draw');
    expect(forward.home[0]).toEqual(backward.home[1]);
    expect(forward.home[1]).toEqual(backward.home[0]);
  });

  it('gives a draw between equal teams no rating change', () => {
    const player = { rating: 1500, rd: 100, vol: 0.06 };
    const result = rateTeams([player], [player], 'draw');
    expect(result.home[0]?.rating).toBeCloseTo(1500, 9);
  });

  it('refuses an empty team', () => {
    expect(() => rateTeams([], [{ rating: 1500, rd: 100, vol: 0.06 }], 'home')).toThrow(
      /at least one player/,
    );
  });
});
