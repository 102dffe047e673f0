import { lazy } from '../runtime/lazy.js';
import { queueingDeps } from '../services.js';
import { listQueues } from '../use-cases/list-queues.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => queueingDeps());

/** {"action":"listQueues"} */
export const handler = actionRoute('listQueues', deps, () => listQueues(deps(), deps()));
