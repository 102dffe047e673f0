import type { ClientActionName } from '@matchmaking/core';
import type { EnvName } from './env.js';

/**
 * The Lambda functions of the product: what triggers each, which handler
 * module it runs, which environment variables it reads and which AWS access it
 * needs. The Pulumi program builds functions, routes and least-privilege IAM
 * from this list; the local runtime routes events with it. One list for both.
 */
/** The WebSocket API's routes: API Gateway's three, and one per client action (`action` selects the route). */
export type WebSocketRouteKey = '$connect' | '$disconnect' | '$default' | ClientActionName;

export type Trigger =
  | { kind: 'websocketAuthorizer' }
  | { kind: 'websocketRoute'; routeKey: WebSocketRouteKey }
  | { kind: 'matchmakingQueue' }
  /** The match-start FIFO queue (one message group per match): the parallel stage after the serial pass. */
  | { kind: 'matchStartQueue' }
  | { kind: 'http'; method: 'POST'; path: string }
  | { kind: 'schedule'; expression: string }
  /** EventBridge "ECS Task State Change" events of every region's game-server cluster. */
  | { kind: 'gameServerTaskEvents' };

export type TableName =
  | 'connections'
  | 'players'
  | 'tickets'
  | 'matches'
  | 'matchmaker'
  | 'servers'
  | 'parties';
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query'
  | 'dynamodb:BatchGetItem';

export type Access =
  | { kind: 'table'; table: TableName; actions: TableAction[] }
  | { kind: 'manageConnections' }
  | { kind: 'sendToMatchmakingQueue' }
  | { kind: 'sendToMatchStartQueue' }
  /** What the event source mapping polls the queue with, as the consumer's role (iam-policy.ts). */
  | { kind: 'consumeMatchmakingQueue' }
  | { kind: 'consumeMatchStartQueue' }
  /** ecs:RunTask and ecs:StopTask on the fleets, and iam:PassRole of their task roles to ECS tasks. */
  | { kind: 'runGameServers' };

/**
 * A queue's visibility timeout for a consumer with this timeout: just above
 * it (CreateEventSourceMapping requires at least the function's timeout), by
 * as much again up to 30 s. 60 s -> 90 s for the matchmaker, 30 s -> 60 s for
 * the match starter (under the 120 s ready deadline). Deployed and local
 * queues both use it.
 */
export function queueVisibilitySeconds(consumerTimeoutSeconds: number): number {
  return consumerTimeoutSeconds + Math.min(30, consumerTimeoutSeconds);
}

/**
 * Receives of a message before its queue moves it to the dead-letter queue
 * (the redrive policy's maxReceiveCount). A failure comes back within
 * seconds (record-retry.ts), but a batch Lambda could not even invoke
 * (throttled: nothing is reserved by default) comes back only after the
 * visibility timeout, and each time counts: 10 x 90 s keeps a throttled pass
 * request 15 minutes before it is given up.
 */
export const QUEUE_MAX_RECEIVES = 10;

/** Messages per batch of the queues' event source mappings (at most 10 for FIFO queues). */
export const QUEUE_BATCH_SIZE = 10;

export interface FunctionDefinition {
  /** Logical name; also the Lambda's name suffix and the local runtime's key. */
  name: string;
  /** Handler module, relative to functions/, exporting `handler`. */
  entry: string;
  trigger: Trigger;
  env: readonly EnvName[];
  access: readonly Access[];
  timeoutSeconds: number;
  memoryMb: number;
  /**
   * Concurrency set aside for this function alone (the local runtime's tests
   * use it). The deployed matchmaker takes it from the stack setting
   * `matchmaking:reservedConcurrency`, off by default: new accounts have a
   * concurrency quota of 10 and AWS refuses a reservation that leaves fewer
   * than 10 unreserved ("Lambda quotas", Lambda Developer Guide).
   */
  reservedConcurrency?: number;
  /**
   * A queue consumer's bound: the event source mapping's maximum concurrency
   * (at least 2, "Configuring maximum concurrency for Amazon SQS event
   * sources"), so a burst of message groups waits in the queue instead of
   * being throttled back to it.
   */
  maximumConcurrency?: number;
}

const TABLES: readonly EnvName[] = [
  'CONNECTIONS_TABLE',
  'PLAYERS_TABLE',
  'TICKETS_TABLE',
  'MATCHES_TABLE',
  'PARTIES_TABLE',
];
const READ_WRITE: TableAction[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];
/** The warm pool's settings (WARM_*), read by every function that uses the pool. */
const POOL_SETTINGS: readonly EnvName[] = [
  'WARM_POOL',
  'WARM_SERVER_HEARTBEAT_SECONDS',
  'WARM_ASSIGN_TIMEOUT_SECONDS',
  'WARM_SERVER_REGISTER_SECONDS',
  'WARM_SERVER_MATCHES',
];
/** What launching, assigning and retiring pool servers needs (with ECS access, see runGameServers). */
const POOL_KEEPER: readonly EnvName[] = [
  'SERVERS_TABLE',
  'MATCHMAKER_TABLE',
  'CALLBACK_BASE_URL',
  'GAME_SERVER_FLEETS',
  'MAX_MATCH_SECONDS',
  'GAME_SERVER_IDLE_SECONDS',
  ...POOL_SETTINGS,
];
const POOL_KEEPER_ACCESS: Access[] = [
  {
    kind: 'table',
    table: 'servers',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
  },
];
/** What every queueing route (joinQueue, tryCreateMatch, listQueues...) reads: the queues, regions, their figures. */
const QUEUEING: readonly EnvName[] = [
  'MATCHMAKING_QUEUE_URL',
  'MATCHMAKING_REGIONS',
  'MATCHMAKING_QUEUES',
  'MATCHMAKER_TABLE',
];
const READ_QUEUE_STATS: Access = { kind: 'table', table: 'matchmaker', actions: ['dynamodb:BatchGetItem'] };
const PARTIES_READ_WRITE: Access = { kind: 'table', table: 'parties', actions: READ_WRITE };
/** Every message route replies and counts the player's messages (the per-player limit). */
const MESSAGE_ROUTE: readonly EnvName[] = ['WEBSOCKET_MANAGEMENT_ENDPOINT', 'MAX_MESSAGES_PER_PLAYER'];
const MESSAGE_COUNT: Access = { kind: 'table', table: 'players', actions: ['dynamodb:UpdateItem'] };
const allTables = (actions: TableAction[]): Access[] =>
  (['connections', 'players', 'tickets', 'matches'] as const).map((table) => ({
    kind: 'table',
    table,
    actions,
  }));

/**
 * A party action (createParty, joinParty, leaveParty, kickFromParty): it
 * changes the party, tells its members, and may take the party's ticket out
 * of the queue (so it tells the matchmaker).
 */
function partyAction(routeKey: ClientActionName, entry: string): FunctionDefinition {
  return {
    name: routeKey,
    entry,
    trigger: { kind: 'websocketRoute', routeKey },
    env: [...TABLES, ...MESSAGE_ROUTE, 'MATCHMAKING_QUEUES', 'MATCHMAKING_QUEUE_URL'],
    access: [
      ...allTables(READ_WRITE),
      PARTIES_READ_WRITE,
      { kind: 'manageConnections' },
      { kind: 'sendToMatchmakingQueue' },
    ],
    timeoutSeconds: 10,
    memoryMb: 256,
  };
}

/** A read of the queues' figures (listQueues, getQueueStats): one BatchGetItem on the matchmaker table. */
function queueFiguresAction(routeKey: ClientActionName, entry: string): FunctionDefinition {
  return {
    name: routeKey,
    entry,
    trigger: { kind: 'websocketRoute', routeKey },
    env: [...TABLES, ...MESSAGE_ROUTE, ...QUEUEING],
    access: [READ_QUEUE_STATS, MESSAGE_COUNT, { kind: 'manageConnections' }],
    timeoutSeconds: 10,
    memoryMb: 256,
  };
}

const definitions: readonly FunctionDefinition[] = [
  {
    name: 'authorizer',
    entry: 'src/handlers/authorizer.ts',
    trigger: { kind: 'websocketAuthorizer' },
    env: ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URL', 'JWT_MAX_TOKEN_AGE_SECONDS'],
    access: [],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    name: 'connect',
    entry: 'src/handlers/connect.ts',
    trigger: { kind: 'websocketRoute', routeKey: '$connect' },
    env: [...TABLES, ...MESSAGE_ROUTE, 'MATCHMAKING_QUEUE_URL'],
    access: [...allTables(READ_WRITE), { kind: 'sendToMatchmakingQueue' }, { kind: 'manageConnections' }],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    name: 'disconnect',
    entry: 'src/handlers/disconnect.ts',
    trigger: { kind: 'websocketRoute', routeKey: '$disconnect' },
    env: [...TABLES, ...MESSAGE_ROUTE, 'MATCHMAKING_QUEUES', 'MATCHMAKING_QUEUE_URL'],
    // A party member's disconnect tells the rest of the party; a ticket taken out tells the matchmaker.
    access: [
      ...allTables(READ_WRITE),
      PARTIES_READ_WRITE,
      { kind: 'manageConnections' },
      { kind: 'sendToMatchmakingQueue' },
    ],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    name: 'default',
    entry: 'src/handlers/default.ts',
    trigger: { kind: 'websocketRoute', routeKey: '$default' },
    env: ['WEBSOCKET_MANAGEMENT_ENDPOINT', 'PLAYERS_TABLE', 'MAX_MESSAGES_PER_PLAYER'],
    access: [MESSAGE_COUNT, { kind: 'manageConnections' }],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    name: 'joinQueue',
    entry: 'src/handlers/join-queue.ts',
    trigger: { kind: 'websocketRoute', routeKey: 'joinQueue' },
    env: [...TABLES, ...MESSAGE_ROUTE, ...QUEUEING],
    access: [
      ...allTables(READ_WRITE),
      READ_QUEUE_STATS,
      { kind: 'table', table: 'parties', actions: ['dynamodb:GetItem'] },
      { kind: 'sendToMatchmakingQueue' },
      { kind: 'manageConnections' },
    ],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    name: 'leaveQueue',
    entry: 'src/handlers/leave-queue.ts',
    trigger: { kind: 'websocketRoute', routeKey: 'leaveQueue' },
    env: [...TABLES, ...MESSAGE_ROUTE, 'MATCHMAKING_QUEUE_URL'],
    access: [...allTables(READ_WRITE), { kind: 'sendToMatchmakingQueue' }, { kind: 'manageConnections' }],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    name: 'tryCreateMatch',
    entry: 'src/handlers/try-create-match.ts',
    trigger: { kind: 'websocketRoute', routeKey: 'tryCreateMatch' },
    env: [...TABLES, ...MESSAGE_ROUTE, ...QUEUEING],
    access: [
      ...allTables(['dynamodb:GetItem']),
      MESSAGE_COUNT,
      { kind: 'sendToMatchmakingQueue' },
      { kind: 'manageConnections' },
    ],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    name: 'getProfile',
    entry: 'src/handlers/get-profile.ts',
    trigger: { kind: 'websocketRoute', routeKey: 'getProfile' },
    env: [...TABLES, ...MESSAGE_ROUTE],
    access: [...allTables(['dynamodb:GetItem']), MESSAGE_COUNT, { kind: 'manageConnections' }],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  partyAction('createParty', 'src/handlers/create-party.ts'),
  partyAction('joinParty', 'src/handlers/join-party.ts'),
  partyAction('leaveParty', 'src/handlers/leave-party.ts'),
  partyAction('kickFromParty', 'src/handlers/kick-from-party.ts'),
  queueFiguresAction('listQueues', 'src/handlers/list-queues.ts'),
  queueFiguresAction('getQueueStats', 'src/handlers/get-queue-stats.ts'),
  {
    // The URLs clients time per region: from the settings alone. Like $default, it only counts
    // the caller's messages (the rate limit, on the players table) and replies.
    name: 'getPingTargets',
    entry: 'src/handlers/get-ping-targets.ts',
    trigger: { kind: 'websocketRoute', routeKey: 'getPingTargets' },
    env: [...MESSAGE_ROUTE, 'PLAYERS_TABLE', 'MATCHMAKING_REGIONS', 'PING_URL_TEMPLATE'],
    access: [MESSAGE_COUNT, { kind: 'manageConnections' }],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    // The SDK's keepalive (API Gateway's 10-minute idle timeout): it only counts the caller's
    // messages (the rate limit, on the players table) and answers a requestId'd one.
    name: 'keepAlive',
    entry: 'src/handlers/keep-alive.ts',
    trigger: { kind: 'websocketRoute', routeKey: 'keepAlive' },
    env: [...MESSAGE_ROUTE, 'PLAYERS_TABLE'],
    access: [MESSAGE_COUNT, { kind: 'manageConnections' }],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    // The ready check's answers: records an accept (or settles a decline: requeues the tickets whose
    // players all accepted) and hands a fully accepted match to the starter. It never starts a server.
    name: 'acceptMatch',
    entry: 'src/handlers/accept-match.ts',
    trigger: { kind: 'websocketRoute', routeKey: 'acceptMatch' },
    env: [
      ...TABLES,
      ...MESSAGE_ROUTE,
      'READY_TIMEOUT_SECONDS',
      'MATCHMAKING_QUEUE_URL',
      'MATCH_START_QUEUE_URL',
    ],
    access: [
      ...allTables(READ_WRITE),
      { kind: 'manageConnections' },
      { kind: 'sendToMatchmakingQueue' },
      { kind: 'sendToMatchStartQueue' },
    ],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    name: 'matchmaker',
    entry: 'src/handlers/matchmaker.ts',
    trigger: { kind: 'matchmakingQueue' },
    env: [
      ...TABLES,
      'WEBSOCKET_MANAGEMENT_ENDPOINT',
      'MATCHMAKING_REGIONS',
      'MATCHMAKING_QUEUES',
      'READY_TIMEOUT_SECONDS',
      'PASS_MAX_MATCHES',
      'PASS_BUDGET_SECONDS',
      'MATCHMAKING_QUEUE_URL',
      'MATCH_START_QUEUE_URL',
      'MATCHMAKER_TABLE',
    ],
    access: [
      ...allTables([...READ_WRITE, 'dynamodb:Query']),
      { kind: 'table', table: 'matchmaker', actions: ['dynamodb:UpdateItem'] },
      { kind: 'manageConnections' },
      { kind: 'sendToMatchmakingQueue' },
      { kind: 'sendToMatchStartQueue' },
      { kind: 'consumeMatchmakingQueue' },
    ],
    timeoutSeconds: 60,
    memoryMb: 1024,
    // One batch per queue (message group) at a time: more groups than this wait in the queue.
    maximumConcurrency: 5,
  },
  {
    name: 'matchStarter',
    entry: 'src/handlers/match-starter.ts',
    trigger: { kind: 'matchStartQueue' },
    env: [
      ...TABLES,
      'WEBSOCKET_MANAGEMENT_ENDPOINT',
      'CALLBACK_BASE_URL',
      'GAME_SERVER_FLEETS',
      'MAX_MATCH_SECONDS',
      'GAME_SERVER_IDLE_SECONDS',
      'MATCHMAKING_QUEUE_URL',
      // Its failed records are handed back to this queue within seconds (record-retry.ts).
      'MATCH_START_QUEUE_URL',
      ...POOL_KEEPER,
    ],
    access: [
      ...allTables(READ_WRITE),
      ...POOL_KEEPER_ACCESS,
      { kind: 'table', table: 'matchmaker', actions: ['dynamodb:UpdateItem'] },
      { kind: 'manageConnections' },
      { kind: 'runGameServers' },
      { kind: 'sendToMatchmakingQueue' },
      { kind: 'consumeMatchStartQueue' },
    ],
    // A match may try a few warm servers (WARM_ASSIGN_TIMEOUT_SECONDS each) before a cold RunTask.
    timeoutSeconds: 30,
    memoryMb: 512,
  },
  {
    name: 'openSession',
    entry: 'src/handlers/open-session.ts',
    trigger: { kind: 'http', method: 'POST', path: '/matches/{matchId}/session' },
    env: [...TABLES],
    access: [{ kind: 'table', table: 'matches', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] }],
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  {
    name: 'serverReady',
    entry: 'src/handlers/server-ready.ts',
    trigger: { kind: 'http', method: 'POST', path: '/matches/{matchId}/ready' },
    env: [...TABLES, 'WEBSOCKET_MANAGEMENT_ENDPOINT', 'MAX_MATCH_SECONDS'],
    access: [...allTables(READ_WRITE), { kind: 'manageConnections' }],
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  {
    name: 'matchResult',
    entry: 'src/handlers/match-result.ts',
    trigger: { kind: 'http', method: 'POST', path: '/matches/{matchId}/result' },
    env: [...TABLES, 'WEBSOCKET_MANAGEMENT_ENDPOINT'],
    access: [...allTables(READ_WRITE), { kind: 'manageConnections' }],
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  {
    name: 'poolServer',
    entry: 'src/handlers/pool-server.ts',
    trigger: { kind: 'http', method: 'POST', path: '/servers/{serverId}/{action}' },
    env: ['SERVERS_TABLE', 'MATCHES_TABLE', ...POOL_SETTINGS],
    access: [
      { kind: 'table', table: 'servers', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
      { kind: 'table', table: 'matches', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
    ],
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  {
    name: 'tick',
    entry: 'src/handlers/tick.ts',
    trigger: { kind: 'schedule', expression: 'rate(1 minute)' },
    env: [
      ...TABLES,
      'MATCHMAKING_QUEUE_URL',
      'MATCHMAKING_REGIONS',
      'MATCHMAKING_QUEUES',
      'WEBSOCKET_MANAGEMENT_ENDPOINT',
      'GAME_SERVER_FLEETS',
      'READY_TIMEOUT_SECONDS',
      // A fully accepted proposal whose start a crash stopped is started at its deadline.
      'MATCH_START_QUEUE_URL',
      'MAX_MATCH_SECONDS',
      ...POOL_KEEPER,
    ],
    access: [
      ...allTables([...READ_WRITE, 'dynamodb:Query']),
      ...POOL_KEEPER_ACCESS,
      { kind: 'table', table: 'matchmaker', actions: ['dynamodb:GetItem'] },
      { kind: 'sendToMatchmakingQueue' },
      { kind: 'manageConnections' },
      { kind: 'sendToMatchStartQueue' },
      { kind: 'runGameServers' },
    ],
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  {
    name: 'taskStateChange',
    entry: 'src/handlers/task-state-change.ts',
    trigger: { kind: 'gameServerTaskEvents' },
    env: [...TABLES, ...MESSAGE_ROUTE, 'MATCHMAKING_QUEUE_URL', ...POOL_KEEPER],
    access: [
      ...allTables(READ_WRITE),
      ...POOL_KEEPER_ACCESS,
      { kind: 'sendToMatchmakingQueue' },
      { kind: 'manageConnections' },
      // A dead spare is replaced at once; a server's match may need its task stopped.
      { kind: 'runGameServers' },
    ],
    timeoutSeconds: 15,
    memoryMb: 256,
  },
];

/**
 * Every function, each variable named once (the pool's lists overlap with the
 * lifecycle's), and each with METRICS_DEPLOYMENT: any of them may publish metrics.
 */
export const functions: readonly FunctionDefinition[] = definitions.map((definition) => ({
  ...definition,
  env: [...new Set([...definition.env, 'METRICS_DEPLOYMENT' as const])],
}));

/**
 * The FIFO message group of a queue's pass requests: a queue's passes run one
 * at a time (design card), and queues' passes run side by side, so a busy
 * queue never holds back another.
 */
export function matchmakingGroup(queue: string): string {
  return `matchmaking-${queue}`;
}
