import type { TableName } from '@matchmaking/functions/manifest';
import { tableDefinitions } from '@matchmaking/functions/tables';
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/** The tables every join and match writes: a launch-day burst hits these. */
export const HOT_TABLES: readonly TableName[] = ['tickets', 'players', 'matches', 'connections'];

/** The tables that hold what cannot be rebuilt: every player's rating, and the matches' results. */
export const PROTECTED_TABLES: readonly TableName[] = ['players', 'matches'];

/**
 * The tables with their indexes and TTL, declared from the same definitions the functions and the
 * local runtime use (tables.ts). With `protect`, the players and matches tables have deletion
 * protection (DeleteTable refused, "Using deletion protection", DynamoDB Developer Guide),
 * point-in-time recovery, and Pulumi's `protect` (a replacement or destroy stops before it deletes).
 */
export function createTables(
  prefix: string,
  protect: boolean,
  opts: pulumi.CustomResourceOptions,
  warmThroughput?: aws.types.input.dynamodb.TableWarmThroughput,
): Record<TableName, aws.dynamodb.Table> {
  const tables = {} as Record<TableName, aws.dynamodb.Table>;
  for (const [name, definition] of Object.entries(tableDefinitions) as [
    TableName,
    (typeof tableDefinitions)[TableName],
  ][]) {
    const keys = [definition.hashKey, ...(definition.rangeKey ? [definition.rangeKey] : [])];
    const indexKeys = definition.globalSecondaryIndexes.flatMap((i) => [
      i.hashKey,
      ...(i.rangeKey ? [i.rangeKey] : []),
    ]);
    const attributes = new Map([...keys, ...indexKeys].map((key) => [key.name, key.type]));
    tables[name] = new aws.dynamodb.Table(
      `${prefix}-${name}`,
      {
        billingMode: 'PAY_PER_REQUEST',
        hashKey: definition.hashKey.name,
        rangeKey: definition.rangeKey?.name,
        attributes: [...attributes].map(([attributeName, type]) => ({ name: attributeName, type })),
        globalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
          name: index.name,
          hashKey: index.hashKey.name,
          rangeKey: index.rangeKey?.name,
          projectionType: 'ALL',
          // An index throttled by a burst throttles its table's writes too: warm them alike.
          warmThroughput: HOT_TABLES.includes(name) ? warmThroughput : undefined,
        })),
        ttl: definition.ttlAttribute ? { attributeName: definition.ttlAttribute, enabled: true } : undefined,
        pointInTimeRecovery: { enabled: name === 'players' || (protect && PROTECTED_TABLES.includes(name)) },
        deletionProtectionEnabled: protect && PROTECTED_TABLES.includes(name),
        warmThroughput: HOT_TABLES.includes(name) ? warmThroughput : undefined,
        serverSideEncryption: { enabled: true },
      },
      { ...opts, protect: protect && PROTECTED_TABLES.includes(name) },
    );
  }
  return tables;
}
