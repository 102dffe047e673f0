import type { GameServerLauncher } from '../aws/game-servers.js';
import type { MatchesRepository } from '../data/matches-repository.js';
import type { PoolDemandRepository } from '../data/pool-demand-repository.js';
import type { ServersRepository } from '../data/servers-repository.js';
import type { GameServerTimings } from '../match/game-server-environment.js';
import type { MatchmakingMetrics } from '../metrics/matchmaking-metrics.js';
import type { Clock } from '../ports.js';
import type { WarmPool } from './pool-config.js';

/** The warm pool's settings (WARM_* variables), read once per cold start. */
export interface PoolSettings {
  pool: WarmPool;
  heartbeatSeconds: number;
  assignTimeoutSeconds: number;
  registerSeconds: number;
  matchesPerServer: number;
}

/** What the pool's use cases need: its servers, the matches they serve, ECS, the clock. */
export interface PoolDeps {
  servers: ServersRepository;
  matches: MatchesRepository;
  demand: PoolDemandRepository;
  launcher: GameServerLauncher;
  clock: Clock;
  settings: PoolSettings;
  /** What a pool server's task is told besides its id and registration token. */
  timings: GameServerTimings;
  /** Tells an idle server to fetch its assignment now (best effort: its heartbeat is the fallback). */
  nudge(address: { ip: string; port: number }): Promise<void>;
  sleep(ms: number): Promise<void>;
  metrics: MatchmakingMetrics;
}

/** A server is silent (never assigned, then stopped) after three missed heartbeats. */
export function silentSince(settings: PoolSettings, now: number): number {
  return now - 3 * settings.heartbeatSeconds * 1000;
}
