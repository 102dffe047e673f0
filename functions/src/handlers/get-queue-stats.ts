import { lazy } from '../runtime/lazy.js';
import { queueingDeps } from '../services.js';
import { getQueueStats } from '../use-cases/list-queues.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => queueingDeps());

/** {"action":"getQueueStats","queue":"squad"} */
export const handler = actionRoute('getQueueStats', deps, (_caller, message) =>
  getQueueStats(deps(), deps(), message.queue),
);
