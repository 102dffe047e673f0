import { describe, expect, it } from 'vitest';
import { findMatches } from '../../src/matching/find-matches.js';
import type { MatchingConfig } from '../../src/matching/types.js';
import { config, idsOf, NOW, party } from './fixtures.js';

const narrow = (extra: Partial<MatchingConfig> = {}) =>
  config(2, { windowInitial: 100, windowGrowthPerSecond: 0, windowMax: 100, ...extra });
const matchedIds = (pool: Parameters<typeof findMatches>[0], settings: MatchingConfig): string[] =>
  idsOf(findMatches(pool, NOW, settings).matches.flatMap((m) => [...m.home, ...m.away])).sort();

describe('party rating for the window', () => {
  it("places a party by its party rating, not by each player's rating", () => {
    // The duo's players are 400 apart, four times the window; its mean sits on the solos.
    const pool = [party('duo', [1300, 1700]), party('a', [1500]), party('b', [1520])];
    expect(matchedIds(pool, narrow())).toEqual(['a', 'b', 'duo']);
  });

  it('with mean, a strong player carrying a weak friend meets the mean (and not the strong player)', () => {
    const duo = party('duo', [1400, 1800]);
    const nearMean = [duo, party('a', [1600]), party('b', [1610])];
    const nearMax = [duo, party('a', [1800]), party('b', [1790])];
    expect(matchedIds(nearMean, narrow())).toEqual(['a', 'b', 'duo']);
    expect(matchedIds(nearMax, narrow())).toEqual([]);
  });

  it('with max, the same duo meets the strong player (and not the mean)', () => {
    const duo = party('duo', [1400, 1800]);
    const nearMean = [duo, party('a', [1600]), party('b', [1610])];
    const nearMax = [duo, party('a', [1800]), party('b', [1790])];
    expect(matchedIds(nearMean, narrow({ partyRating: 'max' }))).toEqual([]);
    expect(matchedIds(nearMax, narrow({ partyRating: 'max' }))).toEqual(['a', 'b', 'duo']);
  });

  it('orders the nearest ratings by party rating', () => {
    // All within the windows: the oldest duo picks the two solos nearest its mean (1500) or its max (1700).
    const pool = [
      party('duo', [1300, 1700], {}, 30),
      party('a', [1500]),
      party('b', [1510]),
      party('c', [1700]),
      party('d', [1710]),
    ];
    const wide = config(2, { windowInitial: 600 });
    expect(matchedIds(pool, wide)).toEqual(['a', 'b', 'duo']);
    expect(matchedIds(pool, { ...wide, partyRating: 'max' })).toEqual(['c', 'd', 'duo']);
  });

  it('rejects an unknown party rating with a clear error', () => {
    const bad = { ...config(1), partyRating: 'median' } as unknown as MatchingConfig;
    expect(() => findMatches([], NOW, bad)).toThrow(RangeError);
    expect(() => findMatches([], NOW, bad)).toThrow(/partyRating/);
  });
});
