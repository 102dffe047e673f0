import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
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

/**
 * A pass request on the matchmaking queue, as the product sends it (its queue's message group),
 * signed with the run's own key. Returns the message id.
 */
export async function sendPassRequest(
  stack: LocalStack,
  queue: string,
  regions: readonly string[],
  deduplicationId: string,
): Promise<string> {
  const sqs = new SQSClient({
    region: regions[0],
    endpoint: `http://127.0.0.1:${stack.port}`,
    credentials: stack.credentials,
  });
  try {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrl,
        MessageBody: JSON.stringify({ reason: 'tick', queue, regions, requestedAt: Date.now() }),
        MessageGroupId: `matchmaking-${queue}`,
        MessageDeduplicationId: deduplicationId,
      }),
    );
    return sent.MessageId as string;
  } finally {
    sqs.destroy();
  }
}
