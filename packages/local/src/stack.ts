import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tableDefinitions } from '@matchmaking/functions/tables';
import { readStackSettings } from './config.js';
import { CallbackApi } from './emulators/callback-api.js';
import { startDynamo } from './emulators/dynamodb.js';
import { EcsEmulator, type GameServerProcess } from './emulators/ecs.js';
import { sendJson } from './emulators/http-util.js';
import { LocalIdentity } from './emulators/identity.js';
import { ManagementApi } from './emulators/management-api.js';
import { SqsEmulator } from './emulators/sqs.js';
import { WebSocketApi } from './emulators/websocket-api.js';
import { LocalLambdas, repoRoot } from './lambda.js';

export interface LocalStackOptions {
  /** Port of the WebSocket API and every other local endpoint (0: any free port). */
  port?: number;
  host?: string;
  regions?: string[];
  teamSize?: number;
  /** dynalite's data directory; in memory when absent. */
  dataDir?: string;
  /** Seconds between ticks (deadlines and window widening); 0 turns the tick off. */
  tickSeconds?: number;
  readyTimeoutSeconds?: number;
  maxMatchSeconds?: number;
  ratingWindow?: { initial?: number; growthPerSecond?: number; max?: number };
  /** How a game-server task is started (tests inject misbehaving servers here). */
  gameServer?: GameServerProcess;
  /** Powertools log level of the handlers. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Game-server output lines; dropped when absent. */
  onGameServerLog?: (taskArn: string, line: string) => void;
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;

/** The reference game server, run from source the way its container runs the bundle. */
export const defaultGameServer: GameServerProcess = {
  command: process.execPath,
  args: ['--import', 'tsx', 'game-server/src/main.ts'],
  cwd: repoRoot,
};

/**
 * Starts the whole product on this machine: dynalite, the WebSocket API and
 * its @connections API, the callback HTTP API, SQS FIFO with the matchmaker's
 * event source mapping, ECS RunTask as local processes, a JWKS with dev
 * tokens, and the tick. The handlers are the real modules; only the endpoints
 * in their environment are local. One stack per process (the environment is global).
 */
export async function startLocalStack(options: LocalStackOptions = {}) {
  // The SDK warns on Node 20 that future versions need Node 22; Lambda runs 22, so the warning is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const settings =
    options.regions && options.teamSize
      ? { regions: options.regions, teamSize: options.teamSize }
      : readStackSettings();
  const regions = options.regions ?? settings.regions;
  const teamSize = options.teamSize ?? settings.teamSize;
  const home = regions[0] as string;
  const dynamo = await startDynamo({ dataDir: options.dataDir });
  const server = createServer();
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 3001, options.host ?? '127.0.0.1', resolve),
  );
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const identity = await LocalIdentity.create(`${baseUrl}/`);
  const sqs = new SqsEmulator(baseUrl, home);
  const queueUrl = sqs.createQueue('matchmaking-local.fifo', {
    visibilityTimeoutSeconds: 2,
    maxReceiveCount: 5,
  });

  Object.assign(
    process.env,
    handlerEnvironment({ options, regions, teamSize, baseUrl, queueUrl, identity, dynamo }),
  );
  const lambdas = new LocalLambdas();
  await lambdas.load();

  const websocket = new WebSocketApi(lambdas);
  const management = new ManagementApi(websocket);
  const callbacks = new CallbackApi(lambdas);
  const taskEvents = lambdas.find((f) => f.trigger.kind === 'gameServerTaskEvents');
  const ecs = new EcsEmulator({
    process: options.gameServer ?? defaultGameServer,
    log: options.onGameServerLog,
    onTaskStopped: (event) => {
      if (taskEvents)
        void lambdas.invoke(taskEvents.name, event).catch((error: unknown) => console.error(error));
    },
  });
  const matchmaker = lambdas.find((f) => f.trigger.kind === 'matchmakingQueue');
  if (matchmaker) sqs.attach(queueUrl, (event) => lambdas.invoke(matchmaker.name, event) as never);

  server.on('upgrade', (request, socket, head) => {
    websocket.handleUpgrade(request, socket, head).catch(() => socket.destroy());
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    route(request, response).catch((error: unknown) => {
      console.error('local endpoint failed', error);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', baseUrl).pathname;
    if (sqs.matches(request)) return sqs.handle(request, response);
    if (ecs.matches(request)) return ecs.handle(request, response);
    if (management.matches(path)) return management.handle(request, response, path);
    if (callbacks.matches(path)) return callbacks.handle(request, response, path);
    if (path === '/.well-known/jwks.json') return sendJson(response, 200, identity.jwks);
    if (path === '/dev/tokens' && request.method === 'POST')
      return issueDevToken(request, response, identity);
    sendJson(response, 404, { message: 'Not Found', endpoints: endpoints() });
  }

  const tick = lambdas.find((f) => f.trigger.kind === 'schedule');
  const tickSeconds = options.tickSeconds ?? 5;
  const tickTimer =
    tick && tickSeconds > 0
      ? setInterval(() => {
          const event = scheduledEvent(home);
          void lambdas
            .invoke(tick.name, event)
            .catch((error: unknown) => console.error('tick failed', error));
        }, tickSeconds * 1000)
      : undefined;

  function endpoints() {
    return {
      websocket: `ws://127.0.0.1:${port}`,
      connections: `${baseUrl}/@connections`,
      callbacks: `${baseUrl}/matches/{matchId}/ready|result`,
      jwks: `${baseUrl}/.well-known/jwks.json`,
      devTokens: `${baseUrl}/dev/tokens`,
      sqs: queueUrl,
      ecs: baseUrl,
      dynamodb: dynamo.endpoint,
    };
  }

  return {
    port,
    regions,
    teamSize,
    endpoints: endpoints(),
    identity,
    sqs,
    queueUrl,
    ecs,
    management,
    websocket,
    lambdas,
    tableNames: dynamo.tableNames,
    /** Runs the tick once now (what the timer does every tickSeconds). */
    async tick(): Promise<void> {
      if (tick) await lambdas.invoke(tick.name, scheduledEvent(home));
    },
    /** A token the stack accepts for this user. */
    token: (userId: string) => identity.issue(userId),
    /** Resolves once no queue message is waiting and no handler is running. */
    async settled(): Promise<void> {
      do {
        await sqs.idle();
        await lambdas.idle();
        await new Promise((resolve) => setTimeout(resolve, 10));
      } while (!sqs.isIdle() || lambdas.busy);
    },
    async stop(): Promise<void> {
      if (tickTimer) clearInterval(tickTimer);
      await websocket.stop();
      await ecs.close();
      await lambdas.idle();
      sqs.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await dynamo.stop();
    },
  };
}

function handlerEnvironment(input: {
  options: LocalStackOptions;
  regions: string[];
  teamSize: number;
  baseUrl: string;
  queueUrl: string;
  identity: LocalIdentity;
  dynamo: Awaited<ReturnType<typeof startDynamo>>;
}): Record<string, string> {
  const { options, regions, baseUrl, dynamo } = input;
  const tables = Object.fromEntries(
    Object.entries(tableDefinitions).map(([name, definition]) => [
      definition.envName,
      dynamo.tableNames[name as keyof typeof dynamo.tableNames],
    ]),
  );
  const fleets = Object.fromEntries(
    regions.map((region) => [
      region,
      {
        cluster: `matchmaking-local-${region}`,
        taskDefinition: 'game-server',
        containerName: 'game-server',
        subnets: [],
        securityGroups: [],
        assignPublicIp: true,
      },
    ]),
  );
  const window = options.ratingWindow ?? {};
  const optional = (value: number | undefined) => (value === undefined ? {} : { value: String(value) });
  return {
    ...tables,
    MATCHMAKING_QUEUE_URL: input.queueUrl,
    WEBSOCKET_MANAGEMENT_ENDPOINT: baseUrl,
    CALLBACK_BASE_URL: baseUrl,
    JWT_ISSUER: input.identity.issuer,
    JWT_AUDIENCE: input.identity.audience,
    JWKS_URL: `${baseUrl}/.well-known/jwks.json`,
    MATCHMAKING_REGIONS: regions.join(','),
    TEAM_SIZE: String(input.teamSize),
    GAME_SERVER_FLEETS: JSON.stringify(fleets),
    ...withValue('RATING_WINDOW_INITIAL', optional(window.initial)),
    ...withValue('RATING_WINDOW_GROWTH_PER_SECOND', optional(window.growthPerSecond)),
    ...withValue('RATING_WINDOW_MAX', optional(window.max)),
    READY_TIMEOUT_SECONDS: String(options.readyTimeoutSeconds ?? 30),
    MAX_MATCH_SECONDS: String(options.maxMatchSeconds ?? 3600),
    AWS_REGION: regions[0] as string,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: baseUrl,
    AWS_ENDPOINT_URL_ECS: baseUrl,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'INFO',
  };
}

function withValue(name: string, entry: { value?: string }): Record<string, string> {
  return entry.value === undefined ? {} : { [name]: entry.value };
}

async function issueDevToken(request: IncomingMessage, response: ServerResponse, identity: LocalIdentity) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let userId: unknown;
  try {
    userId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { userId?: unknown }).userId;
  } catch {
    userId = undefined;
  }
  if (typeof userId !== 'string' || !/^[\w.@-]{1,128}$/.test(userId)) {
    return sendJson(response, 400, {
      message: 'userId must be 1-128 characters of letters, digits, . _ @ -',
    });
  }
  sendJson(response, 200, { userId, token: await identity.issue(userId) });
}

function scheduledEvent(region: string): object {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region,
    resources: ['arn:aws:events:local:000000000000:rule/matchmaking-local-tick'],
    detail: {},
  };
}
