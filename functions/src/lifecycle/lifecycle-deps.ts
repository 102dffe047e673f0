import type { GameServerLauncher } from '../aws/game-servers.js';
import type { MatchmakingMetrics } from '../metrics/matchmaking-metrics.js';
import type { Deps } from '../use-cases/deps.js';

/** What the match lifecycle needs: the stores, the notifier, the queue, the game servers and the metrics. */
export type LifecycleDeps = Pick<
  Deps,
  'connections' | 'players' | 'tickets' | 'matches' | 'notifier' | 'queue' | 'clock'
> & { launcher: GameServerLauncher; metrics: MatchmakingMetrics };

/** What the game-server callbacks need: they never start or stop servers nor requeue. */
export type CallbackDeps = Pick<
  LifecycleDeps,
  'connections' | 'players' | 'tickets' | 'matches' | 'notifier' | 'clock'
>;
