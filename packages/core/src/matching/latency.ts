import type { LatencyConfig, MatchingConfig, Ticket, TicketPlayer } from './types.js';

/** A region a ticket may be matched in, with its members' latencies there. */
export interface RegionLatency {
  region: string;
  /** The worst member latency there (ms); 0 for a ticket without latencies. */
  worstMs: number;
  /** The sum of the members' latencies there (ms); 0 for a ticket without latencies. */
  totalMs: number;
}

/** How a match's players would play in a region: the worst and the mean member latency (ms). */
export interface MatchLatency {
  worstMs: number;
  meanMs: number;
}

/**
 * A ticket whose players carry latencies: it may be matched in any region
 * every member reported (its `region` is ignored). Any other ticket is fixed
 * to its `region`.
 */
export function isFlexible(ticket: Ticket): boolean {
  return ticket.players.some((player) => player.latencies !== undefined);
}

/** A player's latency to a region, if reported: an own entry that is a finite number >= 0. */
export function reportedLatency(player: TicketPlayer, region: string): number | undefined {
  const { latencies } = player;
  if (latencies === undefined || !Object.hasOwn(latencies, region)) return undefined;
  const ms = latencies[region];
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/**
 * The regions a ticket could ever be matched in, by name: a fixed ticket's
 * region (0 ms: it has no measurement), or the regions every member of a
 * flexible ticket reported, with the worst and the total of their latencies.
 */
export function reportedRegions(ticket: Ticket): RegionLatency[] {
  if (!isFlexible(ticket)) return [{ region: ticket.region, worstMs: 0, totalMs: 0 }];
  const first = ticket.players[0]?.latencies;
  if (first === undefined) return [];
  const regions: RegionLatency[] = [];
  for (const region of Object.keys(first).sort()) {
    let worstMs = 0;
    let totalMs = 0;
    let everyone = true;
    for (const player of ticket.players) {
      const ms = reportedLatency(player, region);
      if (ms === undefined) {
        everyone = false;
        break;
      }
      worstMs = Math.max(worstMs, ms);
      totalMs += ms;
    }
    if (everyone) regions.push({ region, worstMs, totalMs });
  }
  return regions;
}

/**
 * The latency rule's order of regions for the same players (a match, a
 * ticket): the lower worst member latency, then the lower mean (the same
 * players, so the lower total), then the region name.
 */
export function latencyOrder(a: RegionLatency, b: RegionLatency): number {
  return (
    a.worstMs - b.worstMs || a.totalMs - b.totalMs || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0)
  );
}

/**
 * The highest latency (ms) a flexible ticket's members accept after waiting
 * until `now`: min(maxMs, initialMs + stepMs * floor(waitedSeconds /
 * stepSeconds)), waited from its enqueuedAt. Infinity without a latency
 * config (any reported region).
 */
export function currentMaxLatency(ticket: Ticket, now: number, config: MatchingConfig): number {
  const { latency } = config;
  if (latency === undefined) return Number.POSITIVE_INFINITY;
  const waitedMs = Math.max(0, now - ticket.enqueuedAt);
  const steps = Math.floor(waitedMs / (latency.stepSeconds * 1000));
  return Math.min(latency.maxMs, latency.initialMs + latency.stepMs * steps);
}

/**
 * The regions a ticket may be matched in now, by name: a fixed ticket's
 * region, or the regions every member of a flexible ticket reported within
 * its current maximum latency.
 */
export function feasibleRegions(ticket: Ticket, now: number, config: MatchingConfig): RegionLatency[] {
  const regions = reportedRegions(ticket);
  if (!isFlexible(ticket) || config.latency === undefined) return regions;
  const max = currentMaxLatency(ticket, now, config);
  return regions.filter((region) => region.worstMs <= max);
}

/**
 * The worst and mean member latency of a match's players in a region
 * (players of fixed tickets count 0 ms: they have no measurement), or
 * undefined if a ticket cannot play there (a fixed ticket of another region,
 * a flexible ticket not every member of which reported it).
 */
export function matchLatency(tickets: readonly Ticket[], region: string): MatchLatency | undefined {
  let worstMs = 0;
  let totalMs = 0;
  let players = 0;
  for (const ticket of tickets) {
    const here = reportedRegions(ticket).find((r) => r.region === region);
    if (!here) return undefined;
    worstMs = Math.max(worstMs, here.worstMs);
    totalMs += here.totalMs;
    players += ticket.players.length;
  }
  return { worstMs, meanMs: players === 0 ? 0 : totalMs / players };
}

/** Throws a RangeError naming the bad field of `latency`. */
export function assertLatencyConfig(latency: LatencyConfig | undefined): void {
  if (latency === undefined) return;
  if (typeof latency !== 'object' || latency === null) {
    throw new RangeError(`latency must be an object, got ${String(latency)}`);
  }
  const { initialMs, stepMs, stepSeconds, maxMs } = latency;
  for (const [name, value] of Object.entries({ initialMs, stepMs, maxMs })) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new RangeError(`latency.${name} must be a number >= 0, got ${String(value)}`);
  }
  if (typeof stepSeconds !== 'number' || !Number.isFinite(stepSeconds) || stepSeconds <= 0) {
    throw new RangeError(`latency.stepSeconds must be a number > 0, got ${String(stepSeconds)}`);
  }
  if (maxMs < initialMs) {
    throw new RangeError(`latency.maxMs (${maxMs}) must be at least latency.initialMs (${initialMs})`);
  }
}
