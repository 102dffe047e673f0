import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { tableDefinitions } from '@matchmaking/functions/tables';
import { repoRoot } from '../lambda.js';
import type { LocalCredentials } from './aws-auth.js';
import { startLatencyProxy } from './latency-proxy.js';

export interface LocalDynamo {
  /** The handlers' endpoint: behind the emulated latency when there is one. */
  endpoint: string;
  /** dynalite itself, with no emulated latency (the stack's setup, and tests reading the tables). */
  directEndpoint: string;
  /** Physical table name per logical table. */
  tableNames: Record<keyof typeof tableDefinitions, string>;
  /** Calls served so far, by operation (GetItem, Query, ...), the stack's own set-up included. */
  calls(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * dynalite (a real DynamoDB API on LevelDB) in a child process, in memory
 * unless a data directory is given, with the product's four tables created
 * from the same definitions the Pulumi program deploys. It listens on
 * 127.0.0.1, refuses a Host that is not a loopback name and, given
 * `credentials`, any request signed with another access key. Given
 * `latencyMs`, `endpoint` is a link that delays every call by that much (the
 * network and service time of DynamoDB on AWS); `directEndpoint` has none.
 */
export async function startDynamo(
  options: {
    dataDir?: string;
    tablePrefix?: string;
    credentials?: LocalCredentials;
    latencyMs?: number;
  } = {},
): Promise<LocalDynamo> {
  const script = fileURLToPath(new URL('./dynalite-process.ts', import.meta.url));
  const credentials = options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' };
  const child = spawn(process.execPath, ['--import', 'tsx', script, options.dataDir ?? ''], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      ...(options.credentials ? { DYNALITE_ACCESS_KEY_ID: options.credentials.accessKeyId } : {}),
    },
  });
  const waitingForCalls: ((calls: Record<string, number>) => void)[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const lines = output.split('\n');
      output = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const message = JSON.parse(line) as { port?: number; calls?: Record<string, number> };
        if (message.port !== undefined) resolve(message.port);
        if (message.calls) waitingForCalls.shift()?.(message.calls);
      }
    });
    child.once('exit', (code) => reject(new Error(`dynalite exited early (code ${code})`)));
  });
  const directEndpoint = `http://127.0.0.1:${port}`;
  const prefix = options.tablePrefix ?? 'matchmaking-local';
  const tableNames = Object.fromEntries(
    Object.keys(tableDefinitions).map((name) => [name, `${prefix}-${name}`]),
  ) as LocalDynamo['tableNames'];
  const client = new DynamoDBClient({
    endpoint: directEndpoint,
    region: 'us-east-1',
    credentials,
  });
  for (const [name, definition] of Object.entries(tableDefinitions)) {
    await createTable(client, tableNames[name as keyof typeof tableDefinitions], definition);
  }
  client.destroy();
  const latency =
    options.latencyMs && options.latencyMs > 0
      ? await startLatencyProxy({ host: '127.0.0.1', port }, options.latencyMs)
      : undefined;
  return {
    endpoint: latency?.endpoint ?? directEndpoint,
    directEndpoint,
    tableNames,
    calls: () =>
      new Promise((resolve) => {
        waitingForCalls.push(resolve);
        child.stdin.write('calls\n');
      }),
    stop: async () => {
      await latency?.close();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

async function createTable(
  client: DynamoDBClient,
  tableName: string,
  definition: (typeof tableDefinitions)[keyof typeof tableDefinitions],
): Promise<void> {
  const keys = [definition.hashKey, ...(definition.rangeKey ? [definition.rangeKey] : [])];
  const indexKeys = definition.globalSecondaryIndexes.flatMap((index) => [
    index.hashKey,
    ...(index.rangeKey ? [index.rangeKey] : []),
  ]);
  const attributes = new Map([...keys, ...indexKeys].map((key) => [key.name, key.type]));
  const keySchema = (hash: { name: string }, range?: { name: string }) => [
    { AttributeName: hash.name, KeyType: 'HASH' as const },
    ...(range ? [{ AttributeName: range.name, KeyType: 'RANGE' as const }] : []),
  ];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
          AttributeName,
          AttributeType,
        })),
        KeySchema: keySchema(definition.hashKey, definition.rangeKey),
        ...(definition.globalSecondaryIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
                IndexName: index.name,
                KeySchema: keySchema(index.hashKey, index.rangeKey),
                Projection: { ProjectionType: 'ALL' as const },
              })),
            }
          : {}),
      }),
    );
  } catch (error) {
    // A data directory from an earlier run already has the tables.
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  if (definition.ttlAttribute) {
    await client
      .send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
        }),
      )
      .catch(() => undefined); // dynalite does not implement TTL; nothing relies on it for correctness
  }
}
