import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { conditionally, conditionallyReturning } from './conditional.js';
import type { TicketItem } from './items.js';

/** A sortable ticket id: the zero-padded queue time first, so a Query returns the longest-waiting first. */
export function newTicketId(enqueuedAt: number, unique: string): string {
  return `${String(enqueuedAt).padStart(15, '0')}#${unique}`;
}

/**
 * Queue tickets, one partition per region. A ticket is 'waiting' until a
 * matchmaking pass claims it for a match; only the match may then release or
 * delete it, so a player can never be taken by two matches.
 */
export class TicketsRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Stores a new ticket; false if that id exists already. */
  create(ticket: TicketItem): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: ticket,
          ConditionExpression: 'attribute_not_exists(ticketId)',
        }),
      ),
    );
  }

  async get(region: string, ticketId: string): Promise<TicketItem | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { region, ticketId }, ConsistentRead: true }),
    );
    return result.Item as TicketItem | undefined;
  }

  /** Every waiting ticket of a region, oldest first (a Query over the region's partition, all pages). */
  listWaiting(region: string): Promise<TicketItem[]> {
    return this.listInState(region, 'waiting');
  }

  /** Deletes a ticket that is still waiting; false if a match claimed it (or it is gone). */
  deleteWaiting(region: string, ticketId: string): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { region, ticketId },
          ConditionExpression: '#state = :waiting',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':waiting': 'waiting' },
        }),
      ),
    );
  }

  /** Every claimed ticket of a region (the tick looks for claims whose match was never stored). */
  listClaimed(region: string): Promise<TicketItem[]> {
    return this.listInState(region, 'claimed');
  }

  /** The region's tickets in one state (a filtered Query: the read still covers the whole partition). */
  private async listInState(region: string, state: TicketItem['state']): Promise<TicketItem[]> {
    const tickets: TicketItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: '#region = :region',
          FilterExpression: '#state = :state',
          ExpressionAttributeNames: { '#region': 'region', '#state': 'state' },
          ExpressionAttributeValues: { ':region': region, ':state': state },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      tickets.push(...((page.Items ?? []) as TicketItem[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return tickets;
  }

  /**
   * waiting -> claimed by this match, only at the version the pass saw
   * (`attempts`: every release bumps it), so a pass working from a stale view
   * loses the claim instead of taking a ticket that moved on, and the match
   * id, derived from the versions, names one attempt only. Repeating it for
   * the same match succeeds (retries are harmless).
   */
  claim(region: string, ticketId: string, matchId: string, now: number, attempts: number): Promise<boolean> {
    const atVersion =
      attempts === 0 ? '(attribute_not_exists(attempts) OR attempts = :attempts)' : 'attempts = :attempts';
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { region, ticketId },
          UpdateExpression: 'SET #state = :claimed, matchId = :matchId, claimedAt = :now',
          ConditionExpression: `(#state = :waiting AND ${atVersion}) OR (#state = :claimed AND matchId = :matchId)`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':waiting': 'waiting',
            ':claimed': 'claimed',
            ':matchId': matchId,
            ':now': now,
            ':attempts': attempts,
          },
        }),
      ),
    );
  }

  /**
   * claimed by this match -> waiting again, keeping its queue time (the player
   * is served first). `failed` counts a match that failed on the platform's
   * side towards MAX_REQUEUES; `retryAt` keeps the ticket out of passes until then.
   */
  release(
    region: string,
    ticketId: string,
    matchId: string,
    how: { failed: boolean; retryAt?: number } = { failed: false },
  ): Promise<TicketItem | undefined> {
    const sets = ['#state = :waiting', 'attempts = if_not_exists(attempts, :zero) + :one'];
    if (how.failed) sets.push('failedMatches = if_not_exists(failedMatches, :zero) + :one');
    if (how.retryAt !== undefined) sets.push('retryAt = :retryAt');
    return conditionallyReturning(async () => {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { region, ticketId },
          ReturnValues: 'ALL_NEW',
          UpdateExpression: `SET ${sets.join(', ')} REMOVE matchId, claimedAt${how.retryAt === undefined ? ', retryAt' : ''}`,
          ConditionExpression: '#state = :claimed AND matchId = :matchId',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':waiting': 'waiting',
            ':claimed': 'claimed',
            ':matchId': matchId,
            ':zero': 0,
            ':one': 1,
            ...(how.retryAt === undefined ? {} : { ':retryAt': how.retryAt }),
          },
        }),
      );
      return result.Attributes as TicketItem;
    });
  }

  /** Deletes a ticket this match claimed (the match started, or its player is gone). */
  deleteClaimed(region: string, ticketId: string, matchId: string): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { region, ticketId },
          ConditionExpression: 'matchId = :matchId',
          ExpressionAttributeValues: { ':matchId': matchId },
        }),
      ),
    );
  }
}
