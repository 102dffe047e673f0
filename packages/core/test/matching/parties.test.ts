import { describe, expect, it } from 'vitest';
import { findMatches } from '../../src/matching/find-matches.js';
import { splitTeams, teamMeanDifference } from '../../src/matching/team-split.js';
import type { FormedMatch, MatchingConfig, Ticket } from '../../src/matching/types.js';
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

/** A match as its two teams' ticket ids, each team sorted, teams in a fixed order. */
const teams = (match: FormedMatch | undefined): string[][] =>
  [idsOf(match?.home ?? []).sort(), idsOf(match?.away ?? []).sort()].sort();
const solos = (prefix: string, ratings: readonly number[]): Ticket[] =>
  ratings.map((rating, i) => party(`${prefix}${i}`, [rating]));
const partySizes = (team: readonly Ticket[]): number[] => team.map((t) => t.players.length).sort();

describe('premade fairness: parties face parties of the same size first', () => {
  // Everything is within everyone's window; the oldest duo's nearest tickets are the solos.
  const twoDuosFourSolos = [
    party('duoA', [1500, 1500], {}, 30),
    ...solos('s', [1500, 1501, 1502, 1503]),
    party('duoB', [1510, 1510]),
  ];

  it('2v2: a duo faces the other duo, and the four solos play each other', () => {
    const { matches } = findMatches(twoDuosFourSolos, NOW, config(2));
    expect(matches.map(teams)).toEqual([
      [['duoA'], ['duoB']],
      [
        ['s0', 's3'],
        ['s1', 's2'],
      ],
    ]);
  });

  it('2v2 with preferSimilarParties false: each duo faces the two nearest solos', () => {
    const { matches } = findMatches(twoDuosFourSolos, NOW, config(2, { preferSimilarParties: false }));
    expect(matches.map(teams)).toEqual([
      [['duoA'], ['s0', 's1']],
      [['duoB'], ['s2', 's3']],
    ]);
  });

  it('3v3: a duo and a solo face a duo and a solo, not three solos', () => {
    const pool = [
      party('duoA', [1500, 1500], {}, 30),
      ...solos('s', [1500, 1501, 1502, 1503]),
      party('duoB', [1520, 1520]),
    ];
    const [first] = findMatches(pool, NOW, config(3)).matches;
    expect(partySizes(first?.home ?? [])).toEqual([1, 2]);
    expect(partySizes(first?.away ?? [])).toEqual([1, 2]);
    const [mixed] = findMatches(pool, NOW, config(3, { preferSimilarParties: false })).matches;
    expect([partySizes(mixed?.home ?? []), partySizes(mixed?.away ?? [])].sort()).toEqual([
      [1, 1, 1],
      [1, 2],
    ]);
  });

  it('4v4: splits two duos and four solos into mirrored teams, though duos against solos balance as well', () => {
    const pool = [
      party('hi', [1600, 1600], {}, 30),
      party('lo', [1400, 1400]),
      ...solos('s', [1700, 1300, 1500, 1500]),
    ];
    const [match] = findMatches(pool, NOW, config(4, { windowInitial: 400 })).matches;
    expect(partySizes(match?.home ?? [])).toEqual([1, 1, 2]);
    expect(partySizes(match?.away ?? [])).toEqual([1, 1, 2]);
    expect(teamMeanDifference(match!)).toBeCloseTo(0, 9);
  });

  it('faces solos when no party of its size is within the windows', () => {
    const farDuo = party('duoB', [2100, 2100]);
    const pool = [party('duoA', [1500, 1500], {}, 30), ...solos('s', [1500, 1501]), farDuo];
    const { matches } = findMatches(pool, NOW, config(2));
    expect(matches.map(teams)).toEqual([[['duoA'], ['s0', 's1']]]);
  });

  it('does not open a pair for a party whose counterpart is beyond the probes, so the solos still match', () => {
    // The duo next to the oldest solo has its only counterpart 100 solos further: out of reach this pass.
    const pool = [
      party('anchor', [1500], {}, 30),
      party('duoA', [1500.5, 1500.5]),
      ...solos(
        's',
        Array.from({ length: 100 }, (_, i) => 1501 + i),
      ),
      party('duoB', [1700, 1700]),
    ];
    const [first] = findMatches(pool, NOW, config(3, { windowInitial: 600 })).matches;
    expect(partySizes([...(first?.home ?? []), ...(first?.away ?? [])])).toEqual([1, 1, 1, 1, 1, 1]);
    expect(idsOf(first?.home ?? []).concat(idsOf(first?.away ?? []))).toContain('anchor');
  });

  it('rejects a non-boolean preferSimilarParties with a clear error', () => {
    const bad = { ...config(1), preferSimilarParties: 'yes' } as unknown as MatchingConfig;
    expect(() => findMatches([], NOW, bad)).toThrow(/preferSimilarParties/);
  });
});

describe('splitTeams mirrored', () => {
  const duo = (id: string, rating: number) => party(id, [rating, rating]);

  it('gives both teams the same party sizes, the best balanced such split', () => {
    // Unconstrained, {hi, lo} vs the four solos balances perfectly (6000 each); mirrored, the
    // best is hi + 1300 + 1500 vs lo + 1700 + 1500 (6000 each too), found among mirrored splits only.
    const tickets = [duo('hi', 1600), duo('lo', 1400), ...solos('s', [1700, 1300, 1500, 1500])];
    const free = splitTeams(tickets, 4);
    expect([partySizes(free?.home ?? []), partySizes(free?.away ?? [])].sort()).toEqual([
      [1, 1, 1, 1],
      [2, 2],
    ]);
    const split = splitTeams(tickets, 4, { mirrored: true });
    expect(partySizes(split?.home ?? [])).toEqual([1, 1, 2]);
    expect(partySizes(split?.away ?? [])).toEqual([1, 1, 2]);
    expect(teamMeanDifference(split!)).toBeCloseTo(0, 9);
  });

  it('returns nothing when the party sizes cannot be mirrored', () => {
    expect(splitTeams([duo('d', 1500), ...solos('s', [1500, 1500])], 2, { mirrored: true })).toBeUndefined();
  });

  it('keeps the teams mirrored on the heuristic path (above the exhaustive limit)', () => {
    // Unconstrained, the greedy start puts both duos with the weak trio (18 tickets: the heuristic runs).
    const trio = (id: string, rating: number) => party(id, [rating, rating, rating]);
    const tickets = [
      trio('strong', 2500),
      trio('weak', 1000),
      duo('d1', 1500),
      duo('d2', 1500),
      ...solos('s', Array(14).fill(1500)),
    ];
    const expected = [...Array(7).fill(1), 2, 3];
    const split = splitTeams(tickets, 12, { mirrored: true });
    expect(partySizes(split?.home ?? [])).toEqual(expected);
    expect(partySizes(split?.away ?? [])).toEqual(expected);
  });
});
