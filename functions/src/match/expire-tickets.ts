import { events } from '@matchmaking/core';
import type { TicketItem } from '../data/items.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import type { Queue } from '../queues/queue-config.js';
import { createLogger } from '../runtime/logger.js';
import { notifyConnection } from './notify.js';

const logger = createLogger('expire-tickets');
/** Tickets taken out at once (each is a conditional delete and one write per player). */
const PARALLEL_EXPIRIES = 32;
/** Tickets one pass takes out at most: the serial section must not spend itself on a backlog of timeouts. */
export const MAX_EXPIRIES_PER_PASS = 128;

/**
 * A ticket that has waited its queue's maxWaitSeconds: since it joined, or
 * since a failed match put it back (so a requeued player gets a full wait).
 */
export function hasExpired(
  ticket: Pick<TicketItem, 'enqueuedAt' | 'requeuedAt'>,
  queue: Queue,
  now: number,
): boolean {
  return now - waitStart(ticket) >= queue.maxWaitSeconds * 1000;
}

/** When the ticket's current wait began: its join, or the failed match that put it back. */
function waitStart(ticket: Pick<TicketItem, 'enqueuedAt' | 'requeuedAt'>): number {
  return Math.max(ticket.enqueuedAt, ticket.requeuedAt ?? 0);
}

/**
 * Takes out of the queue the tickets that waited their queue's longest wait:
 * each is deleted only while still waiting (a match that claimed it first
 * keeps it), then every player on it goes back to idle and hears
 * `queueTimeout`. Returns the tickets taken out.
 */
export async function expireTickets(
  deps: Pick<LifecycleDeps, 'tickets' | 'players' | 'notifier' | 'connections'>,
  queue: Queue,
  tickets: readonly TicketItem[],
  now: number,
): Promise<TicketItem[]> {
  const expired: TicketItem[] = [];
  const due = tickets.slice(0, MAX_EXPIRIES_PER_PASS);
  for (let start = 0; start < due.length; start += PARALLEL_EXPIRIES) {
    const slice = due.slice(start, start + PARALLEL_EXPIRIES);
    const deleted = await Promise.all(slice.map((ticket) => deps.tickets.deleteWaiting(ticket)));
    await Promise.all(
      slice.map((ticket, i) => (deleted[i] ? tellTimedOut(deps, queue, ticket, now) : undefined)),
    );
    expired.push(...slice.filter((_, i) => deleted[i]));
  }
  if (expired.length > 0) logger.info('tickets timed out', { queue: queue.name, tickets: expired.length });
  return expired;
}

async function tellTimedOut(
  deps: Pick<LifecycleDeps, 'players' | 'notifier' | 'connections'>,
  queue: Queue,
  ticket: TicketItem,
  now: number,
): Promise<void> {
  const waited = Math.round((now - waitStart(ticket)) / 1000);
  for (const member of ticket.players) {
    const player = await deps.players.leaveQueue(member.userId, ticket.ticketId);
    if (!player) continue;
    // The ticket is gone: a notice that cannot be sent must not fail the pass (its batch would come back).
    const event = events.queueTimeout(queue.name, ticket.region, waited);
    await notifyConnection(deps, player.connectionId, event).catch((error: unknown) =>
      logger.warn('could not send queueTimeout', { connectionId: player.connectionId, error }),
    );
  }
}
