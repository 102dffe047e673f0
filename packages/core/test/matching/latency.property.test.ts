import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMatches } from '../../src/matching/find-matches.js';
import type { FormedMatch, LatencyConfig, MatchingConfig, Ticket } from '../../src/matching/types.js';
import { currentWindow } from '../../src/matching/window.js';
import { configArbitrary, expectPartition, NOW, ticketsOf } from './arbitraries.js';

const REGIONS = ['ap-northeast-1', 'eu-west-1', 'us-east-1', 'us-west-2'];
const RUNS = { numRuns: 300, seed: 20261201 };

/** Mostly a latency limit (initial 0..150 ms, +0..30 ms every 1..10 s, up to +0..200 ms); sometimes none. */
const latencyArbitrary: fc.Arbitrary<LatencyConfig | undefined> = fc.option(
  fc
    .record({
      initialMs: fc.integer({ min: 0, max: 150 }),
      stepMs: fc.integer({ min: 0, max: 30 }),
      stepSeconds: fc.integer({ min: 1, max: 10 }),
      extra: fc.integer({ min: 0, max: 200 }),
    })
    .map(({ extra, ...latency }) => ({ ...latency, maxMs: latency.initialMs + extra })),
  { freq: 5, nil: undefined },
);

const configWithLatency: fc.Arbitrary<MatchingConfig> = fc
  .tuple(configArbitrary, latencyArbitrary)
  .map(([config, latency]) => (latency === undefined ? config : { ...config, latency }));

/**
 * A mixed pool: about a third fixed tickets (a region, no latencies), the
 * rest flexible, each member reporting each region with probability 4/5
 * (5..300 ms), so members of a party report different regions; parties of
 * 1..teamSize, ratings 1200..1800, waits 0..120 s.
 */
function mixedPool(teamSize: number, maxTickets = 80): fc.Arbitrary<Ticket[]> {
  const member = fc.array(fc.option(fc.integer({ min: 5, max: 300 }), { freq: 4, nil: undefined }), {
    minLength: REGIONS.length,
    maxLength: REGIONS.length,
  });
  const ticket = fc.record({
    fixed: fc.integer({ min: 0, max: 2 }).map((roll) => roll === 0),
    region: fc.constantFrom(...REGIONS),
    ratings: fc.array(fc.integer({ min: 1200, max: 1800 }), { minLength: 1, maxLength: teamSize }),
    pings: fc.array(member, { minLength: teamSize, maxLength: teamSize }),
    waitedSeconds: fc.integer({ min: 0, max: 120 }),
  });
  return fc.array(ticket, { maxLength: maxTickets }).map((raw) =>
    raw.map((t, i) => ({
      ticketId: `t${String(i).padStart(4, '0')}`,
      region: t.region,
      enqueuedAt: NOW - t.waitedSeconds * 1000,
      players: t.ratings.map((rating, j) => ({
        userId: `u${i}-${j}`,
        rating,
        rd: 100,
        ...(t.fixed ? {} : { latencies: latenciesOf(t.pings[j] ?? []) }),
      })),
    })),
  );
}

const latenciesOf = (pings: readonly (number | undefined)[]): Record<string, number> =>
  Object.fromEntries(
    REGIONS.flatMap((region, k) => (pings[k] === undefined ? [] : [[region, pings[k] as number]])),
  );

const scenario = configWithLatency.chain((config) =>
  fc.tuple(fc.constant(config), mixedPool(config.teamSize)),
);
/**
 * 1v1 and at most 60 tickets: the oldest ticket, the first anchor, is in a
 * match only if it formed one (a ticket compatible with it would have been
 * its own pick, and the probes reach every ticket).
 */
const duelScenario = configWithLatency.chain((config) =>
  fc.tuple(fc.constant({ ...config, teamSize: 1 }), mixedPool(1, 60)),
);

// The oracle, written out independently of the matcher.
const size = (tickets: readonly Ticket[]): number => tickets.reduce((n, t) => n + t.players.length, 0);
const isFlexible = (ticket: Ticket): boolean => ticket.players.some((p) => p.latencies !== undefined);
function maxLatency(ticket: Ticket, now: number, config: MatchingConfig): number {
  const limit = config.latency;
  if (!limit) return Number.POSITIVE_INFINITY;
  const steps = Math.floor((now - ticket.enqueuedAt) / 1000 / limit.stepSeconds);
  return Math.min(limit.maxMs, limit.initialMs + limit.stepMs * Math.max(0, steps));
}
/** Whether every member reported the region within the ticket's current maximum (fixed: its region). */
function feasible(ticket: Ticket, region: string, now: number, config: MatchingConfig): boolean {
  if (!isFlexible(ticket)) return ticket.region === region;
  const max = maxLatency(ticket, now, config);
  return ticket.players.every((p) => {
    const ms = p.latencies?.[region];
    return ms !== undefined && ms <= max;
  });
}
/** Worst and summed member latency of tickets in a region; fixed players count 0. */
function latencyIn(tickets: readonly Ticket[], region: string): { worst: number; total: number } {
  const pings = tickets.flatMap((t) =>
    t.players.map((p) => (isFlexible(t) ? (p.latencies?.[region] ?? 0) : 0)),
  );
  return { worst: Math.max(0, ...pings), total: pings.reduce((a, b) => a + b, 0) };
}
const partyRating = (ticket: Ticket, config: MatchingConfig): number => {
  const ratings = ticket.players.map((p) => p.rating);
  return config.partyRating === 'max'
    ? Math.max(...ratings)
    : ratings.reduce((a, b) => a + b, 0) / ratings.length;
};
/** Whether a ticket could be matched now at all: a region feasible for it. */
const placeable = (ticket: Ticket, config: MatchingConfig): boolean =>
  ticket.players.length >= 1 &&
  ticket.players.length <= config.teamSize &&
  (isFlexible(ticket) ? REGIONS : [ticket.region]).some((r) => feasible(ticket, r, NOW, config));
const byWait = (a: Ticket, b: Ticket): number =>
  a.enqueuedAt - b.enqueuedAt || (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0);

describe('findMatches properties with latencies (mixed fixed and flexible tickets)', () => {
  it('uses no ticket twice and drops none: matched + remaining = pool', () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        expectPartition(pool, findMatches(pool, NOW, config));
      }),
      RUNS,
    );
  });

  it('forms two full teams of teamSize players, every party whole on one team', () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        const byId = new Map(pool.map((t) => [t.ticketId, t]));
        for (const match of findMatches(pool, NOW, config).matches) {
          expect(size(match.home)).toBe(config.teamSize);
          expect(size(match.away)).toBe(config.teamSize);
          for (const ticket of ticketsOf(match)) expect(ticket).toEqual(byId.get(ticket.ticketId));
          const home = new Set(match.home.flatMap((t) => t.players.map((p) => p.userId)));
          for (const p of match.away.flatMap((t) => t.players)) expect(home.has(p.userId)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("plays every match in a region every member reported within their current maximum, fixed tickets' own", () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        for (const match of findMatches(pool, NOW, config).matches) {
          for (const ticket of ticketsOf(match)) {
            if (!isFlexible(ticket)) {
              expect(ticket.region).toBe(match.region);
              continue;
            }
            const max = maxLatency(ticket, NOW, config);
            for (const player of ticket.players) {
              expect(player.latencies).toHaveProperty([match.region]);
              expect(player.latencies?.[match.region]).toBeLessThanOrEqual(max);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('plays every match where its worst member latency is lowest among the regions feasible for all its tickets', () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        for (const match of findMatches(pool, NOW, config).matches) {
          const tickets = ticketsOf(match);
          const chosen = latencyIn(tickets, match.region);
          for (const region of REGIONS) {
            if (region === match.region || !tickets.every((t) => feasible(t, region, NOW, config))) continue;
            const other = latencyIn(tickets, region);
            // Lower worst, then lower mean (same players: total), then the name.
            expect(other.worst).toBeGreaterThanOrEqual(chosen.worst);
            if (other.worst === chosen.worst) expect(other.total).toBeGreaterThanOrEqual(chosen.total);
            if (other.worst === chosen.worst && other.total === chosen.total)
              expect(region > match.region).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('gives the oldest ticket the best of the matches it could form in each of its regions (1v1)', () => {
    fc.assert(
      fc.property(duelScenario, ([config, pool]) => {
        const oldest = pool.filter((t) => placeable(t, config)).sort(byWait)[0];
        if (!oldest) return;
        const byId = new Map(pool.map((t) => [t.ticketId, t]));
        const match = findMatches(pool, NOW, config).matches.find((m) => ticketsOf(m).includes(oldest));
        // Region by region: the tickets feasible there, as fixed tickets of it (the oldest is still first).
        for (const region of REGIONS) {
          if (!feasible(oldest, region, NOW, config)) continue;
          const here = pool
            .filter((t) => feasible(t, region, NOW, config))
            .map((t) => ({ ...t, region, players: t.players.map(({ latencies: _, ...p }) => p) }));
          const alone = findMatches(here, NOW, config).matches.find((m) =>
            ticketsOf(m).some((t) => t.ticketId === oldest.ticketId),
          );
          if (!alone) continue;
          // The oldest could be matched here: it is matched, in a match no worse than this one here.
          expect(match).toBeDefined();
          const there = ticketsOf(alone).map((t) => byId.get(t.ticketId) as Ticket);
          const chosen = latencyIn(ticketsOf(match as FormedMatch), (match as FormedMatch).region);
          expect(chosen.worst).toBeLessThanOrEqual(latencyIn(there, region).worst);
        }
      }),
      RUNS,
    );
  });

  it("puts every ticket's party rating inside every other member's current window", () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        for (const match of findMatches(pool, NOW, config).matches) {
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

  it('gives the same output for the same input, whatever the pool order and the order of the latencies', () => {
    fc.assert(
      fc.property(scenario, ([config, pool]) => {
        const first = findMatches(pool, NOW, config);
        expect(findMatches(pool, NOW, config)).toEqual(first);
        const ids = (matches: FormedMatch[]) =>
          matches.map((m) => [m.region, ...ticketsOf(m).map((t) => t.ticketId)]);
        const reordered = [...pool].reverse().map((t) => ({
          ...t,
          players: t.players.map((p) =>
            p.latencies ? { ...p, latencies: Object.fromEntries(Object.entries(p.latencies).reverse()) } : p,
          ),
        }));
        expect(ids(findMatches(reordered, NOW, config).matches)).toEqual(ids(first.matches));
      }),
      RUNS,
    );
  });

  it('matches fixed tickets alone region by region, as a pass over each region on its own', () => {
    fc.assert(
      fc.property(scenario, ([config, mixed]) => {
        const pool = mixed.filter((t) => !isFlexible(t));
        const byRegion = REGIONS.flatMap(
          (region) =>
            findMatches(
              pool.filter((t) => t.region === region),
              NOW,
              config,
            ).matches,
        );
        expect(findMatches(pool, NOW, config).matches).toEqual(byRegion);
      }),
      RUNS,
    );
  });
});

describe('disjoint good regions property', () => {
  it('two players, each good where the other is bad, meet only once both maxima reach the bad latency', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 59 }),
        fc.integer({ min: 61, max: 300 }),
        latencyArbitrary.filter((latency) => latency !== undefined),
        fc.integer({ min: 0, max: 600 }),
        (good, bad, latency, seconds) => {
          const config: MatchingConfig = {
            teamSize: 1,
            windowInitial: 0,
            windowGrowthPerSecond: 0,
            windowMax: 0,
            latency,
          };
          const player = (id: string, latencies: Record<string, number>): Ticket => ({
            ticketId: id,
            region: 'us-east-1',
            enqueuedAt: NOW,
            players: [{ userId: id, rating: 1500, rd: 100, latencies }],
          });
          const pool = [
            player('a', { 'us-east-1': good, 'eu-west-1': bad }),
            player('b', { 'us-east-1': bad, 'eu-west-1': good }),
          ];
          const at = NOW + seconds * 1000;
          const { matches } = findMatches(pool, at, config);
          const reached = maxLatency(pool[0] as Ticket, at, config) >= bad;
          expect(matches).toHaveLength(reached ? 1 : 0);
          // Both regions are equal (worst bad, same mean): the name decides.
          if (reached) expect(matches[0]?.region).toBe('eu-west-1');
        },
      ),
      RUNS,
    );
  });
});
