import type { TicketItem } from '../data/items.js';
import type { MatchmakerStateRepository } from '../data/matchmaker-state-repository.js';
import { newTicketId, type TicketsRepository } from '../data/tickets-repository.js';
import { PendingFigures } from '../queues/pending-figures.js';

/** How long the pool may go without a full read from the table, whatever the queue says. */
export const POOL_RESYNC_MS = 30_000;
/** How long the pool remembers a ticket version it saw claimed (a late join message must not bring it back). */
const CLAIMED_MEMORY_MS = 60_000;
/**
 * How far back each catch-up read starts before the previous one: a ticket's
 * id carries its join Lambda's clock, and it reaches the (eventually
 * consistent) index a little after; 2 s covers clock skew, the write and the
 * index's lag. A ticket later still comes with its queue message anyway.
 */
const CATCH_UP_OVERLAP_MS = 2_000;

export interface PoolDeps {
  tickets: Pick<TicketsRepository, 'listWaiting' | 'listWaitingSince' | 'get'>;
  state: Pick<MatchmakerStateRepository, 'advanceEpoch'>;
  clock: { now(): number };
}

/**
 * The matchmaker's view of the waiting tickets, kept in memory across
 * invocations: only one pass runs at a time (the single FIFO group), so it
 * can apply the queue changes the messages carry instead of reading the whole
 * pool every pass. It rebuilds itself from the table on a cold start, when
 * another instance of the function ran a pass in between (the pass epoch in
 * the table moved without it), and every POOL_RESYNC_MS, so a lost message
 * cannot keep the view wrong for long. The conditional claim stays the source
 * of truth: a stale view may cost a failed claim, never a double match.
 */
export class WaitingPool {
  /** `queue`: the queue (game mode) whose tickets this pool holds; its passes run on their own. */
  constructor(readonly queue: string) {}

  private readonly byRegion = new Map<string, Map<string, TicketItem>>();
  private epoch: number | undefined;
  private syncedAt = Number.NEGATIVE_INFINITY;
  /** `ticketId:attempts` -> when this instance saw that version claimed. */
  private readonly claimed = new Map<string, number>();
  /** Per region: the ticket id the next catch-up read starts after. */
  private readonly readFrom = new Map<string, string>();
  /** Ticket ids that left the queue -> when (a deleted ticket's id is never used again). */
  private readonly gone = new Map<string, number>();
  /** The queue's figures its passes have not written yet (see PendingFigures). */
  readonly figures = new PendingFigures();
  /** Full reads done (the benchmark and tests count them). */
  resyncs = 0;

  /**
   * Called at the start of every pass, before its changes are applied: takes
   * the next epoch, and rebuilds the regions from the table if this instance
   * missed a pass or the resync period is over; otherwise, when `catchUp`,
   * reads only the tickets that joined since the last read (so one pass
   * takes in every join so far, not only the ten its batch's messages carry).
   */
  async prepare(deps: PoolDeps, regions: readonly string[], catchUp = true): Promise<void> {
    const next = await deps.state.advanceEpoch(this.queue, this.epoch);
    const missedAPass = next === undefined;
    this.forgetClaimsBefore(deps.clock.now() - CLAIMED_MEMORY_MS);
    this.epoch = next ?? (await deps.state.advanceEpoch(this.queue, undefined));
    if (missedAPass || this.resyncDue(deps.clock.now())) {
      await this.resync(deps, regions);
      return;
    }
    await Promise.all(
      regions.map((region) => {
        if (!this.byRegion.has(region)) return this.resyncRegion(deps, region);
        return catchUp ? this.catchUp(deps, region) : undefined;
      }),
    );
  }

  resyncDue(now: number): boolean {
    return now - this.syncedAt >= POOL_RESYNC_MS;
  }

  /** True if the pool already has this version of the ticket, or saw it claimed: a message carrying it brings nothing new. */
  knows(ticket: TicketItem): boolean {
    const held = this.byRegion.get(ticket.region)?.get(ticket.ticketId);
    return (
      (held !== undefined && (held.attempts ?? 0) === (ticket.attempts ?? 0)) ||
      this.claimed.has(versionOf(ticket))
    );
  }

  /**
   * A ticket that is waiting (joined, or requeued with new counters). Messages
   * can arrive late and out of order: a version older than the one held, or
   * one this instance already saw claimed, is ignored (were it taken, the
   * claim at that version would fail anyway, at the cost of a conflict).
   */
  put(ticket: TicketItem): void {
    if (ticket.queue !== this.queue || this.gone.has(ticket.ticketId)) return;
    const tickets = this.regionOf(ticket.region);
    const held = tickets.get(ticket.ticketId);
    if (held && (held.attempts ?? 0) > (ticket.attempts ?? 0)) return;
    if (this.claimed.has(versionOf(ticket))) return;
    tickets.set(ticket.ticketId, ticket);
  }

  /** Tickets this pass claimed: they leave the view, and their versions are remembered for a while. */
  claimedBy(region: string, ticketIds: Iterable<string>, now: number): void {
    const tickets = this.byRegion.get(region);
    for (const id of ticketIds) {
      const ticket = tickets?.get(id);
      if (ticket) this.claimed.set(versionOf(ticket), now);
      tickets?.delete(id);
    }
  }

  /** True if the view holds this ticket as waiting. */
  holds(region: string, ticketId: string): boolean {
    return this.byRegion.get(region)?.has(ticketId) ?? false;
  }

  /**
   * Tickets that left the queue (timed out, or their players left): they
   * leave the view, and are remembered for a while, so a join message or an
   * index read that comes later cannot bring a deleted ticket back.
   */
  drop(region: string, ticketIds: Iterable<string>, now: number): void {
    for (const id of ticketIds) this.gone.set(id, now);
    this.remove(region, ticketIds);
  }

  private remove(region: string, ticketIds: Iterable<string>): void {
    const tickets = this.byRegion.get(region);
    for (const id of ticketIds) tickets?.delete(id);
  }

  /** Re-reads tickets whose claim failed: gone ones leave the view, waiting ones come back with their counters. */
  async refresh(deps: PoolDeps, region: string, ticketIds: readonly string[]): Promise<void> {
    const current = await Promise.all(
      ticketIds.map((ticketId) => deps.tickets.get({ queue: this.queue, region, ticketId })),
    );
    ticketIds.forEach((id, i) => {
      const ticket = current[i];
      if (ticket?.state === 'waiting') this.put(ticket);
      else this.remove(region, [id]);
    });
  }

  /** True if any ticket held was joined with latencies (it may be matched in another region than its own). */
  hasFlexible(): boolean {
    for (const tickets of this.byRegion.values())
      for (const ticket of tickets.values()) if (ticket.players.some((p) => p.latencies)) return true;
    return false;
  }

  waiting(region: string): TicketItem[] {
    return [...(this.byRegion.get(region)?.values() ?? [])];
  }

  private async resync(deps: PoolDeps, regions: readonly string[]): Promise<void> {
    this.byRegion.clear();
    this.figures.forgetReported();
    for (const region of regions) await this.resyncRegion(deps, region);
    this.syncedAt = deps.clock.now();
    this.resyncs += 1;
  }

  private async catchUp(deps: PoolDeps, region: string): Promise<void> {
    const from = this.readFrom.get(region) ?? '';
    const startedAt = deps.clock.now();
    for (const ticket of await deps.tickets.listWaitingSince({ queue: this.queue, region }, from))
      this.put(ticket);
    this.readFrom.set(region, newTicketId(Math.max(0, startedAt - CATCH_UP_OVERLAP_MS), ''));
  }

  private async resyncRegion(deps: PoolDeps, region: string): Promise<void> {
    this.readFrom.set(region, newTicketId(Math.max(0, deps.clock.now() - CATCH_UP_OVERLAP_MS), ''));
    const tickets = new Map<string, TicketItem>();
    // The waiting index is eventually consistent: a ticket this instance just claimed may still be listed.
    for (const ticket of await deps.tickets.listWaiting({ queue: this.queue, region })) {
      if (!this.claimed.has(versionOf(ticket)) && !this.gone.has(ticket.ticketId))
        tickets.set(ticket.ticketId, ticket);
    }
    this.byRegion.set(region, tickets);
  }

  private forgetClaimsBefore(cutoff: number): void {
    forgetBefore(this.claimed, cutoff);
    forgetBefore(this.gone, cutoff);
  }

  private regionOf(region: string): Map<string, TicketItem> {
    let tickets = this.byRegion.get(region);
    if (!tickets) {
      tickets = new Map();
      this.byRegion.set(region, tickets);
    }
    return tickets;
  }
}

function versionOf(ticket: Pick<TicketItem, 'ticketId' | 'attempts'>): string {
  return `${ticket.ticketId}:${ticket.attempts ?? 0}`;
}

/** Drops the entries seen before `cutoff` (Map order is insertion order, and insertions come in time order). */
function forgetBefore(seen: Map<string, number>, cutoff: number): void {
  for (const [key, at] of seen) {
    if (at >= cutoff) break;
    seen.delete(key);
  }
}
