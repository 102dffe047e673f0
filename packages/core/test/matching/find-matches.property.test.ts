import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMatches } from '../../src/matching/find-matches.js';
import type { MatchingConfig, Ticket } from '../../src/matching/types.js';
import { currentWindow } from '../../src/matching/window.js';
import { configArbitrary, expectPartition, NOW, poolArbitrary, ticketsOf } from './arbitraries.js';

const scenario = configArbitrary.chain((config) =>
  fc.tuple(fc.constant(config), poolArbitrary(config.teamSize)),
);
const RUNS = { numRuns: 300, seed: 20261124 };
const size = (tickets: Ticket[]): number => tickets.reduce((n, t) => n + t.players.length, 0);
/** The oracle's party rating, written out independently of the matcher's. */
const partyRating = (ticket: Ticket, config: MatchingConfig): number => {
  const ratings = ticket.players.map((p) => p.rating);
  return config.partyRating === 'max'
    ? Math.max(...ratings)
    : ratings.reduce((a, b) => a + b, 0) / ratings.length;
};

describe('findMatches properties', () => {
  it('uses no ticket twice and drops none: matched + remaining = pool', () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        expectPartition(pool, findMatches(pool, NOW, config));
      }),
      RUNS,
    );
  });

  it('forms two full teams of teamSize players, parties whole, one region per match', () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        for (const match of findMatches(pool, NOW, config).matches) {
          expect(size(match.home)).toBe(config.teamSize);
          expect(size(match.away)).toBe(config.teamSize);
          for (const ticket of ticketsOf(match)) {
            expect(ticket.region).toBe(match.region);
            const original = pool.find((t) => t.ticketId === ticket.ticketId);
            expect(ticket.players).toEqual(original?.players);
          }
        }
      }),
      RUNS,
    );
  });

  it("puts every ticket's party rating inside every other member's current window", () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        for (const match of findMatches(pool, NOW, config).matches) {
          const tickets = ticketsOf(match);
          for (const member of tickets) {
            const window = currentWindow(member, NOW, config);
            for (const other of tickets) {
              const gap = Math.abs(partyRating(other, config) - partyRating(member, config));
              expect(gap).toBeLessThanOrEqual(window + 1e-9);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('gives the same output for the same input, whatever the pool order', () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        const first = findMatches(pool, NOW, config);
        expect(findMatches(pool, NOW, config)).toEqual(first);
        const shuffledIds = findMatches([...pool].reverse(), NOW, config).matches.map((m) =>
          ticketsOf(m).map((t) => t.ticketId),
        );
        expect(shuffledIds).toEqual(first.matches.map((m) => ticketsOf(m).map((t) => t.ticketId)));
      }),
      RUNS,
    );
  });

  it('serves the longest-waiting ticket first when it can be matched', () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        const { matches } = findMatches(pool, NOW, config);
        const first = matches[0];
        if (!first) return;
        const oldest = [...pool]
          .filter((t) => t.region === first.region)
          .sort((a, b) => a.enqueuedAt - b.enqueuedAt || a.ticketId.localeCompare(b.ticketId))[0];
        const matchedIds = matches.flatMap(ticketsOf).map((t) => t.ticketId);
        // The oldest ticket of the first matched region is either matched or could not be.
        const alone = findMatches(
          pool.filter((t) => t.region === first.region),
          NOW,
          config,
        );
        const oldestMatchable = alone.matches.some((m) =>
          ticketsOf(m).some((t) => t.ticketId === oldest?.ticketId),
        );
        if (oldestMatchable) expect(matchedIds).toContain(oldest?.ticketId);
      }),
      RUNS,
    );
  });

  it('matches players who are too far apart now once they have waited long enough', () => {
    fc.assert(
      fc.property(fc.integer({ min: 101, max: 500 }), fc.integer({ min: 1, max: 4 }), (gap, teamSize) => {
        const config: MatchingConfig = {
          teamSize,
          windowInitial: 100,
          windowGrowthPerSecond: 10,
          windowMax: 600,
        };
        const pool: Ticket[] = Array.from({ length: 2 * teamSize }, (_, i) => ({
          ticketId: `t${i}`,
          region: 'eu-west-1',
          enqueuedAt: NOW,
          players: [{ userId: `u${i}`, rating: 1500 + (i % 2) * gap, rd: 100 }],
        }));
        expect(findMatches(pool, NOW, config).matches).toHaveLength(0);
        const later = NOW + Math.ceil((gap - 100) / 10) * 1000;
        expect(findMatches(pool, later, config).matches).toHaveLength(1);
      }),
      RUNS,
    );
  });
});
