import { loadConfig } from '../env.js';
import { lazy } from '../runtime/lazy.js';
import { matchmakingQueue, notifier, repositories, system } from '../services.js';
import { joinQueue } from '../use-cases/join-queue.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => ({
  ...repositories(),
  notifier: notifier(),
  queue: matchmakingQueue(),
  ...system,
  regions: loadConfig(['MATCHMAKING_REGIONS']).MATCHMAKING_REGIONS,
}));

/** {"action":"joinQueue","region":"eu-west-1"} */
export const handler = actionRoute('joinQueue', deps, (caller, message) =>
  joinQueue(deps(), deps().regions, { ...caller, region: message.region }),
);
