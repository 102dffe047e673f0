import { findMatches, type MatchingConfig, type Ticket } from '@matchmaking/core';
import type { TicketItem } from '../data/items.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import { createLogger } from '../runtime/logger.js';
import { type CreateOutcome, createMatch, type MatchSettings } from './create-match.js';

const logger = createLogger('matchmaking-pass');
/** Match creations run at once within a pass. */
const PARALLEL_CREATIONS = 8;

export interface PassSummary {
  region: string;
  waiting: number;
  outcomes: CreateOutcome[];
}

/**
 * One matchmaking pass over each region: read the waiting tickets (a Query),
 * form matches with the core engine, and create each. Regions are all served
 * (the seed stopped after the first).
 */
export async function runMatchmakingPass(
  deps: LifecycleDeps,
  matching: MatchingConfig,
  settings: MatchSettings,
  regions: readonly string[],
): Promise<PassSummary[]> {
  const summaries: PassSummary[] = [];
  for (const region of [...new Set(regions)].sort()) {
    const now = deps.clock.now();
    // Tickets backing off after a capacity failure sit this pass out.
    const items = (await deps.tickets.listWaiting(region)).filter((t) => (t.retryAt ?? 0) <= now);
    const byId = new Map(items.map((item) => [item.ticketId, item]));
    const { matches } = findMatches(items.map(toTicket), now, matching);
    // Matches of one pass share no ticket, so they are created side by side (a few at a time).
    const outcomes: CreateOutcome[] = [];
    for (let i = 0; i < matches.length; i += PARALLEL_CREATIONS) {
      const slice = matches.slice(i, i + PARALLEL_CREATIONS);
      outcomes.push(...(await Promise.all(slice.map((formed) => createMatch(deps, settings, formed, byId)))));
    }
    summaries.push({ region, waiting: items.length, outcomes });
    if (matches.length > 0) logger.info('pass done', { region, waiting: items.length, outcomes });
  }
  return summaries;
}

function toTicket(item: TicketItem): Ticket {
  return {
    ticketId: item.ticketId,
    region: item.region,
    enqueuedAt: item.enqueuedAt,
    players: item.players.map((p) => ({ userId: p.userId, rating: p.rating, rd: p.rd })),
  };
}
