import { findMatches, type Ticket } from '@matchmaking/core';
import type { TicketItem } from '../data/items.js';
import type { QueueStatsRepository } from '../data/queue-stats-repository.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import type { MatchStartQueue, PassReason } from '../ports.js';
import type { Queue } from '../queues/queue-config.js';
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
    queue,
    flushFigures: view.flushFigures ?? false,
    settings,
    pool: view.pool,
    left,
    over,
    handOver,
  };
  const summaries: PassSummary[] = [];
  for (const region of [...new Set(regions)].sort()) {
    if (over()) {
      summaries.push({ ...emptySummary(queue.name, region), cut: true });
      continue;
    }
    summaries.push(await passOverRegion(run, region));
  }
  const cut = summaries.filter((s) => s.cut).map((s) => s.region);
  if (cut.length > 0) {
    const now = deps.clock.now();
    await deps.queue.requestPass(
      { reason: 'continuation', queue: queue.name, regions: cut, requestedAt: now },
      `continuation:${queue.name}:${now}`,
    );
  }
  return summaries;
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

async function passOverRegion(run: PassRun, region: string): Promise<PassSummary> {
  const { deps, queue, pool } = run;
  const summary = emptySummary(queue.name, region);
  const now = deps.clock.now();
  // The rest of a backlog of timeouts waits for the next pass (MAX_EXPIRIES_PER_PASS).
  const due = pool
    .waiting(region)
    .filter((ticket) => hasExpired(ticket, queue, now))
    .slice(0, MAX_EXPIRIES_PER_PASS);
  if (due.length > 0) {
    const expired = new Set((await expireTickets(deps, queue, due, now)).map((ticket) => ticket.ticketId));
    summary.expired = expired.size;
    pool.drop(region, expired, now);
    // Not deleted: a match claimed it first, or it left; the view takes what the table says.
    const others = due.map((ticket) => ticket.ticketId).filter((id) => !expired.has(id));
    if (others.length > 0) await pool.refresh(deps, region, others);
  }
  const waits: number[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const conflicts = await matchOnce(run, region, summary, waits);
    // A lost claim means the view was stale for those tickets; it is fresh now, so match the rest again.
    if (conflicts === 0 || summary.cut) break;
    // Still losing claims after the last round (tickets changing under the pass): a continuation takes it on.
    if (round === MAX_ROUNDS - 1) summary.cut = true;
  }
  if (summary.recorded + summary.conflicts > 0) logger.info('pass done', { ...summary });
  await recordStats(run, region, summary.recorded, waits);
  return summary;
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

/** One round: form matches from the view, claim and record them in slices. Returns the lost claims. */
async function matchOnce(
  run: PassRun,
  region: string,
  summary: PassSummary,
  waits: number[],
): Promise<number> {
  const { deps, queue, settings, pool, left, over } = run;
  const now = deps.clock.now();
  // Tickets backing off after a capacity failure sit this pass out.
  const items = pool.waiting(region).filter((t) => (t.retryAt ?? 0) <= now);
  const byId = new Map(items.map((item) => [item.ticketId, item]));
  const { matches } = findMatches(items.map(toTicket), now, queue.matching);
  summary.waiting = Math.max(summary.waiting, items.length);
  let conflicts = 0;
  let next = 0;
  while (next < matches.length) {
    if (over()) {
      summary.cut = true;
      break;
    }
    const slice = matches.slice(next, next + Math.min(PARALLEL_RECORDS, left.matches));
    next += slice.length;
    const outcomes: RecordOutcome[] = await Promise.all(
      slice.map((formed) => recordMatch(deps, settings, formed, byId)),
    );
    const ticketsOf = (i: number) =>
      [...(slice[i]?.home ?? []), ...(slice[i]?.away ?? [])].map((t) => t.ticketId);
    // Claimed tickets leave the view; a lost claim re-reads its tickets (gone, or waiting with new counters).
    outcomes.forEach((o, i) => {
      if (o.kind !== 'conflict') pool.claimedBy(region, ticketsOf(i), now);
    });
    const lost = outcomes.flatMap((o, i) => (o.kind === 'conflict' ? ticketsOf(i) : []));
    if (lost.length > 0) await pool.refresh(deps, region, lost);
    const toStart = outcomes.flatMap((o) => (o.kind === 'conflict' ? [] : [o.matchId]));
    if (toStart.length > 0) await run.handOver(toStart);
    outcomes.forEach((o, i) => {
      if (o.kind !== 'recorded') return;
      for (const id of ticketsOf(i)) waits.push(now - (byId.get(id)?.enqueuedAt ?? now));
    });
    summary.recorded += outcomes.filter((o) => o.kind === 'recorded').length;
    const lostNow = outcomes.filter((o) => o.kind === 'conflict').length;
    conflicts += lostNow;
    summary.conflicts += lostNow;
    left.matches -= slice.length;
  }
  return conflicts;
}

/** A stored ticket as the matcher takes it. */
export function toTicket(item: TicketItem): Ticket {
  return {
    ticketId: item.ticketId,
    queue: item.queue,
    region: item.region,
    enqueuedAt: item.enqueuedAt,
    players: item.players.map((p) => ({ userId: p.userId, rating: p.rating, rd: p.rd })),
  };
}
