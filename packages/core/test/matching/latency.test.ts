import { describe, expect, it } from 'vitest';
import { findMatches } from '../../src/matching/find-matches.js';
import {
  currentMaxLatency,
  feasibleRegions,
  isFlexible,
  matchLatency,
  reportedRegions,
} from '../../src/matching/latency.js';
import type { FormedMatch, LatencyConfig, MatchingConfig, Ticket } from '../../src/matching/types.js';
import { isMatchable } from '../../src/matching/window.js';
import { config, idsOf, NOW, party } from './fixtures.js';

const LATENCY: LatencyConfig = { initialMs: 60, stepMs: 10, stepSeconds: 5, maxMs: 150 };
const withLatency = (teamSize: number, latency: Partial<LatencyConfig> = {}): MatchingConfig =>
  config(teamSize, { latency: { ...LATENCY, ...latency } });

/** A flexible ticket: one player per entry of `latencies`, all at `rating`; its region field is a decoy. */
const flexible = (
  id: string,
  latencies: readonly Record<string, number>[],
  { rating = 1500, waited = 0, region = 'decoy-region' } = {},
): Ticket => ({
  ticketId: id,
  region,
  enqueuedAt: NOW - waited * 1000,
  players: latencies.map((pings, i) => ({ userId: `${id}-${i}`, rating, rd: 100, latencies: pings })),
});
const solo = (id: string, pings: Record<string, number>, options?: Parameters<typeof flexible>[2]) =>
  flexible(id, [pings], options);
const fixed = (id: string, region: string, rating = 1500, waited = 0): Ticket =>
  party(id, [rating], { region }, waited);

const teams = (match: FormedMatch | undefined): string[] =>
  idsOf([...(match?.home ?? []), ...(match?.away ?? [])]).sort();
const pass = (pool: Ticket[], settings: MatchingConfig, at = NOW) =>
  findMatches(pool, at, settings).matches.map((match) => ({ region: match.region, ids: teams(match) }));

describe('current maximum latency', () => {
  const ticket = (waited: number) => solo('a', { us: 10 }, { waited });

  it('starts at initialMs and widens by stepMs per whole stepSeconds waited, up to maxMs', () => {
    const settings = withLatency(1);
    expect(currentMaxLatency(ticket(0), NOW, settings)).toBe(60);
    expect(currentMaxLatency(ticket(4.999), NOW, settings)).toBe(60);
    expect(currentMaxLatency(ticket(5), NOW, settings)).toBe(70);
    expect(currentMaxLatency(ticket(47), NOW, settings)).toBe(150);
    expect(currentMaxLatency(ticket(3600), NOW, settings)).toBe(150);
  });

  it('counts a ticket enqueued after now as not having waited', () => {
    expect(currentMaxLatency(ticket(-30), NOW, withLatency(1))).toBe(60);
  });

  it('has no limit without a latency config', () => {
    expect(currentMaxLatency(ticket(0), NOW, config(1))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the regions a ticket may be matched in', () => {
  it('is its region for a ticket without latencies, whatever the limit', () => {
    const ticket = fixed('f', 'eu-west-1');
    expect(isFlexible(ticket)).toBe(false);
    expect(feasibleRegions(ticket, NOW, withLatency(1))).toEqual([
      { region: 'eu-west-1', worstMs: 0, totalMs: 0 },
    ]);
  });

  it('is, for a flexible ticket, the regions every member reported within the maximum, by name', () => {
    const trio = flexible('p', [
      { us: 40, eu: 50, ap: 30 },
      { us: 60, eu: 10, sa: 5 },
      { eu: 20, us: 20, ap: 10 },
    ]);
    expect(isFlexible(trio)).toBe(true);
    expect(reportedRegions(trio)).toEqual([
      { region: 'eu', worstMs: 50, totalMs: 80 },
      { region: 'us', worstMs: 60, totalMs: 120 },
    ]);
    expect(feasibleRegions(trio, NOW, withLatency(3, { initialMs: 55 })).map((r) => r.region)).toEqual([
      'eu',
    ]);
    expect(feasibleRegions(trio, NOW, config(3)).map((r) => r.region)).toEqual(['eu', 'us']);
  });

  it('ignores latencies that are not finite numbers >= 0, and inherited names', () => {
    const odd = solo('o', { us: Number.NaN, eu: -1, ap: Number.POSITIVE_INFINITY, sa: 0 });
    expect(reportedRegions(odd).map((r) => r.region)).toEqual(['sa']);
    const inherited = flexible('i', [{ toString: 5, us: 5 }, { us: 5 }]);
    expect(reportedRegions(inherited).map((r) => r.region)).toEqual(['us']);
  });

  it('is none for a party with a member who reported nothing: it stays in remaining', () => {
    const party: Ticket = {
      ...flexible('p', [{ us: 20 }]),
      players: [...flexible('p', [{ us: 20 }]).players, { userId: 'quiet', rating: 1500, rd: 100 }],
    };
    expect(isMatchable(party, 2)).toBe(false);
    const pool = [party, solo('a', { us: 20 }), solo('b', { us: 20 })];
    const { matches, remaining } = findMatches(pool, NOW, withLatency(2));
    expect(matches).toEqual([]);
    expect(remaining).toEqual(pool);
  });
});

describe('matching in the region chosen by latency', () => {
  it('matches flexible tickets in a region they all reported, whatever their region field', () => {
    const pool = [
      solo('a', { 'eu-west-1': 30, 'us-east-1': 90 }, { region: 'us-east-1' }),
      solo('b', { 'eu-west-1': 40 }, { region: 'ap-south-1' }),
    ];
    expect(pass(pool, withLatency(1))).toEqual([{ region: 'eu-west-1', ids: ['a', 'b'] }]);
  });

  it('never uses a region a member did not report, even the best of the others', () => {
    const duo = flexible('duo', [{ us: 10, eu: 55 }, { eu: 50 }]);
    const pool = [duo, solo('a', { us: 10, eu: 50 }), solo('b', { us: 10, eu: 50 })];
    expect(pass(pool, withLatency(2))).toEqual([{ region: 'eu', ids: ['a', 'b', 'duo'] }]);
  });

  it('waits until every member is within its current maximum', () => {
    const pool = [solo('a', { us: 20 }, { waited: 0 }), solo('b', { us: 95 }, { waited: 0 })];
    expect(pass(pool, withLatency(1))).toEqual([]);
    // b's maximum reaches 100 after 20 s (60 + 10 * 4), when a's is 100 too.
    expect(pass(pool, withLatency(1), NOW + 19_999)).toEqual([]);
    expect(pass(pool, withLatency(1), NOW + 20_000)).toEqual([{ region: 'us', ids: ['a', 'b'] }]);
  });

  it('accepts any reported region without a latency config', () => {
    const pool = [solo('a', { ap: 400 }), solo('b', { ap: 380, eu: 20 })];
    expect(pass(pool, config(1))).toEqual([{ region: 'ap', ids: ['a', 'b'] }]);
  });

  it('chooses the region with the lowest worst member latency', () => {
    // us: worst 120; eu: worst 90.
    const pool = [
      solo('a', { us: 40, eu: 90 }, { waited: 60 }),
      solo('b', { us: 120, eu: 50 }, { waited: 60 }),
    ];
    expect(pass(pool, withLatency(1))).toEqual([{ region: 'eu', ids: ['a', 'b'] }]);
  });

  it('breaks a tie on the worst latency by the lower mean, then by the region name', () => {
    const byMean = [solo('a', { us: 100, eu: 100 }, { waited: 60 }), solo('b', { us: 80, eu: 20 })];
    expect(pass(byMean, withLatency(1, { initialMs: 100 }))).toEqual([{ region: 'eu', ids: ['a', 'b'] }]);
    const byName = [solo('a', { us: 50, eu: 50, ap: 50 }), solo('b', { us: 50, eu: 50, ap: 50 })];
    expect(pass(byName, withLatency(1))).toEqual([{ region: 'ap', ids: ['a', 'b'] }]);
  });

  it('keeps the best of the matches grown around the anchor in each of its regions', () => {
    // The anchor a's nearest rating is b, who only plays in us (worst 120); in eu it meets c (worst 60).
    const pool = [
      solo('a', { us: 40, eu: 40 }, { waited: 60 }),
      solo('b', { us: 120 }, { rating: 1501, waited: 60 }),
      solo('c', { eu: 60 }, { rating: 1550, waited: 60 }),
    ];
    expect(pass(pool, withLatency(1))[0]).toEqual({ region: 'eu', ids: ['a', 'c'] });
  });

  it('plays a match in the best region feasible for all its tickets, not only where it was grown', () => {
    // Grown in us, a + b (us worst 100) is better in eu (worst 45) than eu's own a + c (worst 90).
    const pool = [
      solo('a', { us: 50, eu: 40 }, { waited: 60 }),
      solo('b', { us: 100, eu: 45 }, { rating: 1502, waited: 60 }),
      solo('c', { eu: 90 }, { rating: 1500.5, waited: 60 }),
    ];
    expect(pass(pool, withLatency(1))[0]).toEqual({ region: 'eu', ids: ['a', 'b'] });
  });

  it('matches a flexible ticket with fixed tickets in their region only, counting them 0 ms', () => {
    const pool = [
      solo('flex', { 'us-east-1': 80, 'eu-west-1': 10 }, { waited: 60 }),
      fixed('f', 'us-east-1'),
    ];
    expect(pass(pool, withLatency(1))).toEqual([{ region: 'us-east-1', ids: ['f', 'flex'] }]);
    // The fixed ticket counts 0 ms: with it in us (worst 50) rather than with g in eu (worst 60).
    const choice = [
      solo('a', { 'us-east-1': 50, 'eu-west-1': 60 }, { waited: 60 }),
      fixed('f', 'us-east-1', 1510),
      solo('g', { 'eu-west-1': 60 }, { rating: 1505 }),
    ];
    expect(pass(choice, withLatency(1))).toEqual([{ region: 'us-east-1', ids: ['a', 'f'] }]);
  });

  it('never puts fixed tickets of different regions in one match, flexible tickets or not', () => {
    const pool = [
      fixed('us', 'us-east-1'),
      fixed('eu', 'eu-west-1'),
      solo('x', { 'us-east-1': 10, 'eu-west-1': 10 }),
      solo('y', { 'us-east-1': 10, 'eu-west-1': 10 }),
    ];
    const matches = findMatches(pool, NOW, withLatency(2)).matches;
    expect(matches).toEqual([]);
    const one = pass(pool, withLatency(1));
    for (const match of one) expect(match.ids.filter((id) => id === 'us' || id === 'eu')).toHaveLength(1);
  });

  it('never mixes queues', () => {
    const pool = [
      { ...solo('a', { us: 10 }), queue: 'duel' },
      { ...solo('b', { us: 10 }), queue: 'ranked' },
    ];
    expect(pass(pool, withLatency(1))).toEqual([]);
  });

  it('serves the longest-waiting ticket of the queue first, whatever the regions', () => {
    // o (us) and n (eu, nearer p's rating) both can only meet p; o has waited longer. Region by
    // region (eu first by name), n would take p.
    const pool = [
      solo('n', { eu: 20 }, { waited: 10 }),
      solo('o', { us: 30 }, { rating: 1450, waited: 40 }),
      solo('p', { us: 20, eu: 20 }),
    ];
    expect(pass(pool, withLatency(1))).toEqual([{ region: 'us', ids: ['o', 'p'] }]);
  });
});

describe('two players with disjoint good regions', () => {
  // A: us 40 / eu 200; B: us 200 / eu 40.
  const pool = [solo('A', { us: 40, eu: 200 }), solo('B', { us: 200, eu: 40 })];

  it('are never matched while their maxima stay below 200 (the usual 150 ms cap)', () => {
    for (const seconds of [0, 30, 60, 600, 3600])
      expect(pass(pool, withLatency(1), NOW + seconds * 1000)).toEqual([]);
  });

  it('are matched once their maxima reach 200, in a region both are within', () => {
    // 60 + 10 * floor(t / 5) >= 200 from t = 70 s.
    const settings = withLatency(1, { maxMs: 250 });
    expect(pass(pool, settings, NOW + 69_999)).toEqual([]);
    // Both regions have worst 200 and mean 120: the name decides.
    expect(pass(pool, settings, NOW + 70_000)).toEqual([{ region: 'eu', ids: ['A', 'B'] }]);
  });

  it('are matched in the region where the worst latency is lower once it is within both maxima', () => {
    const uneven = [solo('A', { us: 40, eu: 200 }), solo('B', { us: 190, eu: 40 })];
    const settings = withLatency(1, { maxMs: 250 });
    expect(pass(uneven, settings, NOW + 64_999)).toEqual([]);
    expect(pass(uneven, settings, NOW + 65_000)).toEqual([{ region: 'us', ids: ['A', 'B'] }]);
    expect(pass(uneven, settings, NOW + 70_000)).toEqual([{ region: 'us', ids: ['A', 'B'] }]);
  });
});

describe('matchLatency', () => {
  it("is the match's worst and mean member latency there, fixed players counting 0 ms", () => {
    const tickets = [flexible('p', [{ us: 30 }, { us: 90 }]), fixed('f', 'us')];
    expect(matchLatency(tickets, 'us')).toEqual({ worstMs: 90, meanMs: 40 });
  });

  it('is undefined where a ticket cannot play', () => {
    expect(matchLatency([fixed('f', 'us')], 'eu')).toBeUndefined();
    expect(matchLatency([solo('a', { us: 10 })], 'eu')).toBeUndefined();
  });
});

describe('latency config', () => {
  const bad = (latency: unknown) => ({ ...config(1), latency }) as MatchingConfig;

  it('rejects a bad latency config with a RangeError naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...LATENCY, initialMs: -1 }, /latency\.initialMs/],
      [{ ...LATENCY, stepMs: Number.NaN }, /latency\.stepMs/],
      [{ ...LATENCY, maxMs: '150' }, /latency\.maxMs/],
      [{ ...LATENCY, stepSeconds: 0 }, /latency\.stepSeconds/],
      [{ ...LATENCY, stepSeconds: undefined }, /latency\.stepSeconds/],
      [{ ...LATENCY, maxMs: 50 }, /latency\.maxMs \(50\) must be at least latency\.initialMs/],
      [null, /latency must be an object/],
    ];
    for (const [latency, message] of cases) {
      expect(() => findMatches([], NOW, bad(latency))).toThrow(RangeError);
      expect(() => findMatches([], NOW, bad(latency))).toThrow(message);
    }
  });

  it('accepts a fixed maximum (stepMs 0) and maxMs equal to initialMs', () => {
    expect(() => findMatches([], NOW, withLatency(1, { stepMs: 0, maxMs: 60 }))).not.toThrow();
  });
});
