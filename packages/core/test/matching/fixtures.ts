import type { MatchingConfig, Ticket } from '../../src/matching/types.js';

export const NOW = 1_700_000_000_000;

export const config = (teamSize: number, extra: Partial<MatchingConfig> = {}): MatchingConfig => ({
  teamSize,
  windowInitial: 200,
  windowGrowthPerSecond: 10,
  windowMax: 600,
  ...extra,
});

/** A party ticket in eu-west-1, enqueued `waited` seconds before NOW; one player per rating. */
export const party = (
  id: string,
  ratings: readonly number[],
  extra: Partial<Ticket> = {},
  waited = 0,
): Ticket => ({
  ticketId: id,
  region: 'eu-west-1',
  enqueuedAt: NOW - waited * 1000,
  players: ratings.map((rating, i) => ({ userId: `${id}-${i}`, rating, rd: 100 })),
  ...extra,
});

export const idsOf = (tickets: readonly Ticket[]): string[] => tickets.map((ticket) => ticket.ticketId);
