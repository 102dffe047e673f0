import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GameServerEnv } from '@matchmaking/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GameServerProcess, LocalStack } from '../../src/index.js';
import { repoRoot } from '../../src/lambda.js';
import { TestPlayer, upgradeStatus } from '../helpers/player.js';
import { RawClient } from '../helpers/raw-socket.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * Issue B: the ECS, SQS, @connections and dev-token endpoints served
 * unsigned requests from anyone who could reach the port, with any Host: an
 * unsigned RunTask with NODE_OPTIONS in its overrides ran code as the
 * developer, and RunTask with a match id as clientToken handed back that
 * match's task and secrets. Now: loopback Host names only (DNS rebinding),
 * SigV4 with this run's random access key, a per-run dev-token secret, a
 * minimal game-server environment whose overrides may only name the game
 * server's variables, and everything on 127.0.0.1.
 */
const envDump: GameServerProcess = {
  command: process.execPath,
  args: [
    '-e',
    "console.log('ENV ' + JSON.stringify(process.env)); process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);",
  ],
  cwd: process.cwd(),
};
const logs: string[] = [];
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;
let secret: string;
let stopped = false;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    teamSize: 50,
    gameServer: envDump,
    onGameServerLog: (_, line) => logs.push(line),
  });
  tables = tableReader(stack);
  secret = (JSON.parse(readFileSync(stack.devTokenFile as string, 'utf8')) as { devTokenSecret: string })
    .devTokenSecret;
});
afterAll(async () => {
  if (!stopped) await stack.stop();
});

const endpoint = () => `http://127.0.0.1:${stack.port}`;
const ecsTarget = 'AmazonEC2ContainerServiceV20141113.RunTask';
const runTaskBody = (environment: { name: string; value: string }[] = [], clientToken?: string) =>
  JSON.stringify({
    cluster: 'c',
    taskDefinition: 'game-server',
    ...(clientToken ? { clientToken } : {}),
    overrides: { containerOverrides: [{ name: 'game-server', environment }] },
  });

/** A raw HTTP request with any Host header (fetch does not let one choose it). */
function raw(
  path: string,
  options: { method?: string; host?: string; headers?: Record<string, string>; body?: string; port?: number },
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port ?? stack.port,
        method: options.method ?? 'GET',
        path,
        headers: { host: options.host ?? `127.0.0.1:${stack.port}`, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: response.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('a Host that is not this machine (DNS rebinding)', () => {
  it.each(['evil.example', 'evil.example:3001', 'localhost.evil.example', '127.0.0.1.nip.io', '10.0.0.1'])(
    'Host %s: 403 on every endpoint, and the upgrade is refused before the authorizer',
    async (host) => {
      const signed = `AWS4-HMAC-SHA256 Credential=${stack.credentials.accessKeyId}/20261124/eu-west-1/ecs/aws4_request`;
      const attempts = [
        raw('/.well-known/jwks.json', { host }),
        raw('/dev/tokens', {
          host,
          method: 'POST',
          headers: { authorization: `Bearer ${secret}` },
          body: '{"userId":"x"}',
        }),
        raw('/', {
          host,
          method: 'POST',
          headers: { 'x-amz-target': ecsTarget, authorization: signed },
          body: runTaskBody(),
        }),
        raw('/matches/m/ready', { host, method: 'POST', body: '{}' }),
        raw('/@connections/abc', { host, method: 'GET', headers: { authorization: signed } }),
      ];
      for (const answer of await Promise.all(attempts)) expect(answer.status).toBe(403);
      const userId = `rebound-${host.replace(/\W/g, '')}`;
      const { client, status } = await RawClient.upgrade(
        stack.port,
        { Authorization: `Bearer ${await stack.token(userId)}` },
        { host },
      );
      client.destroy();
      expect(status).toBe(403);
      await stack.settled();
      expect(await tables.player(userId)).toBeUndefined();
    },
  );

  it.each(['localhost', 'LOCALHOST:3001', 'game.localhost:80', '127.0.0.1', '127.1.2.3:9', '[::1]:3001'])(
    'Host %s is this machine: served',
    async (host) => {
      expect((await raw('/.well-known/jwks.json', { host })).status).toBe(200);
    },
  );
});

describe('the AWS emulators serve only this run', () => {
  it('refuses an unsigned RunTask (even with a known match id as clientToken) and starts nothing', async () => {
    const tasks = stack.ecs.tasks.size;
    const answer = await raw('/', {
      method: 'POST',
      headers: { 'x-amz-target': ecsTarget, 'content-type': 'application/x-amz-json-1.1' },
      body: runTaskBody([{ name: 'NODE_OPTIONS', value: '--require /tmp/evil.js' }], 'match-1'),
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).__type).toBe('MissingAuthenticationTokenException');
    expect(stack.ecs.tasks.size).toBe(tasks);
  });

  it('refuses requests signed with another access key, in each service’s error shape', async () => {
    const wrong = { accessKeyId: 'AKIAWRONGWRONGWRONG1', secretAccessKey: stack.credentials.secretAccessKey };
    const ecs = new ECSClient({ region: 'eu-west-1', endpoint: endpoint(), credentials: wrong });
    await expect(
      ecs.send(new RunTaskCommand({ cluster: 'c', taskDefinition: 'game-server' })),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    const sqs = new SQSClient({
      region: 'eu-west-1',
      endpoint: endpoint(),
      credentials: wrong,
      maxAttempts: 1,
    });
    await expect(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.queueUrl,
          MessageBody: '{}',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'd',
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    const management = new ApiGatewayManagementApiClient({
      region: 'eu-west-1',
      endpoint: endpoint(),
      credentials: wrong,
    });
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId: 'abc', Data: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    const dynamo = new DynamoDBClient({
      region: 'eu-west-1',
      endpoint: stack.endpoints.dynamodb,
      credentials: wrong,
    });
    await expect(dynamo.send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    expect(stack.credentials.accessKeyId).toMatch(/^AKIA[0-9A-F]{16}$/);
  });

  it('refuses overrides outside the game server’s variables (NODE_OPTIONS...) and starts nothing', async () => {
    const ecs = new ECSClient({ region: 'eu-west-1', endpoint: endpoint(), credentials: stack.credentials });
    const tasks = stack.ecs.tasks.size;
    for (const name of ['NODE_OPTIONS', 'LD_PRELOAD', 'PATH', 'AWS_ACCESS_KEY_ID', 'HOME_USER_IDS']) {
      await expect(
        ecs.send(
          new RunTaskCommand({
            cluster: 'c',
            taskDefinition: 'game-server',
            overrides: { containerOverrides: [{ name: 'game-server', environment: [{ name, value: 'x' }] }] },
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining(name) });
    }
    expect(stack.ecs.tasks.size).toBe(tasks);
  });

  it('gives a game server only PATH, HOME and its overrides, with PORT=0 and HOST=127.0.0.1', async () => {
    const ecs = new ECSClient({ region: 'eu-west-1', endpoint: endpoint(), credentials: stack.credentials });
    const environment = [
      { name: GameServerEnv.matchId, value: 'env-match' },
      { name: GameServerEnv.callbackBaseUrl, value: endpoint() },
      { name: GameServerEnv.bootstrapToken, value: 'bootstrap' },
      { name: GameServerEnv.port, value: '80' },
      { name: GameServerEnv.host, value: '0.0.0.0' },
    ];
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: 'c',
        taskDefinition: 'game-server',
        overrides: { containerOverrides: [{ name: 'game-server', environment }] },
      }),
    );
    expect(run.tasks).toHaveLength(1);
    await eventually(() => expect(logs.some((line) => line.startsWith('ENV '))).toBe(true));
    const seen = JSON.parse((logs.find((line) => line.startsWith('ENV ')) as string).slice(4)) as Record<
      string,
      string
    >;
    const allowed = new Set(['PATH', 'HOME', ...Object.values(GameServerEnv)]);
    expect(Object.keys(seen).filter((name) => !allowed.has(name))).toEqual([]);
    expect(seen).toMatchObject({
      MATCH_ID: 'env-match',
      MATCH_BOOTSTRAP_TOKEN: 'bootstrap',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    expect(JSON.stringify(seen)).not.toContain(stack.credentials.secretAccessKey);
    expect(JSON.stringify(seen)).not.toContain(secret);
    await stack.ecs.stopAll();
  });
});

describe('dev tokens need this run’s secret', () => {
  const issue = (headers: Record<string, string>, userId: unknown = 'someone') =>
    fetch(`${endpoint()}/dev/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ userId }),
    });

  it('403 without it or with another; 200 with it', async () => {
    expect((await issue({})).status).toBe(403);
    expect((await issue({ authorization: 'Bearer guess' })).status).toBe(403);
    expect((await issue({ authorization: `Bearer ${secret}x` })).status).toBe(403);
    expect((await issue({ authorization: `Bearer ${secret}` })).status).toBe(200);
  });

  it('leaves the secret in a file only this user can read', () => {
    const file = stack.devTokenFile as string;
    expect(file).toContain(String(stack.port));
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ port: stack.port, devTokenSecret: secret });
  });

  it('`pnpm -s token <userId>` reads it and prints a token the stack accepts', async () => {
    const token = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          join(repoRoot, 'packages/local/src/cli/token.ts'),
          'auth0|cli-user',
          '--port',
          String(stack.port),
        ],
        { cwd: repoRoot },
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout.trim())),
      ),
    );
    expect(await upgradeStatus(stack, { Authorization: `Bearer ${token}` })).toBe(101);
    await eventually(async () => expect(await tables.player('auth0|cli-user')).toBeDefined());
  });

  it.each(['auth0|abc', 'google-oauth2|123', 'ünïcödé', 'x'.repeat(128)])(
    'accepts the user id %s',
    async (userId) => {
      const response = await issue({ authorization: `Bearer ${secret}` }, userId);
      expect(response.status).toBe(200);
      const token = ((await response.json()) as { token: string }).token;
      const player = await TestPlayer.connect(stack, userId).catch(() => undefined);
      expect(player).toBeDefined();
      expect(token.split('.')).toHaveLength(3);
      await player?.close();
    },
  );

  it.each(['', 'a b', 'tab\there', 'nul\u0000', 'x'.repeat(129), 42])(
    'refuses the user id %j',
    async (userId) => {
      expect((await issue({ authorization: `Bearer ${secret}` }, userId)).status).toBe(400);
    },
  );
});

describe('this machine only', () => {
  it('listens on 127.0.0.1: not on the machine’s other addresses (the API and dynalite)', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && address.family === 'IPv4' && !address.internal)
      .map((address) => address?.address as string);
    const dynamoPort = Number(new URL(stack.endpoints.dynamodb).port);
    expect(new URL(stack.endpoints.dynamodb).hostname).toBe('127.0.0.1');
    for (const address of others) {
      for (const port of [stack.port, dynamoPort]) {
        const reached = await new Promise<boolean>((resolve) => {
          const socket = connect(port, address, () => {
            socket.destroy();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        });
        expect(reached, `${address}:${port}`).toBe(false);
      }
    }
    expect(
      (await raw('/', { port: dynamoPort, host: 'evil.example', method: 'POST', body: '{}' })).status,
    ).toBe(403);
    // Unsigned, from this machine: refused too (only the runtime's own key opens DynamoDB).
    const unsigned = await raw('/', {
      port: dynamoPort,
      host: `127.0.0.1:${dynamoPort}`,
      method: 'POST',
      body: '{}',
      headers: {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
      },
    });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body).toContain('MissingAuthenticationToken');
  });

  it('removes the secret file when it stops', async () => {
    const file = stack.devTokenFile as string;
    stopped = true;
    await stack.stop();
    expect(existsSync(file)).toBe(false);
  });
});
