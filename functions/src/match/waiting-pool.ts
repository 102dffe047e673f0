import type { TicketItem } from '../data/items.js';
import type { MatchmakerStateRepository } from '../data/matchmaker-state-repository.js';
import type { TicketsRepository } from '../data/tickets-repository.js';

/** How long the pool may go without a full read from the table, whatever the queue says. */
export const POOL_RESYNC_MS = 30_000;

export interface PoolDeps {
  tickets: Pick<TicketsRepository, 'listWaiting' | 'get'>;
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
  private readonly byRegion = new Map<string, Map<string, TicketItem>>();
  private epoch: number | undefined;
  private syncedAt = Number.NEGATIVE_INFINITY;
  /** Full reads done (the benchmark and tests count them). */
  resyncs = 0;

  /**
   * Called at the start of every pass, before its changes are applied: takes
   * the next epoch, and rebuilds the regions from the table if this instance
   * missed a pass or the resync period is over.
   */
  async prepare(deps: PoolDeps, regions: readonly string[]): Promise<void> {
    const next = await deps.state.advanceEpoch(this.epoch);
    const missedAPass = next === undefined;
    this.epoch = next ?? (await deps.state.advanceEpoch(undefined));
    if (missedAPass || deps.clock.now() - this.syncedAt >= POOL_RESYNC_MS) {
      await this.resync(deps, regions);
    } else {
      for (const region of regions) if (!this.byRegion.has(region)) await this.resyncRegion(deps, region);
    }
  }

  /** A ticket that is waiting (joined, or requeued with new counters). */
  put(ticket: TicketItem): void {
    this.regionOf(ticket.region).set(ticket.ticketId, ticket);
  }

  remove(region: string, ticketIds: Iterable<string>): void {
    const tickets = this.byRegion.get(region);
    for (const id of ticketIds) tickets?.delete(id);
  }

  /** Re-reads tickets whose claim failed: gone ones leave the view, waiting ones come back with their counters. */
  async refresh(deps: PoolDeps, region: string, ticketIds: readonly string[]): Promise<void> {
    const current = await Promise.all(ticketIds.map((id) => deps.tickets.get(region, id)));
    ticketIds.forEach((id, i) => {
      const ticket = current[i];
      if (ticket?.state === 'waiting') this.put(ticket);
      else this.remove(region, [id]);
    });
  }

  waiting(region: string): TicketItem[] {
    return [...(this.byRegion.get(region)?.values() ?? [])];
  }

  private async resync(deps: PoolDeps, regions: readonly string[]): Promise<void> {
    this.byRegion.clear();
    for (const region of regions) await this.resyncRegion(deps, region);
    this.syncedAt = deps.clock.now();
    this.resyncs += 1;
  }

  private async resyncRegion(deps: PoolDeps, region: string): Promise<void> {
    const tickets = new Map<string, TicketItem>();
    for (const ticket of await deps.tickets.listWaiting(region)) tickets.set(ticket.ticketId, ticket);
    this.byRegion.set(region, tickets);
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
