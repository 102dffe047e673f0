import { documentClient, managementClient, sqsClient } from './aws/clients.js';
import { EcsGameServerLauncher } from './aws/game-servers.js';
import { SqsMatchStartQueue } from './aws/match-start-queue.js';
import { SqsMatchmakingQueue } from './aws/matchmaking-queue.js';
import { ManagementApiNotifier } from './aws/notifier.js';
import { SqsRecordRetry } from './aws/record-retry.js';
import { ConnectionsRepository } from './data/connections-repository.js';
import { MatchesRepository } from './data/matches-repository.js';
import { MatchmakerStateRepository } from './data/matchmaker-state-repository.js';
import { PartiesRepository } from './data/parties-repository.js';
import { PlayersRepository } from './data/players-repository.js';
import { PoolDemandRepository } from './data/pool-demand-repository.js';
import { QueueStatsRepository } from './data/queue-stats-repository.js';
import { ServersRepository } from './data/servers-repository.js';
import { TicketsRepository } from './data/tickets-repository.js';
import { loadConfig } from './env.js';
import type { GameServerTimings } from './match/game-server-environment.js';
import { powertoolsMetrics } from './metrics/powertools-metrics.js';
import { newPartyCode } from './parties/party-code.js';
import { nudgeServer } from './pool/nudge.js';
import type { PoolDeps, PoolSettings } from './pool/pool-deps.js';
import { queueCatalog as buildQueueCatalog, type QueueCatalog } from './queues/queue-config.js';
import type { EstimateCache } from './queues/queue-stats.js';
import { lazy } from './runtime/lazy.js';
import { systemClock, uuidGenerator } from './runtime/system.js';
import { MessageRateLimit } from './use-cases/message-rate-limit.js';

/*
 * Builders of the real adapters from the environment, one per concern, so a
 * handler asks only for what its manifest entry grants it. Handlers call them
 * once per cold start (through lazy()).
 */

export type Env = Record<string, string | undefined>;

export function repositories(env: Env = process.env) {
  const config = loadConfig(
    ['CONNECTIONS_TABLE', 'PLAYERS_TABLE', 'TICKETS_TABLE', 'MATCHES_TABLE', 'PARTIES_TABLE'],
    env,
  );
  const doc = documentClient();
  return {
    parties: new PartiesRepository(doc, config.PARTIES_TABLE),
    connections: new ConnectionsRepository(doc, config.CONNECTIONS_TABLE),
    players: new PlayersRepository(doc, config.PLAYERS_TABLE),
    tickets: new TicketsRepository(doc, config.TICKETS_TABLE),
    matches: new MatchesRepository(doc, config.MATCHES_TABLE),
  };
}
export type Repositories = ReturnType<typeof repositories>;

export function notifier(env: Env = process.env) {
  const { WEBSOCKET_MANAGEMENT_ENDPOINT } = loadConfig(['WEBSOCKET_MANAGEMENT_ENDPOINT'], env);
  return new ManagementApiNotifier(managementClient(WEBSOCKET_MANAGEMENT_ENDPOINT));
}

export function matchmakingQueue(env: Env = process.env) {
  const { MATCHMAKING_QUEUE_URL } = loadConfig(['MATCHMAKING_QUEUE_URL'], env);
  return new SqsMatchmakingQueue(sqsClient(), MATCHMAKING_QUEUE_URL);
}

export function matchmakerState(env: Env = process.env) {
  const { MATCHMAKER_TABLE } = loadConfig(['MATCHMAKER_TABLE'], env);
  return new MatchmakerStateRepository(documentClient(), MATCHMAKER_TABLE);
}

export function matchStartQueue(env: Env = process.env) {
  const { MATCH_START_QUEUE_URL } = loadConfig(['MATCH_START_QUEUE_URL'], env);
  return new SqsMatchStartQueue(sqsClient(), MATCH_START_QUEUE_URL);
}

/** Hands a consumer's failed records back to its queue (MATCHMAKING_QUEUE_URL or MATCH_START_QUEUE_URL). */
export function recordRetry(
  queue: 'MATCHMAKING_QUEUE_URL' | 'MATCH_START_QUEUE_URL',
  env: Env = process.env,
) {
  const config = loadConfig([queue], env);
  return new SqsRecordRetry(sqsClient(), config[queue]);
}

export function gameServerLauncher(env: Env = process.env) {
  const { GAME_SERVER_FLEETS } = loadConfig(['GAME_SERVER_FLEETS'], env);
  return new EcsGameServerLauncher(GAME_SERVER_FLEETS);
}

export const system = { clock: systemClock, ids: uuidGenerator };

/**
 * This instance's metrics: one per cold start, shared by every use case of
 * the function, and published by its handler at the end of each invocation
 * (withMetrics).
 */
export const metrics = lazy(() => powertoolsMetrics(loadConfig(['METRICS_DEPLOYMENT']).METRICS_DEPLOYMENT));

/** The deployment's queues (game modes), MATCHMAKING_QUEUES. */
export function queueCatalog(env: Env = process.env): QueueCatalog {
  return buildQueueCatalog(loadConfig(['MATCHMAKING_QUEUES'], env).MATCHMAKING_QUEUES);
}

/** The per-player message limit every message route applies. */
export function rateLimit(env: Env = process.env) {
  const config = loadConfig(['PLAYERS_TABLE', 'MAX_MESSAGES_PER_PLAYER'], env);
  const players = new PlayersRepository(documentClient(), config.PLAYERS_TABLE);
  return new MessageRateLimit(players, systemClock, config.MAX_MESSAGES_PER_PLAYER);
}

/** Each queue's figures per region (the matchmaker table). */
export function queueStatsRepository(env: Env = process.env) {
  const { MATCHMAKER_TABLE } = loadConfig(['MATCHMAKER_TABLE'], env);
  return new QueueStatsRepository(documentClient(), MATCHMAKER_TABLE);
}

/** What the queueing actions (joinQueue, listQueues, tryCreateMatch...) need: tables, replies, the queue, regions, queues. */
export function queueingDeps(env: Env = process.env) {
  return {
    stats: queueStatsRepository(env),
    estimates: new Map() as EstimateCache,
    metrics: metrics(),
    ...repositories(env),
    notifier: notifier(env),
    queue: matchmakingQueue(env),
    rateLimit: rateLimit(env),
    ...system,
    regions: loadConfig(['MATCHMAKING_REGIONS'], env).MATCHMAKING_REGIONS,
    catalog: queueCatalog(env),
  };
}

/** What the party actions and $disconnect need: tables, replies, invite codes, the largest team. */
export function partyDeps(env: Env = process.env) {
  return {
    ...repositories(env),
    notifier: notifier(env),
    queue: matchmakingQueue(env),
    rateLimit: rateLimit(env),
    codes: { next: newPartyCode },
    catalog: queueCatalog(env),
    ...system,
  };
}

/** The warm pool's settings (WARM_* variables). */
export function poolSettings(env: Env = process.env): PoolSettings {
  const config = loadConfig(
    [
      'WARM_POOL',
      'WARM_SERVER_HEARTBEAT_SECONDS',
      'WARM_ASSIGN_TIMEOUT_SECONDS',
      'WARM_SERVER_REGISTER_SECONDS',
      'WARM_SERVER_MATCHES',
    ],
    env,
  );
  return {
    pool: config.WARM_POOL,
    heartbeatSeconds: config.WARM_SERVER_HEARTBEAT_SECONDS,
    assignTimeoutSeconds: config.WARM_ASSIGN_TIMEOUT_SECONDS,
    registerSeconds: config.WARM_SERVER_REGISTER_SECONDS,
    matchesPerServer: config.WARM_SERVER_MATCHES,
  };
}

/** What a pool server's calls need: its record, its match, the settings; never ECS. */
export function poolCallDeps(
  env: Env = process.env,
): Pick<PoolDeps, 'servers' | 'matches' | 'clock' | 'settings'> {
  const config = loadConfig(['SERVERS_TABLE', 'MATCHES_TABLE'], env);
  const doc = documentClient();
  return {
    servers: new ServersRepository(doc, config.SERVERS_TABLE),
    matches: new MatchesRepository(doc, config.MATCHES_TABLE),
    clock: systemClock,
    settings: poolSettings(env),
  };
}

/** What a game server is told about its match's limits and where to call (match starter, pool keepers). */
export function gameServerTimings(env: Env = process.env): GameServerTimings {
  const config = loadConfig(['CALLBACK_BASE_URL', 'MAX_MATCH_SECONDS', 'GAME_SERVER_IDLE_SECONDS'], env);
  return {
    callbackBaseUrl: config.CALLBACK_BASE_URL,
    maxMatchSeconds: config.MAX_MATCH_SECONDS,
    idleSeconds: config.GAME_SERVER_IDLE_SECONDS,
  };
}

/** Everything the warm pool's use cases need (the functions that assign, keep, launch or hear servers). */
export function poolDeps(env: Env = process.env): PoolDeps {
  const { MATCHMAKER_TABLE } = loadConfig(['MATCHMAKER_TABLE'], env);
  return {
    ...poolCallDeps(env),
    demand: new PoolDemandRepository(documentClient(), MATCHMAKER_TABLE),
    launcher: gameServerLauncher(env),
    timings: gameServerTimings(env),
    nudge: nudgeServer,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    metrics: metrics(),
  };
}
