import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionally, conditionallyReturning } from './conditional.js';
import type { ServerAddress, ServerItem, ServerState } from './items.js';
import { queryPages } from './query-pages.js';
import { allShardKeys, SPARE_SHARDS, shardKey } from './shards.js';

/** A stopped server's record stays a day for operators, then DynamoDB TTL removes it. */
const STOPPED_SERVER_TTL_SECONDS = 24 * 60 * 60;
const spareShardOf = (region: string, serverId: string) => shardKey(region, serverId, SPARE_SHARDS);

/**
 * The warm pool's servers. Every state change is one conditional update on
 * the server's state (and match), so two matches can never get one server
 * and a server retired by one writer cannot be assigned by another.
 */
export class ServersRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Records a server about to be launched (before RunTask, so its registration can be checked). */
  create(
    server: Pick<ServerItem, 'serverId' | 'region' | 'registrationHash' | 'launchedAt' | 'taskDefinition'>,
  ): Promise<boolean> {
    const item: ServerItem = {
      ...server,
      state: 'launching',
      spareShard: spareShardOf(server.region, server.serverId),
    };
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(serverId)',
        }),
      ),
    );
  }

  async get(serverId: string): Promise<ServerItem | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { serverId }, ConsistentRead: true }),
    );
    return result.Item as ServerItem | undefined;
  }

  /** The task that runs the server (RunTask's answer). */
  setTask(serverId: string, taskArn: string): Promise<boolean> {
    return this.update(serverId, {
      set: { taskArn },
      condition: '#state <> :stopped AND attribute_not_exists(taskArn)',
      values: { ':stopped': 'stopped' },
    });
  }

  /** launching -> idle with the one-time registration token; stores the server's own token's hash. */
  register(
    serverId: string,
    registrationHash: string,
    credentialHash: string,
    address: ServerAddress,
    now: number,
  ): Promise<boolean> {
    return this.update(serverId, {
      set: { state: 'idle', credentialHash, address, registeredAt: now, heartbeatAt: now },
      condition: '#state = :launching AND registrationHash = :registrationHash',
      values: { ':launching': 'launching', ':registrationHash': registrationHash },
    });
  }

  /** The server is alive: its heartbeat time, while it may still be used. Undefined if retired. */
  heartbeat(serverId: string, now: number): Promise<ServerItem | undefined> {
    return this.updateReturning(serverId, {
      set: { heartbeatAt: now },
      condition: '#state IN (:idle, :assigned, :busy)',
      values: { ':idle': 'idle', ':assigned': 'assigned', ':busy': 'busy' },
      returnValues: 'ALL_NEW',
    });
  }

  /** idle -> assigned to a match, only if it heartbeat since `freshSince`: out of the spare index. */
  assign(serverId: string, matchId: string, now: number, freshSince: number): Promise<boolean> {
    return this.update(serverId, {
      set: { state: 'assigned', matchId, assignedAt: now },
      remove: ['spareShard'],
      condition: '#state = :idle AND heartbeatAt >= :fresh',
      values: { ':idle': 'idle', ':fresh': freshSince },
    });
  }

  /** assigned -> idle: the match took another server first; this one goes back to the pool. */
  unassign(server: ServerItem, matchId: string): Promise<boolean> {
    return this.update(server.serverId, {
      set: { state: 'idle', spareShard: spareShardOf(server.region, server.serverId) },
      remove: ['matchId', 'assignedAt'],
      condition: '#state = :assigned AND matchId = :matchId',
      values: { ':assigned': 'assigned', ':matchId': matchId },
    });
  }

  /** assigned -> busy: the server took its match. */
  markBusy(serverId: string, matchId: string): Promise<boolean> {
    return this.update(serverId, {
      set: { state: 'busy' },
      condition: '#state = :assigned AND matchId = :matchId',
      values: { ':assigned': 'assigned', ':matchId': matchId },
    });
  }

  /** idle or assigned (not taken) -> draining, out of the pool; the server as it was, or undefined. */
  drain(serverId: string): Promise<ServerItem | undefined> {
    return this.updateReturning(serverId, {
      set: { state: 'draining' },
      remove: ['spareShard'],
      condition: '#state IN (:idle, :assigned)',
      values: { ':idle': 'idle', ':assigned': 'assigned' },
      returnValues: 'ALL_OLD',
    });
  }

  /** busy -> idle after its match ended: back in the pool, one more match played. */
  release(server: ServerItem, matchId: string, now: number): Promise<boolean> {
    return this.update(server.serverId, {
      set: { state: 'idle', heartbeatAt: now, spareShard: spareShardOf(server.region, server.serverId) },
      remove: ['matchId', 'assignedAt'],
      add: { matchesPlayed: 1 },
      condition: '#state = :busy AND matchId = :matchId',
      values: { ':busy': 'busy', ':matchId': matchId },
    });
  }

  /**
   * Any state (or only `from`, only while on `matchId`, only with no
   * heartbeat after `heartbeatBefore`, if given) ->
   * stopped, out of the pool. Returns the server as it was, or undefined if
   * the condition failed (already stopped, or moved on).
   */
  retire(
    serverId: string,
    reason: string,
    now: number,
    only: { from?: readonly ServerState[]; matchId?: string; heartbeatBefore?: number } = {},
  ): Promise<ServerItem | undefined> {
    const from = only.from ?? ['launching', 'idle', 'assigned', 'busy', 'draining'];
    const values: Record<string, unknown> = Object.fromEntries(from.map((state, i) => [`:from${i}`, state]));
    let condition = `#state IN (${from.map((_, i) => `:from${i}`).join(', ')})`;
    if (only.matchId !== undefined) {
      condition += ' AND matchId = :matchId';
      values[':matchId'] = only.matchId;
    }
    if (only.heartbeatBefore !== undefined) {
      // Not after a heartbeat newer than the one it was judged by.
      condition += ' AND (attribute_not_exists(heartbeatAt) OR heartbeatAt <= :heartbeatBefore)';
      values[':heartbeatBefore'] = only.heartbeatBefore;
    }
    return this.updateReturning(serverId, {
      set: {
        state: 'stopped',
        stopReason: reason.slice(0, 255),
        expiresAt: Math.floor(now / 1000) + STOPPED_SERVER_TTL_SECONDS,
      },
      remove: ['spareShard'],
      condition,
      values,
      returnValues: 'ALL_OLD',
    });
  }

  /** The region's spare servers (launching or idle): one Query per shard, in parallel. */
  async listSpare(region: string): Promise<ServerItem[]> {
    const shards = await Promise.all(
      allShardKeys(region, SPARE_SHARDS).map((key) =>
        queryPages(this.doc, {
          TableName: this.table,
          IndexName: 'spareByShard',
          KeyConditionExpression: 'spareShard = :key',
          ExpressionAttributeValues: { ':key': key },
        }),
      ),
    );
    return shards.flat() as unknown as ServerItem[];
  }

  private update(serverId: string, change: Change): Promise<boolean> {
    return conditionally(() => this.doc.send(new UpdateCommand(this.command(serverId, change))));
  }

  private updateReturning(
    serverId: string,
    change: Change & { returnValues: 'ALL_NEW' | 'ALL_OLD' },
  ): Promise<ServerItem | undefined> {
    return conditionallyReturning(async () => {
      const result = await this.doc.send(
        new UpdateCommand({ ...this.command(serverId, change), ReturnValues: change.returnValues }),
      );
      return result.Attributes as ServerItem;
    });
  }

  private command(serverId: string, change: Change) {
    const names: Record<string, string> = { '#state': 'state' };
    const values: Record<string, unknown> = { ...change.values };
    const sets = Object.entries(change.set).map(([key, value]) => {
      names[`#${key}`] = key;
      values[`:set_${key}`] = value;
      return `#${key} = :set_${key}`;
    });
    const adds = Object.entries(change.add ?? {}).map(([key, value]) => {
      names[`#${key}`] = key;
      values[`:add_${key}`] = value;
      return `#${key} :add_${key}`;
    });
    const clauses = [`SET ${sets.join(', ')}`];
    if (change.remove?.length) clauses.push(`REMOVE ${change.remove.join(', ')}`);
    if (adds.length) clauses.push(`ADD ${adds.join(', ')}`);
    return {
      TableName: this.table,
      Key: { serverId },
      UpdateExpression: clauses.join(' '),
      ConditionExpression: `attribute_exists(serverId) AND ${change.condition}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }
}

interface Change {
  set: Record<string, unknown>;
  remove?: string[];
  add?: Record<string, number>;
  condition: string;
  values: Record<string, unknown>;
}
