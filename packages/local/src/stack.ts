import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEPLOYMENT_FILE, DEPLOYMENT_FILE_VARIABLES } from '@matchmaking/functions/env';
import type { AccessTargets } from '@matchmaking/functions/iam-policy';
import {
  type FunctionDefinition,
  functions,
  QUEUE_MAX_RECEIVES,
  queueVisibilitySeconds,
} from '@matchmaking/functions/manifest';
import {
  type Queue,
  type QueuesInput,
  queueCatalog,
  queuesSchema,
} from '@matchmaking/functions/queue-config';
import { tableVariables } from '@matchmaking/functions/tables';
import { readStackSettings, singleQueue } from './config.js';
import { removeDevTokenFile, writeDevTokenFile } from './dev-token-file.js';
import {
  type AccessGuard,
  accessKeyIdOf,
  type LocalCredentials,
  newLocalCredentials,
  refuseUnsigned,
  sameText,
} from './emulators/aws-auth.js';
import { CallbackApi } from './emulators/callback-api.js';
import { startDynamo } from './emulators/dynamodb.js';
import { startDynamoGate } from './emulators/dynamodb-gate.js';
import { EcsEmulator, type GameServerProcess } from './emulators/ecs.js';
import { BodyTooLargeError, isLoopbackHost, readBody, sendJson, tooLarge } from './emulators/http-util.js';
import { LOCAL_ACCOUNT, LocalIam } from './emulators/iam.js';
import { LocalIdentity } from './emulators/identity.js';
import { ManagementApi } from './emulators/management-api.js';
import { PING_PATH, PingEndpoints, pingDelays } from './emulators/ping.js';
import { SqsEmulator } from './emulators/sqs.js';
import { refuse, WebSocketApi, type WebSocketLimits, webSocketLimits } from './emulators/websocket-api.js';
import { ensureGameServerBundle, gameServerBundle } from './game-server-bundle.js';
import { LocalLambdas, repoRoot } from './lambda.js';
import { LobbySite } from './lobby-site.js';
import { MetricsSummary } from './metrics-summary.js';
import { tapEmf } from './metrics-summary-emf-tap.js';

/** A fleet region's local cluster, and the game server's task definition family. */
const LOCAL_CLUSTER = (region: string) => `matchmaking-local-${region}`;
const LOCAL_TASK_DEFINITION = 'game-server';

/** The longest period between metrics summaries: a day (a timer cannot wait past 2^31 ms, about 24.8 days). */
export const MAX_METRICS_SUMMARY_SECONDS = 86_400;
/** Largest body of POST /dev/tokens (`{"userId": ...}`). */
const MAX_DEV_TOKEN_BODY_BYTES = 1024;
/** A user id: 1-128 characters, no control characters, no whitespace (`auth0|abc`, `google-oauth2|123`...). */
const USER_ID = /^[^\p{C}\p{Z}]{1,128}$/u;
const FOREIGN_HOST =
  'Forbidden: the Host header must name this machine (localhost, *.localhost, 127.0.0.1 or [::1])';

export interface LocalStackOptions {
  /** Port of the WebSocket API and every other local endpoint (0: any free port). */
  port?: number;
  /** Address every local endpoint listens on (default 127.0.0.1: this machine only). */
  host?: string;
  regions?: string[];
  /** The game modes (`matchmaking:queues`); default: Pulumi.dev.yaml's, or one queue of `teamSize`. */
  queues?: QueuesInput;
  /** Shorthand for one queue named `default` with this team size (and `ratingWindow`). */
  teamSize?: number;
  /** dynalite's data directory; in memory when absent. */
  dataDir?: string;
  /** Seconds between ticks (deadlines and window widening); 0 turns the tick off. */
  tickSeconds?: number;
  readyTimeoutSeconds?: number;
  maxMatchSeconds?: number;
  /** Seconds a game server waits with no player connected before it ends the match unplayed. */
  gameServerIdleSeconds?: number;
  /** A matchmaking pass's budget (PASS_MAX_MATCHES, PASS_BUDGET_SECONDS). */
  pass?: { maxMatches?: number; budgetSeconds?: number };
  ratingWindow?: { initial?: number; growthPerSecond?: number; max?: number };
  /** How a game-server task is started (tests inject misbehaving servers here). */
  gameServer?: GameServerProcess;
  /** Game-server tasks that may run at once; RunTask fails beyond, like ECS at the Fargate quota (default 16). */
  maxTasks?: number;
  /**
   * Idle warm game servers kept per region (WARM_POOL's idle; 0, the default,
   * turns the pool off), filled at start and by every tick, assigned by the
   * match starter exactly as on AWS.
   */
  warmServers?: number;
  /** The rest of the warm pool's settings (WARM_*); defaults as on AWS, max = warmServers. */
  warmPool?: {
    max?: number;
    leadSeconds?: number;
    heartbeatSeconds?: number;
    assignTimeoutSeconds?: number;
    registerSeconds?: number;
    matchesPerServer?: number;
  };
  /** Powertools log level of the handlers. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /**
   * Seconds between summaries of the metrics the handlers publish (their EMF
   * lines, taken off stdout: shown only with logLevel DEBUG); 0 or absent:
   * none; at most MAX_METRICS_SUMMARY_SECONDS (a day).
   */
  metricsSummarySeconds?: number;
  /** Where each summary line goes (default: stdout). */
  onMetricsSummary?: (line: string) => void;
  /** Game-server output lines; dropped when absent. */
  onGameServerLog?: (taskArn: string, line: string) => void;
  /** AWS's latencies and cold starts, all off by default (see Emulation). */
  emulate?: Emulation;
  /**
   * Enforce IAM (default true): every call a handler makes to an emulator is
   * checked against its function's policy, as the Pulumi program writes it
   * (LocalIam). false (`pnpm dev --no-iam`) allows every call.
   */
  iam?: boolean;
  /**
   * API Gateway's WebSocket time limits, in seconds: a connection the client
   * sent nothing on for `idleSeconds` (default 600) is closed, and every
   * connection `maxConnectionSeconds` (default 7200) after it connected; both
   * with 1001 and a $disconnect. Each may be shortened (tests use seconds),
   * not raised past AWS's.
   */
  websocketLimits?: Partial<WebSocketLimits>;
  /** The functions served, with their access (default: the manifest). Tests take a permission away here. */
  functions?: readonly FunctionDefinition[];
  /** Timeout in seconds per function name, instead of the manifest's (enforced as Lambda does). */
  functionTimeouts?: Record<string, number>;
  /**
   * The emulated round trip (ms, 0-5000) of each served region's ping endpoint
   * (`GET /ping/<region>`, what getPingTargets hands out); regions left out get
   * a fixed default (us-east-1 20, eu-west-1 90, ap-southeast-1 220...).
   */
  pingDelaysMs?: Record<string, number>;
  /**
   * Serve the browser lobby at `/` (built with Vite at start, about a second;
   * off by default, `pnpm dev` turns it on). Its URL carries this run's
   * dev-token secret in the fragment: `lobbyUrl`.
   */
  lobby?: boolean;
}

/** What the local runtime makes cost what it costs on AWS (every field defaults to 0: off). */
export interface Emulation {
  /** Milliseconds ECS RunTask takes to answer. */
  runTaskMs?: number;
  /** Seconds from RunTask to the container running (Fargate's provisioning and image pull: 30-45 s on AWS). */
  taskStartSeconds?: number;
  /** Milliseconds every DynamoDB call of the handlers takes at least. */
  dynamoDbMs?: number;
  /** A cold start of each function every N of its invocations: its module state is dropped and reloaded. */
  coldStartEvery?: number;
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;

/** The reference game server: its bundle run by plain node, as its container does (built at stack start when stale). */
export const defaultGameServer: GameServerProcess = {
  command: process.execPath,
  args: [gameServerBundle],
  cwd: repoRoot,
  prepare: async () => {
    await ensureGameServerBundle();
  },
};

/**
 * Starts the whole product on this machine: dynalite, the WebSocket API and
 * its @connections API, the callback HTTP API, SQS FIFO with the matchmaker's
 * event source mapping, ECS RunTask as local processes, a JWKS with dev
 * tokens, and the tick. The handlers are the real modules; only the endpoints
 * in their environment are local. One stack at a time per process (the environment is global); a later one starts its handlers cold.
 *
 * Only this machine is served: everything listens on 127.0.0.1, a request
 * whose Host is not a loopback name is refused (DNS rebinding), the AWS
 * emulators serve only requests signed with this run's random access key
 * (`credentials`, which the handlers get), and dev tokens need this run's
 * secret, left for `pnpm -s token` in a file only this user can read.
 *
 * Each function's timeout (the manifest's, or `functionTimeouts`) is enforced
 * as Lambda does. `emulate` adds what AWS costs and this machine does not:
 * RunTask's latency, Fargate's task start, DynamoDB's per-call latency (a
 * delaying link in front of dynalite: the handlers' endpoint is still a plain
 * URL), and cold starts. All are off by default.
 */
export async function startLocalStack(options: LocalStackOptions = {}) {
  // The SDK warns on Node 20 that future versions need Node 22; Lambda runs 22, so the warning is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const settings = options.regions && (options.queues || options.teamSize) ? undefined : readStackSettings();
  const regions = options.regions ?? (settings?.regions as string[]);
  const queues =
    options.queues ??
    (options.teamSize || options.ratingWindow
      ? singleQueue(options.teamSize ?? 1, options.ratingWindow)
      : (settings?.queues as QueuesInput));
  const catalog = queueCatalog(queuesSchema.parse(queues));
  const teamSize = (catalog.queues.get(catalog.defaultQueue) as Queue).teamSize;
  const home = regions[0] as string;
  const credentials = newLocalCredentials();
  const devTokenSecret = randomBytes(32).toString('base64url');
  const emulate = emulation(options.emulate);
  const summarySeconds = metricsSummarySeconds(options.metricsSummarySeconds);
  const pingDelaysMs = pingDelays(regions, options.pingDelaysMs);
  const limits = webSocketLimits(options.websocketLimits);
  const gameServer = options.gameServer ?? defaultGameServer;
  await gameServer.prepare?.();
  const lobby = options.lobby ? await LobbySite.build() : undefined;
  const dynamo = await startDynamo({ dataDir: options.dataDir, credentials, latencyMs: emulate.dynamoDbMs });
  const definitions = options.functions ?? functions;

  // Listeners first, the port last: nothing is ever accepted that no listener answers.
  let ready = false;
  const server = createServer();
  server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
    socket.on('error', () => undefined);
    if (!isLoopbackHost(request.headers.host)) return refuse(socket, 403, FOREIGN_HOST);
    if (!ready) return refuse(socket, 503, 'the local stack is starting');
    websocket.handleUpgrade(request, socket, head).catch(() => socket.destroy());
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    route(request, response).catch((error: unknown) => {
      console.error('local endpoint failed', error);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
    });
  });
  const host = options.host ?? '127.0.0.1';
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  let port = options.port ?? 3001;
  if (port === 0) {
    // Any free port: it is part of every endpoint the handlers are given, so it is taken
    // now; until everything is loaded the listeners above answer 503.
    await listen(0).catch(async (error: unknown) => {
      await dynamo.stop();
      throw error;
    });
    port = (server.address() as AddressInfo).port;
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  // This stack's `deployment` dimension: its summary takes only its own handlers' records.
  const metricsDeployment = `local-${port}`;
  const identity = await LocalIdentity.create(`${baseUrl}/`);
  const sqs = new SqsEmulator(baseUrl, home);
  // Each queue's visibility timeout is the deployed one: just above its consumer's timeout.
  const visibilityOf = (kind: 'matchmakingQueue' | 'matchStartQueue') => {
    const consumer = definitions.find((d) => d.trigger.kind === kind);
    const timeout = consumer ? (options.functionTimeouts?.[consumer.name] ?? consumer.timeoutSeconds) : 60;
    return queueVisibilitySeconds(timeout);
  };
  const queueUrl = sqs.createQueue('matchmaking-local.fifo', {
    visibilityTimeoutSeconds: visibilityOf('matchmakingQueue'),
    maxReceiveCount: QUEUE_MAX_RECEIVES,
  });
  // The match starter's queue: one message group per match, so matches start side by side.
  const matchStartQueueUrl = sqs.createQueue('match-starts-local.fifo', {
    visibilityTimeoutSeconds: visibilityOf('matchStartQueue'),
    maxReceiveCount: QUEUE_MAX_RECEIVES,
  });

  const iam = new LocalIam({
    functions: definitions,
    targets: localTargets({
      home,
      regions,
      tableNames: dynamo.tableNames,
      sqs,
      queueUrl,
      matchStartQueueUrl,
    }),
    admin: credentials,
    enforce: options.iam ?? true,
  });
  const guard: AccessGuard = (request, action, resource, context) =>
    iam.check(request, action, resource, context);
  const dynamoGate = await startDynamoGate({
    target: dynamo.endpoint,
    guard,
    tableArn: (table) => `arn:aws:dynamodb:${home}:${LOCAL_ACCOUNT}:table/${table}`,
    known: (request) => iam.callerOf(request).kind !== 'unknown',
    targetKeyId: credentials.accessKeyId,
  });
  try {
    // Lambda's CreateEventSourceMapping refuses a role that cannot poll its queue: so does this stack.
    for (const [trigger, url] of [
      ['matchmakingQueue', queueUrl],
      ['matchStartQueue', matchStartQueueUrl],
    ] as const) {
      const consumer = definitions.find((d) => d.trigger.kind === trigger);
      if (consumer) await checkQueueConsumer(iam, consumer.name, sqs.arnOf(url));
    }
  } catch (error) {
    await dynamoGate.close();
    await dynamo.stop();
    if (server.listening) server.close();
    throw error;
  }

  const environment = handlerEnvironment({
    options,
    regions,
    queues,
    baseUrl,
    queueUrl,
    matchStartQueueUrl,
    identity,
    dynamo,
    dynamoEndpoint: dynamoGate.endpoint,
    credentials,
    metricsDeployment,
  });
  // As deployed: each function's large settings in its own package's deployment file (only those
  // its manifest entry lists), the rest in the environment.
  const packages = writeDeploymentFiles(definitions, environment);
  for (const name of DEPLOYMENT_FILE_VARIABLES) {
    delete environment[name];
    delete process.env[name]; // an earlier stack's, in this process
  }
  // Outside any invocation (tests building a use case's dependencies themselves): every value.
  Object.assign(process.env, environment, { LAMBDA_TASK_ROOT: join(packages, ALL_SETTINGS) });
  const lambdas = new LocalLambdas({
    functions: definitions,
    environmentOf: (name) => {
      const own = iam.credentialsOf(name);
      return {
        AWS_ACCESS_KEY_ID: own.accessKeyId,
        AWS_SECRET_ACCESS_KEY: own.secretAccessKey,
        LAMBDA_TASK_ROOT: join(packages, name),
      };
    },
    functionTimeouts: options.functionTimeouts,
    coldStartEvery: emulate.coldStartEvery,
    log: options.logLevel === 'SILENT' ? undefined : (line) => console.error(line),
  });
  try {
    // Each function loads modules of its own (importFresh), so a later stack in this process
    // never reuses an earlier one's instances, SDK clients or settings.
    await lambdas.load();
  } catch (error) {
    rmSync(packages, { recursive: true, force: true });
    await dynamoGate.close();
    await dynamo.stop();
    if (server.listening) server.close();
    throw error;
  }

  const websocket = new WebSocketApi(lambdas, limits);
  const management = new ManagementApi(websocket, LOCAL_STAGE_ARN(home));
  management.guard = guard;
  const callbacks = new CallbackApi(lambdas);
  const pings = new PingEndpoints(pingDelaysMs);
  const taskEvents = lambdas.find((f) => f.trigger.kind === 'gameServerTaskEvents');
  const ecs = new EcsEmulator({
    process: gameServer,
    maxRunningTasks: options.maxTasks,
    runTaskMs: emulate.runTaskMs,
    taskStartSeconds: emulate.taskStartSeconds,
    log: options.onGameServerLog,
    onTaskStopped: (event) => {
      if (taskEvents)
        void lambdas.invoke(taskEvents.name, event).catch((error: unknown) => console.error(error));
    },
  });
  ecs.guard = guard;
  sqs.guard = guard;
  const matchmaker = lambdas.find((f) => f.trigger.kind === 'matchmakingQueue');
  if (matchmaker) sqs.attach(queueUrl, (event) => lambdas.invoke(matchmaker.name, event) as never);
  const starter = lambdas.find((f) => f.trigger.kind === 'matchStartQueue');
  if (starter) sqs.attach(matchStartQueueUrl, (event) => lambdas.invoke(starter.name, event) as never);

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isLoopbackHost(request.headers.host)) return sendJson(response, 403, { message: FOREIGN_HOST });
    if (!ready)
      return sendJson(response, 503, { message: 'the local stack is starting' }, { 'retry-after': '1' });
    let path: string;
    try {
      path = new URL(request.url ?? '/', baseUrl).pathname;
    } catch {
      return sendJson(response, 400, { message: 'Bad Request: malformed request target' });
    }
    if (sqs.matches(request)) {
      if (signed(request, response, 'sqs')) await sqs.handle(request, response);
      return;
    }
    if (ecs.matches(request)) {
      if (signed(request, response, 'ecs')) await ecs.handle(request, response);
      return;
    }
    if (management.matches(path)) {
      if (signed(request, response, 'execute-api')) await management.handle(request, response, path);
      return;
    }
    if (callbacks.matches(path)) return callbacks.handle(request, response, path);
    if (pings.matches(path)) return pings.handle(request, response, path);
    if (lobby?.matches(path)) return lobby.handle(request, response, path);
    if (path === '/.well-known/jwks.json') return sendJson(response, 200, identity.jwks);
    if (path === '/dev/tokens' && request.method === 'POST')
      return issueDevToken(request, response, identity, devTokenSecret);
    sendJson(response, 404, { message: 'Not Found', endpoints: endpoints() });
  }

  /** The AWS emulators serve only this run's handlers (and tests holding `credentials`). */
  function signed(
    request: IncomingMessage,
    response: ServerResponse,
    service: 'sqs' | 'ecs' | 'execute-api',
  ): boolean {
    if (iam.callerOf(request).kind !== 'unknown') return true;
    refuseUnsigned(response, service, accessKeyIdOf(request) === undefined ? 'missing' : 'invalid');
    return false;
  }

  // What CloudWatch Logs would make of the handlers' EMF lines (the same records), summed up locally.
  // The tap always takes this stack's records off stdout (shown with DEBUG only); they are summed
  // only while someone reads them: the periodic summary, or `metrics` from its first read.
  let metrics = summarySeconds > 0 ? new MetricsSummary() : undefined;
  const emf = tapEmf((record) => metrics?.add(record), {
    echo: options.logLevel === 'DEBUG',
    deployment: metricsDeployment,
  });
  const summarize = options.onMetricsSummary ?? ((line: string) => console.log(line));
  const summaryTimer = metrics
    ? setInterval(() => summarize((metrics as MetricsSummary).line(summarySeconds)), summarySeconds * 1000)
    : undefined;

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

  let tokenFile: string | undefined;
  try {
    if (!server.listening) await listen(port);
    tokenFile = await writeDevTokenFile(port, devTokenSecret);
  } catch (error) {
    await shutdown();
    throw error;
  }
  ready = true;
  // The warm pool fills at start, not only at the first tick.
  if (tick && (options.warmServers ?? 0) > 0)
    void lambdas.invoke(tick.name, scheduledEvent(home)).catch((error: unknown) => console.error(error));

  async function shutdown(): Promise<void> {
    if (tickTimer) clearInterval(tickTimer);
    if (summaryTimer) clearInterval(summaryTimer);
    try {
      if (tokenFile) await removeDevTokenFile(tokenFile);
      await websocket.stop();
      pings.close();
      await ecs.close();
      await lambdas.idle();
      sqs.stop();
      if (server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
      await dynamoGate.close();
      await dynamo.stop();
      rmSync(packages, { recursive: true, force: true });
    } finally {
      // However the rest went, stdout is left as it was.
      emf.remove();
    }
  }

  function endpoints() {
    return {
      websocket: `ws://127.0.0.1:${port}`,
      connections: `${baseUrl}/@connections`,
      callbacks: `${baseUrl}/matches/{matchId}/session|ready|result`,
      poolServers: `${baseUrl}/servers/{serverId}/register|heartbeat|assignment|deregister|release`,
      jwks: `${baseUrl}/.well-known/jwks.json`,
      ping: `${baseUrl}${PING_PATH}{region}`,
      devTokens: `${baseUrl}/dev/tokens`,
      sqs: queueUrl,
      ecs: baseUrl,
      dynamodb: dynamoGate.endpoint,
    };
  }

  return {
    port,
    regions,
    /** Players per team of the default queue. */
    teamSize,
    /** The queues served (MATCHMAKING_QUEUES). */
    queues: catalog,
    endpoints: endpoints(),
    identity,
    /** The AWS credentials of this run (an administrator's): the emulators serve only these and the functions' own. */
    credentials,
    /** IAM of this run: each function's credentials and policy, and the calls refused (`iam.denials`). */
    iam,
    /** The file `pnpm -s token` reads this run's dev-token secret from (removed on stop). */
    devTokenFile: tokenFile,
    /**
     * The lobby page (with `lobby: true`). The fragment holds this run's dev-token
     * secret, as `pnpm -s token` reads it from its file: browsers never send a
     * fragment to a server, and only who was shown this URL can mint tokens.
     */
    lobbyUrl: lobby ? `http://localhost:${port}/#devKey=${devTokenSecret}` : undefined,
    sqs,
    queueUrl,
    ecs,
    management,
    websocket,
    lambdas,
    /**
     * The metrics this stack's handlers published (their EMF records), e.g.
     * `metrics.line(60)`: from the start with a summary (metricsSummarySeconds),
     * else from the first read of `metrics`.
     */
    get metrics(): MetricsSummary {
      metrics ??= new MetricsSummary();
      return metrics;
    },
    /** The `deployment` dimension of this stack's metrics (METRICS_DEPLOYMENT): `local-<port>`. */
    metricsDeployment,
    /** The emulated latencies and cold starts in force (0: off). */
    emulate,
    /** Each served region's emulated ping round trip (ms), as its `GET /ping/<region>` answers. */
    pingDelaysMs,
    /** dynalite without the emulated latency (for tests reading the tables). */
    dynamoDirectEndpoint: dynamo.directEndpoint,
    /** DynamoDB calls served so far, by operation (take differences around what you measure). */
    dynamoCalls: () => dynamo.calls(),
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
    stop: shutdown,
  };
}

function handlerEnvironment(input: {
  options: LocalStackOptions;
  regions: string[];
  queues: QueuesInput;
  baseUrl: string;
  queueUrl: string;
  matchStartQueueUrl: string;
  identity: LocalIdentity;
  dynamo: Awaited<ReturnType<typeof startDynamo>>;
  /** The handlers' DynamoDB endpoint: the IAM gate in front of dynalite. */
  dynamoEndpoint: string;
  credentials: LocalCredentials;
  metricsDeployment: string;
}): Record<string, string> {
  const { options, regions, baseUrl, dynamo } = input;
  const tables = tableVariables((table) => dynamo.tableNames[table]);
  const fleets = Object.fromEntries(
    regions.map((region) => [
      region,
      {
        cluster: LOCAL_CLUSTER(region),
        taskDefinition: LOCAL_TASK_DEFINITION,
        containerName: 'game-server',
        subnets: [],
        securityGroups: [],
        assignPublicIp: true,
      },
    ]),
  );
  return {
    ...tables,
    MATCHMAKING_QUEUE_URL: input.queueUrl,
    MATCH_START_QUEUE_URL: input.matchStartQueueUrl,
    WEBSOCKET_MANAGEMENT_ENDPOINT: baseUrl,
    CALLBACK_BASE_URL: baseUrl,
    JWT_ISSUER: input.identity.issuer,
    JWT_AUDIENCE: input.identity.audience,
    JWKS_URL: `${baseUrl}/.well-known/jwks.json`,
    MATCHMAKING_REGIONS: regions.join(','),
    MATCHMAKING_QUEUES: JSON.stringify(input.queues),
    // getPingTargets hands out the local ping endpoints (emulated per-region delays).
    PING_URL_TEMPLATE: `${baseUrl}${PING_PATH}{region}`,
    GAME_SERVER_FLEETS: JSON.stringify(fleets),
    READY_TIMEOUT_SECONDS: String(options.readyTimeoutSeconds ?? 30),
    MAX_MATCH_SECONDS: String(options.maxMatchSeconds ?? 3600),
    GAME_SERVER_IDLE_SECONDS: String(options.gameServerIdleSeconds ?? 120),
    PASS_MAX_MATCHES: String(options.pass?.maxMatches ?? 1000),
    PASS_BUDGET_SECONDS: String(options.pass?.budgetSeconds ?? 20),
    ...poolEnvironment(options),
    AWS_REGION: regions[0] as string,
    AWS_ACCESS_KEY_ID: input.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: input.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: baseUrl,
    AWS_ENDPOINT_URL_ECS: baseUrl,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'INFO',
    METRICS_DEPLOYMENT: input.metricsDeployment,
  };
}

/** WARM_POOL and the other WARM_* variables from `warmServers` and `warmPool`. */
function poolEnvironment(options: LocalStackOptions): Record<string, string> {
  const idle = options.warmServers ?? 0;
  const pool = options.warmPool ?? {};
  if (!Number.isInteger(idle) || idle < 0) throw new Error(`warmServers must be a whole number, got ${idle}`);
  const max = pool.max ?? idle;
  return {
    WARM_POOL: JSON.stringify({
      default: { idle, max },
      regions: {},
      ...(pool.leadSeconds === undefined ? {} : { leadSeconds: pool.leadSeconds }),
    }),
    ...withValue('WARM_SERVER_HEARTBEAT_SECONDS', optionalNumber(pool.heartbeatSeconds)),
    ...withValue('WARM_ASSIGN_TIMEOUT_SECONDS', optionalNumber(pool.assignTimeoutSeconds)),
    ...withValue('WARM_SERVER_REGISTER_SECONDS', optionalNumber(pool.registerSeconds)),
    ...withValue('WARM_SERVER_MATCHES', optionalNumber(pool.matchesPerServer)),
  };
}

function optionalNumber(value: number | undefined): { value?: string } {
  return value === undefined ? {} : { value: String(value) };
}

/** metricsSummarySeconds, checked: 0 (absent: off) to MAX_METRICS_SUMMARY_SECONDS. */
function metricsSummarySeconds(seconds = 0): number {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_METRICS_SUMMARY_SECONDS)
    throw new Error(
      `metricsSummarySeconds must be 0 (off) to ${MAX_METRICS_SUMMARY_SECONDS} (a day), got ${seconds}`,
    );
  return seconds;
}

/** The emulation settings, checked, with every absent one 0 (off). */
function emulation(input: Emulation = {}): Required<Emulation> {
  const settings = {
    runTaskMs: input.runTaskMs ?? 0,
    taskStartSeconds: input.taskStartSeconds ?? 0,
    dynamoDbMs: input.dynamoDbMs ?? 0,
    coldStartEvery: input.coldStartEvery ?? 0,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`emulate.${name} must be 0 or more, got ${value}`);
  }
  if (!Number.isInteger(settings.coldStartEvery))
    throw new Error(`emulate.coldStartEvery must be a whole number, got ${settings.coldStartEvery}`);
  return settings;
}

function withValue(name: string, entry: { value?: string }): Record<string, string> {
  return entry.value === undefined ? {} : { [name]: entry.value };
}

/** POST /dev/tokens `{userId}` with `Authorization: Bearer <this run's secret>`: a token for that user. */
async function issueDevToken(
  request: IncomingMessage,
  response: ServerResponse,
  identity: LocalIdentity,
  secret: string,
) {
  const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
  if (!bearer || !sameText(bearer, secret)) {
    return sendJson(response, 403, {
      message: "Forbidden: dev tokens need this run's secret; `pnpm -s token <userId>` sends it",
    });
  }
  let body: Buffer;
  try {
    body = await readBody(request, MAX_DEV_TOKEN_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return tooLarge(response, { message: 'Request Entity Too Large' });
    throw error;
  }
  let userId: unknown;
  try {
    userId = (JSON.parse(body.toString('utf8')) as { userId?: unknown } | null)?.userId;
  } catch {
    userId = undefined;
  }
  if (typeof userId !== 'string' || !USER_ID.test(userId)) {
    return sendJson(response, 400, {
      message: 'userId must be 1-128 characters, without whitespace or control characters',
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

/** The WebSocket stage's ARN as IAM names it (API id `local`, stage `live` as the Pulumi program's). */
function LOCAL_STAGE_ARN(region: string): string {
  return `arn:aws:execute-api:${region}:${LOCAL_ACCOUNT}:local/live`;
}

/** The local resources' ARNs, named the way the Pulumi program names the deployed ones. */
export function localTargets(input: {
  home: string;
  regions: readonly string[];
  tableNames: Record<string, string>;
  sqs: SqsEmulator;
  queueUrl: string;
  matchStartQueueUrl: string;
}): AccessTargets {
  const { home } = input;
  return {
    tables: Object.fromEntries(
      Object.entries(input.tableNames).map(([name, table]) => [
        name,
        `arn:aws:dynamodb:${home}:${LOCAL_ACCOUNT}:table/${table}`,
      ]),
    ) as AccessTargets['tables'],
    websocketStageArn: LOCAL_STAGE_ARN(home),
    queueArn: input.sqs.arnOf(input.queueUrl),
    matchStartQueueArn: input.sqs.arnOf(input.matchStartQueueUrl),
    fleets: input.regions.map((region) => ({
      clusterArn: `arn:aws:ecs:${region}:${LOCAL_ACCOUNT}:cluster/${LOCAL_CLUSTER(region)}`,
      taskDefinitionArn: `arn:aws:ecs:${region}:${LOCAL_ACCOUNT}:task-definition/${LOCAL_TASK_DEFINITION}:*`,
      taskRoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${LOCAL_CLUSTER(region)}-task`,
      executionRoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${LOCAL_CLUSTER(region)}-execution`,
    })),
  };
}

/**
 * What CreateEventSourceMapping checks of the consumer's role: that it may
 * receive from, delete from and read the attributes of its queue
 * ("Amazon SQS execution role permissions", Lambda Developer Guide).
 */
async function checkQueueConsumer(iam: LocalIam, consumer: string, queueArn: string): Promise<void> {
  for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
    const denied = await iam.checkRole(consumer, action, queueArn);
    if (denied)
      throw new Error(
        `CreateEventSourceMapping for ${consumer}: InvalidParameterValueException: The provided execution role does not have permissions to call ${action.slice(4)} on SQS (${denied})`,
      );
  }
}

/**
 * Each function's deployment file (DEPLOYMENT_FILE) in a directory of its own
 * (`<dir>/<function>`), what Lambda's $LAMBDA_TASK_ROOT holds beside the
 * handler on AWS: only the large settings its manifest entry lists, as the
 * Pulumi program packages them, so a function reading one it does not list
 * fails here as it would there. Returns the parent directory.
 */
/** The directory whose deployment file holds every large setting (code outside an invocation). */
const ALL_SETTINGS = '_all';

function writeDeploymentFiles(
  definitions: readonly FunctionDefinition[],
  environment: Record<string, string>,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'matchmaking-local-task-'));
  const all: Pick<FunctionDefinition, 'name' | 'env'> = {
    name: ALL_SETTINGS,
    env: DEPLOYMENT_FILE_VARIABLES,
  };
  for (const definition of [...definitions, all]) {
    const values = Object.fromEntries(
      DEPLOYMENT_FILE_VARIABLES.filter(
        (name) => definition.env.includes(name) && environment[name] !== undefined,
      ).map((name) => [name, environment[name] as string]),
    );
    mkdirSync(join(dir, definition.name));
    if (Object.keys(values).length > 0)
      writeFileSync(join(dir, definition.name, DEPLOYMENT_FILE), JSON.stringify(values));
  }
  return dir;
}
