import { lazy } from '../runtime/lazy.js';
import { notifier, rateLimit, repositories } from '../services.js';
import { leaveQueue } from '../use-cases/leave-queue.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => ({ ...repositories(), notifier: notifier(), rateLimit: rateLimit() }));

/** {"action":"leaveQueue"} */
export const handler = actionRoute('leaveQueue', deps, (caller) => leaveQueue(deps(), caller.userId));
