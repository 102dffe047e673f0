import { loadConfig } from '../env.js';
import { lazy } from '../runtime/lazy.js';
import { matchmakingQueue, notifier, repositories, system } from '../services.js';
import { requestMatchmaking } from '../use-cases/request-matchmaking.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => ({
  ...repositories(),
  notifier: notifier(),
  queue: matchmakingQueue(),
  ...system,
  regions: loadConfig(['MATCHMAKING_REGIONS']).MATCHMAKING_REGIONS,
}));

/** {"action":"tryCreateMatch"}: kept from the seed; it only asks for a matchmaking pass. */
export const handler = actionRoute('tryCreateMatch', deps, (caller) =>
  requestMatchmaking(deps(), deps().regions, caller.userId),
);
