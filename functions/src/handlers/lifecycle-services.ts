import { loadConfig } from '../env.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import {
  gameServerLauncher,
  matchmakingQueue,
  metrics,
  notifier,
  repositories,
  system,
} from '../services.js';

/** The real lifecycle dependencies (tables, @connections, the queue, ECS, metrics), for the match-side handlers. */
export function lifecycleDeps(): LifecycleDeps {
  return {
    ...repositories(),
    notifier: notifier(),
    queue: matchmakingQueue(),
    launcher: gameServerLauncher(),
    metrics: metrics(),
    ...system,
  };
}

/** Regions served, for handlers that request passes over all of them. */
export function servedRegions(): string[] {
  return loadConfig(['MATCHMAKING_REGIONS']).MATCHMAKING_REGIONS;
}
