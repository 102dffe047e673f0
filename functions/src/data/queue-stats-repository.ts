import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PoolRef } from '../queues/queue-config.js';
import { histogramOf, WAIT_BUCKETS } from '../queues/wait-histogram.js';

const MINUTE_MS = 60_000;
/** Minute items outlive the longest window any reader asks for, then TTL removes them. */
const MINUTE_ITEM_TTL_SECONDS = 3600;
/** BatchGetItem takes at most 100 keys ("BatchGetItem", DynamoDB API Reference). */
const BATCH_GET_LIMIT = 100;
/** Rounds of retrying the keys DynamoDB left unprocessed (throttling) before giving up on them. */
const UNPROCESSED_RETRIES = 3;

/** What a queue looks like in one region. */
export interface PoolStats {
  playersWaiting: number;
  ticketsWaiting: number;
  /** Matches formed in the window. */
  matches: number;
  /** Tickets matched in the window, per wait bucket (see wait-histogram.ts). */
  waits: number[];
}

const waitingKey = (pool: PoolRef) => `queue-waiting#${pool.queue}#${pool.region}`;
const minuteKey = (pool: PoolRef, minute: number) => `queue-minute#${pool.queue}#${pool.region}#${minute}`;

/**
 * Each queue's figures per region, in the matchmaker table, written by the
 * matchmaking pass (the one writer per queue) and read by joinQueue (the wait
 * estimate), listQueues and getQueueStats. Writes are blind: the waiting
 * counts are SET, a minute's matches and wait histogram are ADDed, so a pass
 * never reads to record; readers get one minute item per minute of their window.
 */
export class QueueStatsRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The players and tickets waiting in a pool now (the pass's view after it matched). */
  async setWaiting(pool: PoolRef, players: number, tickets: number, now: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { name: waitingKey(pool) },
        UpdateExpression: 'SET playersWaiting = :players, ticketsWaiting = :tickets, updatedAt = :now',
        ExpressionAttributeValues: { ':players': players, ':tickets': tickets, ':now': now },
      }),
    );
  }

  /** Adds matches formed at `now` and the waits of their tickets (ms) to that minute. */
  async addMatches(pool: PoolRef, matches: number, waitsMs: readonly number[], now: number): Promise<void> {
    if (matches === 0) return;
    const minute = Math.floor(now / MINUTE_MS);
    const adds = ['matches :matches'];
    const values: Record<string, number> = { ':matches': matches };
    for (const [bucket, count] of histogramOf(waitsMs)) {
      adds.push(`b${bucket} :b${bucket}`);
      values[`:b${bucket}`] = count;
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { name: minuteKey(pool, minute) },
        UpdateExpression: `ADD ${adds.join(', ')} SET expiresAt = :expiresAt`,
        ExpressionAttributeValues: {
          ...values,
          ':expiresAt': Math.ceil(((minute + 1) * MINUTE_MS) / 1000) + MINUTE_ITEM_TTL_SECONDS,
        },
      }),
    );
  }

  /** A pool's figures over the last `minutes` minutes (this one included): one BatchGetItem. */
  async read(pool: PoolRef, now: number, minutes: number): Promise<PoolStats> {
    const current = Math.floor(now / MINUTE_MS);
    const keys = [
      waitingKey(pool),
      ...Array.from({ length: minutes }, (_, i) => minuteKey(pool, current - i)),
    ];
    const items = await this.batchGet(keys);
    const waiting = items.get(waitingKey(pool));
    const stats: PoolStats = {
      playersWaiting: numberOf(waiting?.playersWaiting),
      ticketsWaiting: numberOf(waiting?.ticketsWaiting),
      matches: 0,
      waits: new Array<number>(WAIT_BUCKETS).fill(0),
    };
    for (const key of keys.slice(1)) {
      const item = items.get(key);
      if (!item) continue;
      stats.matches += numberOf(item.matches);
      stats.waits = stats.waits.map((count, bucket) => count + numberOf(item[`b${bucket}`]));
    }
    return stats;
  }

  /** Players waiting in each pool, in the order asked (0 for a pool no pass has counted yet). */
  async playersWaiting(pools: readonly PoolRef[]): Promise<number[]> {
    const items = await this.batchGet(pools.map(waitingKey));
    return pools.map((pool) => numberOf(items.get(waitingKey(pool))?.playersWaiting));
  }

  private async batchGet(names: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    for (let start = 0; start < names.length; start += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = names
        .slice(start, start + BATCH_GET_LIMIT)
        .map((name) => ({ name }));
      for (let round = 0; keys.length > 0 && round <= UNPROCESSED_RETRIES; round += 1) {
        const result = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }),
        );
        for (const item of result.Responses?.[this.table] ?? []) found.set(item.name as string, item);
        keys = (result.UnprocessedKeys?.[this.table]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }
}

function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
