import { type LifecycleDeps, newTicketId, type TicketItem } from '@matchmaking/functions/lifecycle';
import type { LocalStack } from '../../src/index.js';
import { TestPlayer } from './player.js';

/**
 * A connected player with a waiting ticket, written the way joinQueue writes
 * them but without asking for a pass, so a test drives the matchmaking steps
 * itself. The ticket is in the `default` queue (a stack started with `teamSize`).
 */
export async function queueDirectly(
  stack: LocalStack,
  deps: Pick<LifecycleDeps, 'players' | 'tickets'>,
  region: string,
  userId: string,
): Promise<{ player: TestPlayer; ticket: TicketItem }> {
  const player = await TestPlayer.connect(stack, userId);
  const now = Date.now();
  const ticketId = newTicketId(now, userId);
  await deps.players.markQueued(userId, { queue: 'default', region }, ticketId, now);
  const record = await deps.players.get(userId);
  const ticket: TicketItem = {
    queue: 'default',
    region,
    ticketId,
    enqueuedAt: now,
    state: 'waiting',
    players: [{ userId, connectionId: record?.connectionId as string, rating: 1500, rd: 350 }],
  };
  await deps.tickets.create(ticket);
  return { player, ticket };
}
