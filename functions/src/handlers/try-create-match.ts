import { lazy } from '../runtime/lazy.js';
import { queueingDeps } from '../services.js';
import { requestMatchmaking } from '../use-cases/request-matchmaking.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => queueingDeps());

/** {"action":"tryCreateMatch"}: kept from the seed; it only asks for a matchmaking pass. */
export const handler = actionRoute('tryCreateMatch', deps, (caller) =>
  requestMatchmaking(deps(), deps(), caller.userId),
);
