import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMatches, findMatchesByQueue } from '../../src/matching/find-matches.js';
import type { FormedMatch, MatchingConfig, Ticket } from '../../src/matching/types.js';
import { currentWindow } from '../../src/matching/window.js';
import { expectPartition, NOW, ticketsOf } from './arbitraries.js';

type Queues = Record<string, MatchingConfig>;

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'];
const RUNS = { numRuns: 300, seed: 20261125 };

/** Two or three queues, team sizes 1..5, either party rating, fairness on or off. */
const queuesArbitrary: fc.Arbitrary<Queues> = fc
  .array(
    fc.record({
      teamSize: fc.integer({ min: 1, max: 5 }),
      windowInitial: fc.integer({ min: 0, max: 300 }),
      windowGrowthPerSecond: fc.integer({ min: 0, max: 20 }),
      extra: fc.integer({ min: 0, max: 400 }),
      partyRating: fc.constantFrom('mean' as const, 'max' as const),
      preferSimilarParties: fc.boolean(),
    }),
    { minLength: 2, maxLength: 3 },
  )
  .map((specs) =>
    Object.fromEntries(
      specs.map(({ extra, ...config }, i) => [
        `q${i}`,
        { ...config, windowMax: config.windowInitial + extra },
      ]),
    ),
  );

/**
 * Tickets of those queues (and a few of an unknown queue or of none), in
 * several regions (the third rare), parties of 1..teamSize players with a
 * few invalid ones (empty, or one more than a team), ratings 1200..1800,
 * waits 0..120 s.
 */
function poolArbitrary(queues: Queues): fc.Arbitrary<Ticket[]> {
  const names = Object.keys(queues);
  const ticket = fc.record({
    queue: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...names) },
      { weight: 1, arbitrary: fc.constantFrom('unknown', undefined) },
    ),
    region: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...REGIONS.slice(0, 2)) },
      { weight: 1, arbitrary: fc.constant(REGIONS[2] as string) },
    ),
    sizeRoll: fc.integer({ min: 0, max: 29 }),
    ratings: fc.array(fc.integer({ min: 1200, max: 1800 }), { minLength: 6, maxLength: 6 }),
    waitedSeconds: fc.integer({ min: 0, max: 120 }),
  });
  return fc.array(ticket, { maxLength: 120, size: 'max' }).map((raw) =>
    raw.map((t, i) => {
      const teamSize = (t.queue !== undefined && queues[t.queue]?.teamSize) || 5;
      const size = t.sizeRoll === 0 ? 0 : t.sizeRoll === 1 ? teamSize + 1 : 1 + (t.sizeRoll % teamSize);
      return {
        ticketId: `t${String(i).padStart(4, '0')}`,
        ...(t.queue === undefined ? {} : { queue: t.queue }),
        region: t.region,
        enqueuedAt: NOW - t.waitedSeconds * 1000,
        players: t.ratings.slice(0, size).map((rating, j) => ({ userId: `u${i}-${j}`, rating, rd: 100 })),
      };
    }),
  );
}

const scenario = queuesArbitrary.chain((queues) => fc.tuple(fc.constant(queues), poolArbitrary(queues)));
const players = (tickets: readonly Ticket[]): number => tickets.reduce((n, t) => n + t.players.length, 0);
const idsOf = (matches: readonly FormedMatch[]): string[][] =>
  matches.map((m) => ticketsOf(m).map((t) => t.ticketId));

/** The oracle's party rating, written out independently of the matcher's. */
function partyRating(ticket: Ticket, config: MatchingConfig): number {
  const ratings = ticket.players.map((p) => p.rating);
  return config.partyRating === 'max'
    ? Math.max(...ratings)
    : ratings.reduce((a, b) => a + b, 0) / ratings.length;
}

/** The queue config of a match: every ticket is of one queue (checked), so the first's. */
const configOf = (match: FormedMatch, queues: Queues): MatchingConfig =>
  queues[match.home[0]?.queue as string] as MatchingConfig;

describe('findMatchesByQueue properties', () => {
  it('uses no ticket twice and drops none: matched + remaining = pool, disjoint', () => {
    fc.assert(
      fc.property(scenario, ([queues, pool]) => {
        expectPartition(pool, findMatchesByQueue(pool, NOW, queues));
      }),
      RUNS,
    );
  });

  it("never mixes queues or regions, and only matches the given queues' tickets", () => {
    fc.assert(
      fc.property(scenario, ([queues, pool]) => {
        for (const match of findMatchesByQueue(pool, NOW, queues).matches) {
          const tickets = ticketsOf(match);
          expect(Object.keys(queues)).toContain(tickets[0]?.queue);
          expect(new Set(tickets.map((t) => t.queue)).size).toBe(1);
          expect(new Set(tickets.map((t) => t.region))).toEqual(new Set([match.region]));
        }
      }),
      RUNS,
    );
  });

  it("forms two teams of the queue's teamSize players each, every party whole on one team", () => {
    fc.assert(
      fc.property(scenario, ([queues, pool]) => {
        const byId = new Map(pool.map((t) => [t.ticketId, t]));
        for (const match of findMatchesByQueue(pool, NOW, queues).matches) {
          const { teamSize } = configOf(match, queues);
          expect(players(match.home)).toBe(teamSize);
          expect(players(match.away)).toBe(teamSize);
          const home = new Set(match.home.flatMap((t) => t.players.map((p) => p.userId)));
          for (const ticket of ticketsOf(match))
            expect(ticket.players).toEqual(byId.get(ticket.ticketId)?.players);
          for (const ticket of match.away)
            for (const p of ticket.players) expect(home.has(p.userId)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("puts every ticket's party rating (the queue's aggregation) inside every other member's window", () => {
    fc.assert(
      fc.property(scenario, ([queues, pool]) => {
        for (const match of findMatchesByQueue(pool, NOW, queues).matches) {
          const config = configOf(match, queues);
          for (const member of ticketsOf(match)) {
            const window = currentWindow(member, NOW, config);
            for (const other of ticketsOf(match)) {
              const gap = Math.abs(partyRating(other, config) - partyRating(member, config));
              expect(gap).toBeLessThanOrEqual(window + 1e-9);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it("matches each queue's tickets exactly as findMatches with that queue's config", () => {
    fc.assert(
      fc.property(scenario, ([queues, pool]) => {
        const { matches } = findMatchesByQueue(pool, NOW, queues);
        for (const [name, config] of Object.entries(queues)) {
          const alone = findMatches(
            pool.filter((t) => t.queue === name),
            NOW,
            config,
          );
          expect(matches.filter((m) => m.home[0]?.queue === name)).toEqual(alone.matches);
        }
      }),
      RUNS,
    );
  });

  it('gives the same output for the same input, whatever the pool order', () => {
    fc.assert(
      fc.property(scenario, ([queues, pool]) => {
        const first = findMatchesByQueue(pool, NOW, queues);
        expect(findMatchesByQueue(pool, NOW, queues)).toEqual(first);
        const reversed = findMatchesByQueue([...pool].reverse(), NOW, queues);
        expect(idsOf(reversed.matches)).toEqual(idsOf(first.matches));
      }),
      RUNS,
    );
  });
});

/**
 * One queue and region with exactly two parties of size k (identical
 * ratings) and solos (identical ratings, within the windows), enough for one
 * mirrored match with the parties ({k, 1 x (T-k)} a side) and m all-solo
 * matches (at most 38 tickets, all within the probes); another region of the
 * queue holds random tickets. The parties' ids sort after the solos', so on
 * equal ratings the first party's nearest tickets are solos: without the
 * fairness rule it would often face them.
 */
const twoPartiesScenario = fc
  .record({
    teamSize: fc.integer({ min: 2, max: 5 }),
    k: fc.integer({ min: 2, max: 5 }),
    allSoloMatches: fc.integer({ min: 0, max: 3 }),
    partyRating: fc.integer({ min: 1000, max: 2000 }),
    // Mostly 0: all ratings tie.
    gap: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: -100, max: 100 })),
    partyRatingRule: fc.constantFrom('mean' as const, 'max' as const),
    waits: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 40, maxLength: 40 }),
  })
  .filter(({ teamSize, k }) => k <= teamSize)
  .chain((s) => {
    const config: MatchingConfig = {
      teamSize: s.teamSize,
      windowInitial: 100,
      windowGrowthPerSecond: 5,
      windowMax: 400,
      partyRating: s.partyRatingRule,
    };
    const noise = poolArbitrary({ q: config }).map((tickets) =>
      tickets.map((t) => ({ ...t, ticketId: `n${t.ticketId}`, region: 'us-east-1', queue: 'q' })),
    );
    return fc.tuple(fc.constant(s), fc.constant(config), noise);
  });

describe('premade fairness property', () => {
  it('two parties of the same size with room for a mirrored match face each other', () => {
    fc.assert(
      fc.property(twoPartiesScenario, ([s, config, noise]) => {
        const solos = 2 * (s.teamSize - s.k) + 2 * s.teamSize * s.allSoloMatches;
        const wait = (i: number) => NOW - (s.waits[i] ?? 0) * 1000;
        const partyOf = (id: string, i: number): Ticket => ({
          ticketId: id,
          queue: 'q',
          region: 'eu-west-1',
          enqueuedAt: wait(i),
          players: Array.from({ length: s.k }, (_, j) => ({
            userId: `${id}-${j}`,
            rating: s.partyRating,
            rd: 90,
          })),
        });
        const pool: Ticket[] = [
          partyOf('x-partyA', 0),
          partyOf('x-partyB', 1),
          ...Array.from({ length: solos }, (_, i) => ({
            ticketId: `s${String(i).padStart(3, '0')}`,
            queue: 'q',
            region: 'eu-west-1',
            enqueuedAt: wait(i + 2),
            players: [{ userId: `s${i}`, rating: s.partyRating + s.gap, rd: 90 }],
          })),
          ...noise,
        ];
        const { matches } = findMatchesByQueue(pool, NOW, { q: config });
        const match = matches.find((m) => ticketsOf(m).some((t) => t.ticketId === 'x-partyA'));
        const sides = [match?.home, match?.away].map((team) => team?.map((t) => t.ticketId) ?? []);
        expect(sides.filter((ids) => ids.includes('x-partyA') || ids.includes('x-partyB'))).toHaveLength(2);
        expect(sides.flat()).toContain('x-partyB');
      }),
      { numRuns: 150, seed: 20261126 },
    );
  });
});
