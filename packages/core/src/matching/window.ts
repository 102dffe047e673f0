import { assertLatencyConfig, isFlexible, reportedRegions } from './latency.js';
import type { MatchingConfig, Ticket } from './types.js';

const PARTY_RATINGS: readonly unknown[] = ['mean', 'max'];

/** How far (+- rating points around its party rating) a ticket accepts other tickets, after waiting until `now`. */
export function currentWindow(ticket: Ticket, now: number, config: MatchingConfig): number {
  const waitedSeconds = Math.max(0, now - ticket.enqueuedAt) / 1000;
  return Math.min(config.windowMax, config.windowInitial + config.windowGrowthPerSecond * waitedSeconds);
}

/** A ticket's rating for the window: the aggregate (config.partyRating) of its players' ratings. */
export function windowRating(ticket: Ticket, config: MatchingConfig): number {
  const ratings = ticket.players.map((player) => player.rating);
  if (config.partyRating === 'max') return Math.max(...ratings);
  return ratings.reduce((a, b) => a + b, 0) / ratings.length;
}

/** Throws a RangeError naming the bad field; a matcher with a bad config must not run. */
export function assertMatchingConfig(config: MatchingConfig): void {
  const { teamSize, windowInitial, windowGrowthPerSecond, windowMax } = config;
  if (!Number.isInteger(teamSize) || teamSize < 1 || teamSize > 50) {
    throw new RangeError(`teamSize must be an integer from 1 to 50, got ${teamSize}`);
  }
  for (const [name, value] of Object.entries({ windowInitial, windowGrowthPerSecond, windowMax })) {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${name} must be a number >= 0, got ${value}`);
  }
  if (windowMax < windowInitial) {
    throw new RangeError(`windowMax (${windowMax}) must be at least windowInitial (${windowInitial})`);
  }
  if (config.partyRating !== undefined && !PARTY_RATINGS.includes(config.partyRating)) {
    throw new RangeError(`partyRating must be 'mean' or 'max', got ${String(config.partyRating)}`);
  }
  if (config.preferSimilarParties !== undefined && typeof config.preferSimilarParties !== 'boolean') {
    throw new RangeError(
      `preferSimilarParties must be true or false, got ${String(config.preferSimilarParties)}`,
    );
  }
  assertLatencyConfig(config.latency);
}

/**
 * A ticket the matcher can use at all: a party of 1..teamSize players with
 * finite ratings and, for a flexible ticket, a region every member reported.
 */
export function isMatchable(ticket: Ticket, teamSize: number): boolean {
  return (
    ticket.players.length >= 1 &&
    ticket.players.length <= teamSize &&
    ticket.players.every((player) => Number.isFinite(player.rating)) &&
    (!isFlexible(ticket) || reportedRegions(ticket).length > 0)
  );
}
