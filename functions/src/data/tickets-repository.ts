import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { PoolRef } from '../queues/queue-config.js';
import { conditionally, conditionallyReturning } from './conditional.js';
import type { TicketItem } from './items.js';
import { queryPages } from './query-pages.js';
import { allShardKeys, shardKey, TICKET_SHARDS } from './shards.js';

/** The sparse index of waiting tickets (a claimed ticket has no `waitingShard`, so no read ever returns it). */
export const WAITING_INDEX = 'waitingByShard';
/** The sparse index of claimed tickets by claim time (the tick's stale-claim sweep reads only old claims). */
export const CLAIMED_INDEX = 'claimedByShard';

/** Attributes that exist only for the keys and indexes; never part of a TicketItem. */
interface StoredTicket extends TicketItem {
  shardKey: string;
  waitingShard?: string;
  claimedShard?: string;
}

/** A ticket's identity: its pool (queue and region) and id. */
export type TicketRef = Pick<TicketItem, 'queue' | 'region' | 'ticketId'>;

/** The partition prefix of a pool: tickets of different queues or regions never share a key. */
function poolPrefix(pool: PoolRef): string {
  return `${pool.queue}:${pool.region}`;
}

function keyOf(ref: TicketRef) {
  return { shardKey: shardKey(poolPrefix(ref), ref.ticketId, TICKET_SHARDS), ticketId: ref.ticketId };
}

/** A stored ticket without the attributes that exist only for its keys and indexes. */
export function ticketFromItem(item: Record<string, unknown>): TicketItem {
  const {
    shardKey: _key,
    waitingShard: _waiting,
    claimedShard: _claimed,
    ...ticket
  } = item as unknown as StoredTicket;
  return ticket;
}

/** A sortable ticket id: the zero-padded queue time first, so a Query returns the longest-waiting first. */
export function newTicketId(enqueuedAt: number, unique: string): string {
  return `${String(enqueuedAt).padStart(15, '0')}#${unique}`;
}

/** The queue time a ticket id starts with (newTicketId); 0 for an id not made by it. */
export function enqueuedAtOf(ticketId: string): number {
  const at = Number(ticketId.split('#')[0]);
  return Number.isFinite(at) ? at : 0;
}

/**
 * Queue tickets, spread over TICKET_SHARDS partition keys per pool
 * (`queue:region#shard`, by a hash of the ticket id) so that ticket writes are not
 * capped by one partition. A ticket is 'waiting' until a matchmaking pass
 * claims it for a match; only the match may then release or delete it, so a
 * player can never be taken by two matches. Waiting and claimed tickets are
 * each in a sparse index, so every read returns only the state it asks for.
 */
export class TicketsRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Stores a new ticket; false if that id exists already. */
  create(ticket: TicketItem): Promise<boolean> {
    const key = keyOf(ticket);
    const item: StoredTicket = { ...ticket, ...key, waitingShard: key.shardKey };
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(ticketId)',
        }),
      ),
    );
  }

  async get(ref: TicketRef): Promise<TicketItem | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keyOf(ref), ConsistentRead: true }),
    );
    return result.Item ? ticketFromItem(result.Item) : undefined;
  }

  /**
   * Every waiting ticket of a region, oldest first: one Query per shard on the
   * sparse waiting index, all pages. Index reads are eventually consistent: a
   * ticket claimed a moment ago may still show (its claim then fails), one
   * written a moment ago may not (its queue change carries it).
   */
  async listWaiting(pool: PoolRef): Promise<TicketItem[]> {
    const tickets = await this.listWaitingSince(pool, '');
    return tickets.sort((a, b) => (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0));
  }

  /** Deletes a ticket that is still waiting; false if a match claimed it (or it is gone). */
  deleteWaiting(ref: TicketRef): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keyOf(ref),
          ConditionExpression: '#state = :waiting',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':waiting': 'waiting' },
        }),
      ),
    );
  }

  /**
   * Waiting tickets of a region whose id sorts after `afterTicketId` (ids
   * start with the queue time: the tickets that joined since then): what a
   * warm matchmaker reads, proportional to the joins, never to the pool.
   */
  listWaitingSince(pool: PoolRef, afterTicketId: string): Promise<TicketItem[]> {
    return this.queryShards(pool, WAITING_INDEX, 'waitingShard = :key AND ticketId > :after', {
      ':after': afterTicketId,
    });
  }

  /** Claimed tickets of a region claimed at or before `cutoff` (the tick looks for claims whose match was never stored). */
  listClaimedBefore(pool: PoolRef, cutoff: number): Promise<TicketItem[]> {
    return this.queryShards(pool, CLAIMED_INDEX, 'claimedShard = :key AND claimedAt <= :cutoff', {
      ':cutoff': cutoff,
    });
  }

  /** One Query per shard of the region on a sparse index (`:key` is the shard), all pages, in parallel. */
  private async queryShards(
    pool: PoolRef,
    index: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<TicketItem[]> {
    const shards = await Promise.all(
      allShardKeys(poolPrefix(pool), TICKET_SHARDS).map((key) =>
        queryPages(this.doc, {
          TableName: this.table,
          IndexName: index,
          KeyConditionExpression: condition,
          ExpressionAttributeValues: { ...values, ':key': key },
        }),
      ),
    );
    return shards.flat().map(ticketFromItem);
  }

  /**
   * waiting -> claimed by this match, only at the version the pass saw
   * (`attempts`: every release bumps it), so a pass working from a stale view
   * loses the claim instead of taking a ticket that moved on, and the match
   * id, derived from the versions, names one attempt only. Repeating it for
   * the same match succeeds (retries are harmless).
   */
  claim(ref: TicketRef, matchId: string, now: number, attempts: number): Promise<boolean> {
    const atVersion =
      attempts === 0 ? '(attribute_not_exists(attempts) OR attempts = :attempts)' : 'attempts = :attempts';
    const key = keyOf(ref);
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression:
            'SET #state = :claimed, matchId = :matchId, claimedAt = :now, claimedShard = :shard REMOVE waitingShard',
          ConditionExpression: `(#state = :waiting AND ${atVersion}) OR (#state = :claimed AND matchId = :matchId)`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':waiting': 'waiting',
            ':claimed': 'claimed',
            ':matchId': matchId,
            ':now': now,
            ':attempts': attempts,
            ':shard': key.shardKey,
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
    ref: TicketRef,
    matchId: string,
    how: { failed: boolean; retryAt?: number; now?: number } = { failed: false },
  ): Promise<TicketItem | undefined> {
    const key = keyOf(ref);
    const sets = [
      '#state = :waiting',
      'waitingShard = :shard',
      'attempts = if_not_exists(attempts, :zero) + :one',
    ];
    if (how.now !== undefined) sets.push('requeuedAt = :now');
    if (how.failed) sets.push('failedMatches = if_not_exists(failedMatches, :zero) + :one');
    if (how.retryAt !== undefined) sets.push('retryAt = :retryAt');
    return conditionallyReturning(async () => {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          ReturnValues: 'ALL_NEW',
          UpdateExpression: `SET ${sets.join(', ')} REMOVE matchId, claimedAt, claimedShard${how.retryAt === undefined ? ', retryAt' : ''}`,
          ConditionExpression: '#state = :claimed AND matchId = :matchId',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':waiting': 'waiting',
            ':claimed': 'claimed',
            ':matchId': matchId,
            ':zero': 0,
            ':one': 1,
            ':shard': key.shardKey,
            ...(how.retryAt === undefined ? {} : { ':retryAt': how.retryAt }),
            ...(how.now === undefined ? {} : { ':now': how.now }),
          },
        }),
      );
      return ticketFromItem(result.Attributes ?? {});
    });
  }

  /** Deletes a ticket this match claimed (the match started, or its player is gone). */
  deleteClaimed(ref: TicketRef, matchId: string): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keyOf(ref),
          ConditionExpression: 'matchId = :matchId',
          ExpressionAttributeValues: { ':matchId': matchId },
        }),
      ),
    );
  }
}

/**
 * A ticket of a match: same queue as the match, stored in the match's region
 * unless it says otherwise (a ticket joined with latencies is stored in its
 * best region and may be matched in another).
 */
export function ticketOf(
  match: Pick<TicketItem, 'queue' | 'region'>,
  ticket: { ticketId: string; region?: string },
): TicketRef {
  return { queue: match.queue, region: ticket.region ?? match.region, ticketId: ticket.ticketId };
}
