import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../src/index.js';

/** Reads the stack's tables directly, to assert end states (tests only: production never scans). */
export function tableReader(stack: LocalStack) {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: stack.credentials,
    }),
  );
  const scan = async (table: string) => (await doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
  return {
    player: async (userId: string) =>
      (await doc.send(new GetCommand({ TableName: stack.tableNames.players, Key: { userId } }))).Item,
    players: () => scan(stack.tableNames.players),
    tickets: () => scan(stack.tableNames.tickets),
    matches: () => scan(stack.tableNames.matches),
    connections: () => scan(stack.tableNames.connections),
    servers: () => scan(stack.tableNames.servers),
    /** Every ticket of a region, whatever its state. */
    waiting: async (region: string) =>
      (await scan(stack.tableNames.tickets)).filter((t) => t.region === region),
  };
}
