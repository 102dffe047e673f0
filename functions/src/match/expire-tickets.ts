import { events } from '@matchmaking/core';
import type { TicketItem } from '../data/items.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import type { Queue } from '../queues/queue-config.js';
import { createLogger } from '../runtime/logger.js';
import { notifyConnection } from './notify.js';

const logger = createLogger('expire-tickets');
/** Tickets taken out at once (each is a conditional delete and one write per player). */
const PARALLEL_EXPIRIES = 32;

/** A ticket that has waited its queue's maxWaitSeconds. */
export function hasExpired(ticket: Pick<TicketItem, 'enqueuedAt'>, queue: Queue, now: number): boolean {
  return now - ticket.enqueuedAt >= queue.maxWaitSeconds * 1000;
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
  for (let start = 0; start < tickets.length; start += PARALLEL_EXPIRIES) {
    const slice = tickets.slice(start, start + PARALLEL_EXPIRIES);
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
  const waited = Math.round((now - ticket.enqueuedAt) / 1000);
  for (const member of ticket.players) {
    const player = await deps.players.leaveQueue(member.userId, ticket.ticketId);
    if (player) {
      await notifyConnection(
        deps,
        player.connectionId,
        events.queueTimeout(queue.name, ticket.region, waited),
      );
    }
  }
}
