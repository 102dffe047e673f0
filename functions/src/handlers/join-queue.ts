import { lazy } from '../runtime/lazy.js';
import { queueingDeps } from '../services.js';
import { joinQueue } from '../use-cases/join-queue.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => queueingDeps());

/** {"action":"joinQueue","region":"eu-west-1"} */
export const handler = actionRoute('joinQueue', deps, (caller, message) =>
  joinQueue(deps(), deps().regions, { ...caller, region: message.region }),
);
