import { events } from '@matchmaking/core';
import type { PlayerItem } from '../data/items.js';
import { enqueuedAtOf, type TicketRef } from '../data/tickets-repository.js';
import { notifyConnection } from '../match/notify.js';
import { createLogger } from '../runtime/logger.js';
import type { Deps } from './deps.js';

const logger = createLogger('withdraw-ticket');

export type Withdrawal = 'withdrawn' | 'claimed' | 'none';

/**
 * A join writes its ticket within its function's 10 s timeout: a queued
 * player whose ticket is missing for longer than this joined in a request
 * that died half-way (cleared); sooner, the join may still be writing it.
 */
const JOIN_GRACE_MS = 15_000;

type WithdrawDeps = Pick<Deps, 'players' | 'tickets' | 'notifier' | 'connections' | 'queue' | 'clock'>;

/**
 * Takes a queued player's ticket out of the queue, with everyone on it (the
 * player alone, or the whole party). 'claimed': a match took the ticket
 * first and nothing changed. 'none': the player had no ticket.
 */
export async function withdrawTicket(
  deps: WithdrawDeps,
  player: PlayerItem,
  reason: string,
  quietUserId?: string,
): Promise<Withdrawal> {
  if (player.status !== 'queued' || !player.ticketId || !player.region || !player.queue) return 'none';
  const ref = { queue: player.queue, region: player.region, ticketId: player.ticketId };
  const outcome = await withdrawTicketAt(deps, ref, reason, quietUserId);
  if (outcome === 'none' && deps.clock.now() - enqueuedAtOf(player.ticketId) > JOIN_GRACE_MS) {
    await deps.players.leaveQueue(player.userId, player.ticketId);
  }
  return outcome;
}

/**
 * Takes this ticket out: deleted only while still waiting, then each player
 * on it goes back to idle (only if still queued with it) and hears
 * `leftQueue` with the reason, except `quietUserId` (who gets the answer to
 * their own request instead). The matchmaker is told last and best effort:
 * its pool drops the ticket now instead of at its next resync.
 */
export async function withdrawTicketAt(
  deps: WithdrawDeps,
  ref: TicketRef,
  reason: string,
  quietUserId?: string,
): Promise<Withdrawal> {
  const ticket = await deps.tickets.get(ref);
  if (!ticket) return 'none';
  if (ticket.state !== 'waiting' || !(await deps.tickets.deleteWaiting(ref))) return 'claimed';
  await Promise.all(
    ticket.players.map(async (member) => {
      const left = await deps.players.leaveQueue(member.userId, ticket.ticketId);
      if (left && member.userId !== quietUserId) {
        await notifyConnection(deps, left.connectionId, events.leftQueue(reason)).catch((error: unknown) =>
          logger.warn('could not tell a player the ticket left', { connectionId: left.connectionId, error }),
        );
      }
    }),
  );
  await deps.queue
    .requestPass(
      {
        reason: 'left',
        queue: ref.queue,
        regions: [ref.region],
        requestedAt: deps.clock.now(),
        left: [{ region: ref.region, ticketId: ref.ticketId }],
      },
      `left:${ref.ticketId}`,
    )
    .catch((error: unknown) => logger.warn('could not tell the matchmaker a ticket left', { error }));
  return 'withdrawn';
}
