import type { TableName } from '../manifest.js';

/**
 * Key schemas of the five DynamoDB tables. The Pulumi program declares the
 * tables from this; the local runtime creates them in dynalite from this; the
 * repositories read and write with these names. One definition for all three.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  /** Environment variable that carries the physical table name to the functions. */
  envName:
    | 'CONNECTIONS_TABLE'
    | 'PLAYERS_TABLE'
    | 'TICKETS_TABLE'
    | 'MATCHES_TABLE'
    | 'MATCHMAKER_TABLE'
    | 'SERVERS_TABLE'
    | 'PARTIES_TABLE';
  hashKey: KeyAttribute;
  rangeKey?: KeyAttribute;
  /** Attribute holding an epoch-seconds expiry; DynamoDB TTL deletes expired items on AWS (never relied on for correctness). */
  ttlAttribute?: string;
  globalSecondaryIndexes: { name: string; hashKey: KeyAttribute; rangeKey?: KeyAttribute }[];
}

export const tableDefinitions: Record<TableName, TableDefinition> = {
  /** connectionId -> userId of a live WebSocket connection. */
  connections: {
    envName: 'CONNECTIONS_TABLE',
    hashKey: { name: 'connectionId', type: 'S' },
    ttlAttribute: 'expiresAt',
    globalSecondaryIndexes: [],
  },
  /** userId -> rating, RD, volatility, region, status, current connection, ticket and match. */
  players: {
    envName: 'PLAYERS_TABLE',
    hashKey: { name: 'userId', type: 'S' },
    globalSecondaryIndexes: [],
  },
  /**
   * Queue tickets, `region#shard` partitions (see shards.ts) so ticket writes
   * are not capped by one partition; the sort key orders by queue time. Two
   * sparse indexes: waiting tickets (the matchmaker's resync reads only
   * these, never claimed ones) and claimed tickets by claim time (the tick's
   * stale-claim sweep reads only old claims). Queries, never a Scan.
   */
  tickets: {
    envName: 'TICKETS_TABLE',
    hashKey: { name: 'shardKey', type: 'S' },
    rangeKey: { name: 'ticketId', type: 'S' },
    globalSecondaryIndexes: [
      {
        name: 'waitingByShard',
        hashKey: { name: 'waitingShard', type: 'S' },
        rangeKey: { name: 'ticketId', type: 'S' },
      },
      {
        name: 'claimedByShard',
        hashKey: { name: 'claimedShard', type: 'S' },
        rangeKey: { name: 'claimedAt', type: 'N' },
      },
    ],
  },
  /**
   * Matches by id; the sparse index finds matches whose lifecycle deadline
   * has passed, keyed `state#shard` (see shards.ts) so no state is a hot key.
   */
  matches: {
    envName: 'MATCHES_TABLE',
    hashKey: { name: 'matchId', type: 'S' },
    ttlAttribute: 'expiresAt',
    globalSecondaryIndexes: [
      {
        name: 'byDeadline',
        hashKey: { name: 'deadlineShard', type: 'S' },
        rangeKey: { name: 'deadlineAt', type: 'N' },
      },
    ],
  },
  /**
   * Warm-pool game servers by id; the sparse index lists the spare ones
   * (launching or idle) of a region, `region#shard` (see shards.ts), which
   * the match starter picks from and the pool keeper counts. Servers in a
   * match are not in it, so its size is the buffer, never the fleet.
   */
  servers: {
    envName: 'SERVERS_TABLE',
    hashKey: { name: 'serverId', type: 'S' },
    ttlAttribute: 'expiresAt',
    globalSecondaryIndexes: [
      {
        name: 'spareByShard',
        hashKey: { name: 'spareShard', type: 'S' },
        rangeKey: { name: 'serverId', type: 'S' },
      },
    ],
  },
  /**
   * Parties by invite code (the code is the key: joining by code is one
   * GetItem). Members and leader change by conditional writes on a version.
   */
  parties: {
    envName: 'PARTIES_TABLE',
    hashKey: { name: 'partyId', type: 'S' },
    globalSecondaryIndexes: [],
  },
  /**
   * The matchmaker's own state, one item per name: the pass epoch that tells
   * an instance it missed a pass, and the warm pool's per-minute demand counters.
   */
  matchmaker: {
    envName: 'MATCHMAKER_TABLE',
    hashKey: { name: 'name', type: 'S' },
    ttlAttribute: 'expiresAt',
    globalSecondaryIndexes: [],
  },
};

/** The environment variable of each table's physical name. */
export type TableEnvName = TableDefinition['envName'];

/** Every table's variable with its value (the physical name, or what stands for it): one per table definition. */
export function tableVariables<V>(nameOf: (table: TableName) => V): Record<TableEnvName, V> {
  return Object.fromEntries(
    (Object.entries(tableDefinitions) as [TableName, TableDefinition][]).map(([name, definition]) => [
      definition.envName,
      nameOf(name),
    ]),
  ) as Record<TableEnvName, V>;
}
