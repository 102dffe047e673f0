import { events } from '@matchmaking/core';
import type { PlayerItem } from '../data/items.js';
import { notifyConnection } from '../match/notify.js';
import type { Deps } from './deps.js';

export type Withdrawal = 'withdrawn' | 'claimed' | 'none';

/**
 * Takes a queued player's ticket out of the queue, with everyone on it (the
 * player alone, or the whole party): the ticket is deleted only while it is
 * still waiting, then each player on it goes back to idle and hears
 * `leftQueue` with the reason, except `quietUserId` (who gets the answer to
 * their own request instead). 'claimed': a match took the ticket first and
 * nothing changed. 'none': the player had no ticket (a join that died half-way
 * is cleared).
 */
export async function withdrawTicket(
  deps: Pick<Deps, 'players' | 'tickets' | 'notifier' | 'connections' | 'queue' | 'clock'>,
  player: PlayerItem,
  reason: string,
  quietUserId?: string,
): Promise<Withdrawal> {
  if (player.status !== 'queued' || !player.ticketId || !player.region || !player.queue) return 'none';
  const ref = { queue: player.queue, region: player.region, ticketId: player.ticketId };
  const ticket = await deps.tickets.get(ref);
  if (!ticket) {
    await deps.players.leaveQueue(player.userId, player.ticketId);
    return 'none';
  }
  if (ticket.state !== 'waiting' || !(await deps.tickets.deleteWaiting(ref))) return 'claimed';
  // The matchmaker's pool drops it now (its counts, listQueues), not at its next resync.
  await deps.queue.requestPass(
    {
      reason: 'left',
      queue: ref.queue,
      regions: [ref.region],
      requestedAt: deps.clock.now(),
      left: [{ region: ref.region, ticketId: ref.ticketId }],
    },
    `left:${ref.ticketId}`,
  );
  await Promise.all(
    ticket.players.map(async (member) => {
      const left = await deps.players.leaveQueue(member.userId, ticket.ticketId);
      if (left && member.userId !== quietUserId) {
        await notifyConnection(deps, left.connectionId, events.leftQueue(reason));
      }
    }),
  );
  return 'withdrawn';
}
