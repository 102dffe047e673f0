import { formMatch, toEntry } from './form-match.js';
import { compareIds, RatingList } from './rating-list.js';
import type { FormedMatch, MatchingConfig, MatchingResult, Ticket } from './types.js';
import { assertMatchingConfig, isMatchable } from './window.js';

/**
 * How many unused neighbours (by rating) a ticket looks at on each side before
 * it gives up for this pass. It bounds a pass to O(N log N) (the sort) plus
 * O(N * probes); a ticket that gives up is tried again on the next pass.
 */
const PROBES_PER_SIDE = 64;

/**
 * One matching pass. Rules (see the matching tests for each):
 * - tickets match only within their queue and region: tickets of different
 *   queues or regions are never in one match (tickets without a queue form
 *   their own group);
 * - a ticket's rating for the window is its party rating: the mean of its
 *   players' ratings, or the highest with partyRating 'max'; its window is
 *   +-currentWindow() rating points around that rating; in a match, every
 *   ticket's rating lies inside the window of every other ticket;
 * - the longest-waiting ticket is served first and picks the nearest (party)
 *   ratings;
 * - premade fairness (preferSimilarParties, default true): a party is matched
 *   first against a team with a party of the same size, i.e. both teams have
 *   the same party sizes ({2} vs {2}, {3,1,1} vs {3,1,1}, solos vs solos);
 *   only if no such match is within the windows (among the nearest tickets
 *   looked at) does it face other compositions, including solos;
 * - parties stay whole on one team;
 * - teams are split to minimise the difference of the teams' mean ratings (of
 *   their players, whatever the party rating), among the splits with the same
 *   party sizes on both teams when the match was formed for that;
 * - the same input gives the same output; matched + remaining = pool.
 * Tickets that can never match (empty, larger than a team, non-finite ratings)
 * stay in `remaining` for the caller to reject.
 */
export function findMatches(pool: readonly Ticket[], now: number, config: MatchingConfig): MatchingResult {
  assertMatchingConfig(config);
  const matchable = pool.filter((ticket) => isMatchable(ticket, config.teamSize));
  const matches = groupByQueueAndRegion(matchable).flatMap((group) => matchGroup(group, now, config));
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

/** Tickets grouped by (queue, region), groups in a fixed order so the pass does not depend on the pool's. */
function groupByQueueAndRegion(tickets: readonly Ticket[]): Ticket[][] {
  const groups = new Map<string, Ticket[]>();
  for (const ticket of tickets) {
    // null, not '', for "no queue": a queue named '' is a queue of its own.
    const key = JSON.stringify([ticket.queue ?? null, ticket.region]);
    const group = groups.get(key);
    if (group) group.push(ticket);
    else groups.set(key, [ticket]);
  }
  return [...groups.keys()].sort().map((key) => groups.get(key) as Ticket[]);
}

function matchGroup(tickets: readonly Ticket[], now: number, config: MatchingConfig): FormedMatch[] {
  const entries = tickets.map((ticket) => toEntry(ticket, now, config));
  const list = new RatingList(entries);
  const byWait = [...entries].sort(
    (a, b) => a.ticket.enqueuedAt - b.ticket.enqueuedAt || compareIds(a.ticket, b.ticket),
  );
  const matches: FormedMatch[] = [];
  for (const anchor of byWait) {
    if (!list.has(anchor.ticket)) continue;
    const split = formMatch(anchor, list.nearest(anchor, PROBES_PER_SIDE), config);
    if (!split) continue;
    for (const ticket of [...split.home, ...split.away]) list.remove(ticket);
    matches.push({ region: anchor.ticket.region, home: split.home, away: split.away });
  }
  return matches;
}
