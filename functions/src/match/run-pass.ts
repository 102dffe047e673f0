import { findMatches, type Ticket } from '@matchmaking/core';
import type { TicketItem } from '../data/items.js';
import type { QueueStatsRepository } from '../data/queue-stats-repository.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import type { MatchmakingMetrics } from '../metrics/matchmaking-metrics.js';
import type { MatchStartQueue, PassReason } from '../ports.js';
import type { Queue } from '../queues/queue-config.js';
import { servedLatencies } from '../regions/served-latencies.js';
import { createLogger } from '../runtime/logger.js';
import { expireTickets, hasExpired, MAX_EXPIRIES_PER_PASS } from './expire-tickets.js';
import { type RecordOutcome, type RecordSettings, recordMatch } from './record-match.js';
import type { PoolDeps, WaitingPool } from './waiting-pool.js';

const logger = createLogger('matchmaking-pass');
/** Matches recorded at once within a pass (each is a few conditional writes; they share no ticket). */
const PARALLEL_RECORDS = 32;

/** How much one pass may do before it hands the rest to a continuation (well under the function timeout). */
export interface PassBudget {
  maxMatches: number;
  maxMilliseconds: number;
}

export interface PassDeps
  extends Pick<
    LifecycleDeps,
    'tickets' | 'matches' | 'clock' | 'queue' | 'players' | 'notifier' | 'connections'
  > {
  state: PoolDeps['state'];
  starts: MatchStartQueue;
  stats: Pick<QueueStatsRepository, 'setWaiting' | 'addMatches'>;
  metrics: Pick<MatchmakingMetrics, 'matchCreated' | 'timeToMatch' | 'passDuration' | 'flush'>;
}

/** The pool the pass matches from, the regions it keeps, and the waiting tickets this batch's messages carry. */
export interface PassView {
  pool: WaitingPool;
  served: readonly string[];
  changes: readonly TicketItem[];
  /** Tickets that left the queue (their players left, disconnected, or the party changed). */
  left?: readonly { region: string; ticketId: string }[];
  /**
   * Matches this instance recorded but could not hand to the starter (the
   * pass failed there; its batch comes back): handed over first by the next
   * pass. Kept with the pool, across invocations. Were the instance gone, the
   * match's ready deadline cancels it and requeues its players.
   */
  unstarted?: Set<string>;
  /** Write the queue's figures now, whatever their age (a tick's pass). */
  flushFigures?: boolean;
  /** Every message of the batch was a queue change (a join or a requeue): nothing asked for a pass as such. */
  onlyChanges?: boolean;
  /**
   * Read the tickets that joined since the last read (default true). The
   * matchmaker does when the queue is behind (a full batch) or for a tick:
   * otherwise the batch's messages carry every join there is.
   */
  catchUp?: boolean;
}

/**
 * What a batch's messages say about its pass: `onlyChanges` if every one is a
 * queue change (a join or a requeue), and `catchUp` (read what joined since
 * the last read) when the batch is full, so more messages wait behind it, or
 * when anything asked for a pass as such (a tick, a continuation...).
 */
export function batchHints(
  reasons: readonly PassReason[],
  batchSize: number,
): Pick<PassView, 'onlyChanges' | 'catchUp' | 'flushFigures'> {
  const onlyChanges = reasons.every(
    (reason) => reason === 'joined' || reason === 'requeued' || reason === 'left',
  );
  return {
    onlyChanges,
    catchUp: !onlyChanges || reasons.length >= batchSize,
    flushFigures: reasons.includes('tick'),
  };
}

/** What every region of one pass shares. */
interface PassRun {
  deps: PassDeps;
  /** The regions the deployment serves. */
  served: readonly string[];
  queue: Queue;
  settings: RecordSettings;
  pool: WaitingPool;
  left: { matches: number };
  over: () => boolean;
  handOver: (matchIds: readonly string[]) => Promise<void>;
  /** Write the queue's figures whatever their age (a tick's pass). */
  flushFigures: boolean;
}

export interface PassSummary {
  queue: string;
  region: string;
  waiting: number;
  recorded: number;
  /** Tickets taken out after the queue's longest wait (queueTimeout). */
  expired: number;
  conflicts: number;
  /** True if the budget ran out, or claims kept being lost, before every match was made (a continuation was asked for). */
  cut: boolean;
}

/**
 * One matchmaking pass, the serial section: bring the in-memory pool up to
 * date (the batch's changes; a full read only when due), then per region form
 * matches with the core engine, claim and record each, and hand the recorded
 * ones to the match starter. It never waits on RunTask or on
 * players' connections. Past its budget it stops and asks for a continuation,
 * so a burst of any size never reaches the function timeout.
 */
export async function runMatchmakingPass(
  deps: PassDeps,
  queue: Queue,
  settings: RecordSettings,
  budget: PassBudget,
  regions: readonly string[],
  view: PassView,
): Promise<PassSummary[]> {
  const startedAt = deps.clock.now();
  if (nothingNew(view, startedAt)) return [];
  await view.pool.prepare(deps, view.served, view.catchUp ?? true);
  for (const ticket of view.changes) view.pool.put(ticket);
  for (const gone of view.left ?? []) view.pool.drop(gone.region, [gone.ticketId], startedAt);
  const unstarted = view.unstarted ?? new Set<string>();
  const handOver = async (matchIds: readonly string[]) => {
    for (const id of matchIds) unstarted.add(id);
    const pending = [...unstarted];
    // The start queue deduplicates by match id, so handing one over twice is harmless.
    await deps.starts.requestStarts(pending);
    for (const id of pending) unstarted.delete(id);
  };
  if (unstarted.size > 0) await handOver([]);
  const left = { matches: budget.maxMatches };
  const over = () => left.matches <= 0 || deps.clock.now() - startedAt >= budget.maxMilliseconds;
  const run: PassRun = {
    deps,
    served: view.served,
    queue,
    flushFigures: view.flushFigures ?? false,
    settings,
    pool: view.pool,
    left,
    over,
    handOver,
  };
  const requested = [...new Set(regions)].sort();
  // A ticket joined with latencies may be matched in any region it reported: with one in the pool,
  // every region's tickets may meet it. Without, a region's tickets only meet each other.
  const matchRegions = view.pool.hasFlexible()
    ? [...new Set([...view.served, ...requested])].sort()
    : requested;
  const summaries = new Map(matchRegions.map((region) => [region, emptySummary(queue.name, region)]));
  for (const region of requested) await expireDue(run, region, summaries.get(region) as PassSummary);
  const waits = new Map<string, number[]>();
  if (over()) for (const summary of summaries.values()) summary.cut = true;
  else await matchRounds(run, matchRegions, summaries, waits);
  for (const summary of summaries.values()) {
    if (summary.recorded + summary.conflicts > 0) logger.info('pass done', { ...summary });
    await recordStats(run, summary.region, summary.recorded, waits.get(summary.region) ?? []);
  }
  const cut = [...summaries.values()].filter((s) => s.cut).map((s) => s.region);
  if (cut.length > 0) {
    const now = deps.clock.now();
    await deps.queue.requestPass(
      { reason: 'continuation', queue: queue.name, regions: cut, requestedAt: now },
      `continuation:${queue.name}:${now}`,
    );
  }
  deps.metrics.passDuration(deps.clock.now() - startedAt);
  return [...summaries.values()];
}

/**
 * A batch of join messages whose tickets an earlier pass already took in
 * (its catch-up read saw them, or claimed them) brings nothing new: under a
 * burst most batches are such, and skipping them (no epoch write, no read)
 * keeps the serial section on the passes that match. A tick or a
 * continuation always runs (rating windows widen with time).
 */
function nothingNew(view: PassView, now: number): boolean {
  return (
    view.onlyChanges === true &&
    (view.unstarted?.size ?? 0) === 0 &&
    !view.pool.resyncDue(now) &&
    view.changes.every((ticket) => view.pool.knows(ticket)) &&
    (view.left ?? []).every((gone) => !view.pool.holds(gone.region, gone.ticketId))
  );
}

function emptySummary(queue: string, region: string): PassSummary {
  return { queue, region, waiting: 0, recorded: 0, expired: 0, conflicts: 0, cut: false };
}

/** Rounds of matching per region in one pass: a round with lost claims re-forms from the refreshed view. */
const MAX_ROUNDS = 4;

/** Takes out the region's tickets past the queue's longest wait (at most MAX_EXPIRIES_PER_PASS; the rest next pass). */
async function expireDue(run: PassRun, region: string, summary: PassSummary): Promise<void> {
  const { deps, queue, pool } = run;
  const now = deps.clock.now();
  const due = pool
    .waiting(region)
    .filter((ticket) => hasExpired(ticket, queue, now))
    .slice(0, MAX_EXPIRIES_PER_PASS);
  if (due.length === 0) return;
  const expired = new Set((await expireTickets(deps, queue, due, now)).map((ticket) => ticket.ticketId));
  summary.expired = expired.size;
  pool.drop(region, expired, now);
  // Not deleted: a match claimed it first, or it left; the view takes what the table says.
  const others = due.map((ticket) => ticket.ticketId).filter((id) => !expired.has(id));
  if (others.length > 0) await pool.refresh(deps, region, others);
}

/** Rounds of matching: a round with lost claims re-forms from the refreshed view. */
async function matchRounds(
  run: PassRun,
  regions: readonly string[],
  summaries: ReadonlyMap<string, PassSummary>,
  waits: Map<string, number[]>,
): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const conflicts = await matchOnce(run, regions, summaries, waits);
    const cut = [...summaries.values()].some((summary) => summary.cut);
    if (conflicts === 0 || cut) return;
  }
  // Still losing claims after the last round (tickets changing under the pass): a continuation takes it on.
  for (const summary of summaries.values()) summary.cut = true;
}

/**
 * The pool's figures for listQueues, getQueueStats and the wait estimate:
 * the matches this pass formed with their tickets' waits, and the players
 * still waiting, written when due (see PendingFigures).
 */
async function recordStats(run: PassRun, region: string, recorded: number, waits: number[]): Promise<void> {
  const { deps, queue, pool } = run;
  const now = deps.clock.now();
  pool.figures.add(region, recorded, waits);
  const waiting = pool.waiting(region);
  const players = waiting.reduce((sum, ticket) => sum + ticket.players.length, 0);
  const figures = pool.figures.take(region, players, waiting.length, now, run.flushFigures);
  if (!figures) return;
  const ref = { queue: queue.name, region };
  try {
    await Promise.all([
      deps.stats.addMatches(ref, figures.matches, figures.waits, now),
      figures.waiting
        ? deps.stats.setWaiting(ref, figures.waiting.players, figures.waiting.tickets, now)
        : undefined,
    ]);
  } catch (error) {
    // Figures must never fail a pass (its batch would come back): they go with the next write.
    pool.figures.putBack(region, figures);
    logger.warn('queue figures not written', { queue: queue.name, region, error });
  }
}

/**
 * One round: form matches from the view of `regions` (a flexible ticket
 * meets tickets of every region it reported), claim and record them in
 * slices. A match counts in the region it is played in. Returns the lost claims.
 */
async function matchOnce(
  run: PassRun,
  regions: readonly string[],
  summaries: ReadonlyMap<string, PassSummary>,
  waits: Map<string, number[]>,
): Promise<number> {
  const { deps, queue, settings, pool, left, over } = run;
  const now = deps.clock.now();
  // Tickets backing off after a capacity failure sit this pass out.
  const items = regions.flatMap((region) => {
    const ready = pool.waiting(region).filter((t) => (t.retryAt ?? 0) <= now);
    const summary = summaries.get(region) as PassSummary;
    summary.waiting = Math.max(summary.waiting, ready.length);
    return ready;
  });
  const byId = new Map(items.map((item) => [item.ticketId, item]));
  const served = new Set(run.served);
  const { matches } = findMatches(
    items.map((item) => toTicket(item, served)),
    now,
    queue.matching,
  );
  let conflicts = 0;
  let next = 0;
  while (next < matches.length) {
    if (over()) {
      for (const summary of summaries.values()) summary.cut = true;
      break;
    }
    const slice = matches.slice(next, next + Math.min(PARALLEL_RECORDS, left.matches));
    next += slice.length;
    const outcomes: RecordOutcome[] = await Promise.all(
      slice.map((formed) => recordMatch(deps, settings, formed, byId, queue)),
    );
    const ticketsOf = (i: number) =>
      [...(slice[i]?.home ?? []), ...(slice[i]?.away ?? [])].map((t) => byId.get(t.ticketId) as TicketItem);
    // Counted and published as soon as they are recorded: a pass that fails below (its batch comes back)
    // re-runs with these tickets claimed and counts nothing.
    outcomes.forEach((o, i) => {
      if (o.kind !== 'recorded') return;
      const region = slice[i]?.region as string;
      deps.metrics.matchCreated(queue.name, region);
      for (const ticket of ticketsOf(i))
        deps.metrics.timeToMatch(queue.name, region, (now - ticket.enqueuedAt) / 1000);
    });
    if (outcomes.some((o) => o.kind === 'recorded')) deps.metrics.flush();
    // Claimed tickets leave the view; a lost claim re-reads its tickets (gone, or waiting with new counters).
    const claimed = outcomes.flatMap((o, i) => (o.kind === 'conflict' ? [] : ticketsOf(i)));
    for (const [region, ids] of byRegion(claimed)) pool.claimedBy(region, ids, now);
    const lost = outcomes.flatMap((o, i) => (o.kind === 'conflict' ? ticketsOf(i) : []));
    await Promise.all([...byRegion(lost)].map(([region, ids]) => pool.refresh(deps, region, ids)));
    const toStart = outcomes.flatMap((o) => (o.kind === 'conflict' ? [] : [o.matchId]));
    if (toStart.length > 0) await run.handOver(toStart);
    outcomes.forEach((o, i) => {
      const region = slice[i]?.region as string;
      const summary = summaries.get(region) as PassSummary;
      if (o.kind === 'conflict') {
        conflicts += 1;
        summary.conflicts += 1;
        return;
      }
      if (o.kind !== 'recorded') return;
      summary.recorded += 1;
      const here = waits.get(region) ?? [];
      for (const ticket of ticketsOf(i)) here.push(now - ticket.enqueuedAt);
      waits.set(region, here);
    });
    left.matches -= slice.length;
  }
  return conflicts;
}

/** Ticket ids by the region they are stored in (a flexible ticket's may differ from its match's). */
function byRegion(tickets: readonly TicketItem[]): Map<string, string[]> {
  const ids = new Map<string, string[]>();
  for (const ticket of tickets) ids.set(ticket.region, [...(ids.get(ticket.region) ?? []), ticket.ticketId]);
  return ids;
}

/** A stored ticket as the matcher takes it: latencies to `served` regions only (a region no longer served is never chosen). */
export function toTicket(item: TicketItem, served?: ReadonlySet<string>): Ticket {
  return {
    ticketId: item.ticketId,
    queue: item.queue,
    region: item.region,
    enqueuedAt: item.enqueuedAt,
    players: item.players.map((p) => ({
      userId: p.userId,
      rating: p.rating,
      rd: p.rd,
      ...(p.latencies ? { latencies: served ? servedLatencies(p.latencies, served) : p.latencies } : {}),
    })),
  };
}
