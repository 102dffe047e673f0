import { type Entry, formMatch, toEntry } from './form-match.js';
import { feasibleRegions, isFlexible, latencyOrder, type RegionLatency } from './latency.js';
import { compareIds, RatingList } from './rating-list.js';
import type { TeamSplit } from './team-split.js';
import type { FormedMatch, MatchingConfig, MatchingResult, Ticket } from './types.js';
import { assertMatchingConfig, isMatchable } from './window.js';

/**
 * How many unused neighbours (by rating) a ticket looks at on each side, in
 * each region it tries, before it gives up for this pass. It bounds a pass to
 * O(N log N) (the sort) plus O(N * R * probes) for R regions; a ticket that
 * gives up is tried again on the next pass.
 */
const PROBES_PER_SIDE = 64;

/**
 * One matching pass. Rules (see the matching tests for each):
 * - tickets match only within their queue (tickets without a queue form
 *   their own group) and in one region: a ticket without latencies only in
 *   its `region` (fixed tickets of different regions never meet); a flexible
 *   ticket (its players carry latencies) in any region every member reported
 *   within their current maximum latency (currentMaxLatency), whatever its
 *   `region`; a match is formed only in a region feasible for all its
 *   tickets;
 * - regions by latency: around the anchor, a match is grown in each of its
 *   feasible regions, and the match played where its worst member latency is
 *   lowest is kept (ties: the lower mean member latency, then the region
 *   name); players of fixed tickets count 0 ms (they have no measurement);
 *   the match is played in the best region feasible for all its tickets;
 * - a ticket's rating for the window is its party rating: the mean of its
 *   players' ratings, or the highest with partyRating 'max'; its window is
 *   +-currentWindow() rating points around that rating; in a match, every
 *   ticket's rating lies inside the window of every other ticket;
 * - the longest-waiting ticket (of the queue, whatever its region) is served
 *   first and picks the nearest (party) ratings;
 * - premade fairness (preferSimilarParties, default true): a party is matched
 *   first against a team with a party of the same size, i.e. both teams have
 *   the same party sizes ({2} vs {2}, {3,1,1} vs {3,1,1}, solos vs solos);
 *   only if no such match is within the windows (among the nearest tickets
 *   looked at) does it face other compositions, including solos;
 * - parties stay whole on one team;
 * - teams are split to minimise the difference of the teams' mean ratings (of
 *   their players, whatever the party rating), among the splits with the same
 *   party sizes on both teams when the match was formed for that;
 * - the same input gives the same output; matched + remaining = pool;
 *   matches come ordered by (queue, region), each in the order formed.
 * Tickets that can never match (empty, larger than a team, non-finite
 * ratings, flexible with no region every member reported) stay in
 * `remaining` for the caller to reject. Cost: O(N log N + N * R * probes)
 * for R regions.
 */
export function findMatches(pool: readonly Ticket[], now: number, config: MatchingConfig): MatchingResult {
  assertMatchingConfig(config);
  const matchable = pool.filter((ticket) => isMatchable(ticket, config.teamSize));
  const matches = byQueueAndRegion(
    groupByQueue(matchable).flatMap((group) => matchQueue(group, now, config)),
  );
  return { matches, remaining: unmatched(pool, matches) };
}

/**
 * One matching pass over several queues: each queue's tickets are matched
 * with that queue's config (as findMatches, queue by queue in name order).
 * Tickets without a queue, or whose queue is not in `queues`, stay in
 * `remaining`. Throws a RangeError naming the queue and the field when a
 * queue's config is bad.
 */
export function findMatchesByQueue(
  pool: readonly Ticket[],
  now: number,
  queues: Readonly<Record<string, MatchingConfig>>,
): MatchingResult {
  const names = Object.keys(queues).sort();
  for (const name of names) assertQueueConfig(name, queues[name] as MatchingConfig);
  const byQueue = new Map<string, Ticket[]>(names.map((name) => [name, []]));
  for (const ticket of pool) {
    if (ticket.queue !== undefined) byQueue.get(ticket.queue)?.push(ticket);
  }
  const matches = names.flatMap(
    (name) => findMatches(byQueue.get(name) ?? [], now, queues[name] as MatchingConfig).matches,
  );
  return { matches, remaining: unmatched(pool, matches) };
}

function assertQueueConfig(name: string, config: MatchingConfig): void {
  try {
    assertMatchingConfig(config);
  } catch (error) {
    throw new RangeError(`queue ${name}: ${(error as Error).message}`, { cause: error });
  }
}

/** The pool's tickets in no match, in pool order. */
function unmatched(pool: readonly Ticket[], matches: readonly FormedMatch[]): Ticket[] {
  const used = new Set(matches.flatMap((match) => [...match.home, ...match.away]));
  return pool.filter((ticket) => !used.has(ticket));
}

/** Tickets grouped by queue, groups in a fixed order so the pass does not depend on the pool's. */
function groupByQueue(tickets: readonly Ticket[]): Ticket[][] {
  const groups = new Map<string, Ticket[]>();
  for (const ticket of tickets) {
    // null, not '', for "no queue": a queue named '' is a queue of its own.
    const key = JSON.stringify([ticket.queue ?? null]);
    const group = groups.get(key);
    if (group) group.push(ticket);
    else groups.set(key, [ticket]);
  }
  return [...groups.keys()].sort().map((key) => groups.get(key) as Ticket[]);
}

/**
 * The matches ordered by (queue, region), each (queue, region) in the order
 * its matches were formed: for tickets without latencies, the order of a pass
 * over each (queue, region) in turn.
 */
function byQueueAndRegion(matches: readonly FormedMatch[]): FormedMatch[] {
  const keyed = matches.map((match) => ({
    match,
    key: JSON.stringify([match.home[0]?.queue ?? null, match.region]),
  }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ match }) => match);
}

/** An entry with the regions its ticket may be matched in now (by name). */
interface Placed extends Entry {
  regions: RegionLatency[];
}

/** A formed match and where it is best played, with its latency there. */
interface Candidate {
  split: TeamSplit;
  region: RegionLatency;
}

/** The flexible tickets' entries; a ticket not in it is fixed to its region (0 ms there). */
type Flexible = ReadonlyMap<Ticket, Placed>;

/**
 * One queue's pass. Each region has a rating list of the tickets that may be
 * matched there now (a flexible ticket is in each of its feasible regions, a
 * fixed ticket in its region only); a matched ticket leaves every list. The
 * longest-waiting ticket first: around it, a match is grown in each of its
 * feasible regions from that region's list, and the match with the best
 * region (latencyOrder) is kept.
 */
function matchQueue(tickets: readonly Ticket[], now: number, config: MatchingConfig): FormedMatch[] {
  const entries: Placed[] = [];
  const flexible = new Map<Ticket, Placed>();
  for (const ticket of tickets) {
    const { rating, window } = toEntry(ticket, now, config);
    const entry = { ticket, rating, window, regions: feasibleRegions(ticket, now, config) };
    entries.push(entry);
    if (isFlexible(ticket)) flexible.set(ticket, entry);
  }
  const lists = regionLists(entries);
  const byWait = entries.sort(
    (a, b) => a.ticket.enqueuedAt - b.ticket.enqueuedAt || compareIds(a.ticket, b.ticket),
  );
  const matches: FormedMatch[] = [];
  for (const anchor of byWait) {
    // A matched ticket has left every list; one with no feasible region has nothing to try.
    const first = anchor.regions[0];
    if (!first || !lists.get(first.region)?.has(anchor.ticket)) continue;
    const best = bestMatch(anchor, lists, flexible, config);
    if (!best) continue;
    for (const ticket of [...best.split.home, ...best.split.away]) {
      const regions = flexible.get(ticket)?.regions;
      if (!regions) lists.get(ticket.region)?.remove(ticket);
      else for (const { region } of regions) lists.get(region)?.remove(ticket);
    }
    matches.push({ region: best.region.region, home: best.split.home, away: best.split.away });
  }
  return matches;
}

/** Per region, a rating list of the entries feasible there. */
function regionLists(entries: readonly Placed[]): Map<string, RatingList<Placed>> {
  const byRegion = new Map<string, Placed[]>();
  for (const entry of entries) {
    for (const { region } of entry.regions) {
      const list = byRegion.get(region);
      if (list) list.push(entry);
      else byRegion.set(region, [entry]);
    }
  }
  return new Map([...byRegion].map(([region, list]) => [region, new RatingList(list)]));
}

/**
 * The match around the anchor in each of its feasible regions (the existing
 * growth, both phases, from that region's list), each placed in its best
 * region among those feasible for all its tickets; the best of them by
 * latencyOrder (ties: the first, regions by name).
 */
function bestMatch(
  anchor: Placed,
  lists: ReadonlyMap<string, RatingList<Placed>>,
  flexible: Flexible,
  config: MatchingConfig,
): Candidate | undefined {
  let best: Candidate | undefined;
  for (const here of anchor.regions) {
    const list = lists.get(here.region) as RatingList<Placed>;
    const split = formMatch(anchor, list.nearest(anchor, PROBES_PER_SIDE), config);
    if (!split) continue;
    // An anchor with one region (a fixed one, say): its match is played there.
    const region = anchor.regions.length === 1 ? here : bestRegion(anchor, split, flexible);
    if (!best || latencyOrder(region, best.region) < 0) best = { split, region };
  }
  return best;
}

/**
 * The best region for a match's tickets among the anchor's feasible regions
 * that are feasible for every ticket (the region the match was grown in is
 * one), by latencyOrder.
 */
function bestRegion(anchor: Placed, split: TeamSplit, flexible: Flexible): RegionLatency {
  const members = [...split.home, ...split.away];
  let best: RegionLatency | undefined;
  for (const { region } of anchor.regions) {
    let worstMs = 0;
    let totalMs = 0;
    let everyone = true;
    for (const ticket of members) {
      const regions = flexible.get(ticket)?.regions;
      // A fixed ticket plays in its region only, at 0 ms (no measurement).
      const there = regions
        ? regions.find((r) => r.region === region)
        : ticket.region === region
          ? ZERO
          : undefined;
      if (!there) {
        everyone = false;
        break;
      }
      worstMs = Math.max(worstMs, there.worstMs);
      totalMs += there.totalMs;
    }
    const candidate = { region, worstMs, totalMs };
    if (everyone && (!best || latencyOrder(candidate, best) < 0)) best = candidate;
  }
  return best as RegionLatency;
}

const ZERO = { worstMs: 0, totalMs: 0 };
