import fc from 'fast-check';
import { expect } from 'vitest';
import type { FormedMatch, MatchingConfig, MatchingResult, Ticket } from '../../src/matching/types.js';

/** Pools of tickets with unique ids and user ids, parties up to teamSize, a few regions. */
export function poolArbitrary(teamSize: number, maxTickets = 60): fc.Arbitrary<Ticket[]> {
  const ticket = fc.record({
    region: fc.constantFrom('us-east-1', 'eu-west-1'),
    ratings: fc.array(fc.integer({ min: 800, max: 2200 }), { minLength: 1, maxLength: teamSize }),
    rd: fc.integer({ min: 30, max: 350 }),
    waitedSeconds: fc.integer({ min: 0, max: 120 }),
  });
  return fc.array(ticket, { maxLength: maxTickets }).map((raw) =>
    raw.map((t, i) => ({
      ticketId: `t${String(i).padStart(4, '0')}`,
      region: t.region,
      enqueuedAt: NOW - t.waitedSeconds * 1000,
      players: t.ratings.map((rating, j) => ({ userId: `u${i}-${j}`, rating, rd: t.rd })),
    })),
  );
}

export const NOW = 1_700_000_000_000;

export const configArbitrary: fc.Arbitrary<MatchingConfig> = fc
  .record({
    teamSize: fc.integer({ min: 1, max: 4 }),
    windowInitial: fc.integer({ min: 0, max: 300 }),
    windowGrowthPerSecond: fc.integer({ min: 0, max: 20 }),
    extra: fc.integer({ min: 0, max: 600 }),
    partyRating: fc.constantFrom('mean' as const, 'max' as const),
    preferSimilarParties: fc.boolean(),
  })
  .map(({ extra, ...config }) => ({ ...config, windowMax: config.windowInitial + extra }));

/** The tickets of a match, both teams. */
export const ticketsOf = (match: FormedMatch): Ticket[] => [...match.home, ...match.away];

/** No ticket twice and none dropped: matched + remaining = pool, disjoint. */
export function expectPartition(pool: readonly Ticket[], result: MatchingResult): void {
  const used = [...result.matches.flatMap(ticketsOf), ...result.remaining].map((t) => t.ticketId);
  expect(new Set(used).size).toBe(used.length);
  expect([...used].sort()).toEqual(pool.map((t) => t.ticketId).sort());
}
