import { lazy } from '../runtime/lazy.js';
import { matchmakingQueue, notifier, rateLimit, repositories, system } from '../services.js';
import { leaveQueue } from '../use-cases/leave-queue.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => ({
  ...repositories(),
  notifier: notifier(),
  queue: matchmakingQueue(),
  rateLimit: rateLimit(),
  ...system,
}));

/** {"action":"leaveQueue"} */
export const handler = actionRoute('leaveQueue', deps, (caller) => leaveQueue(deps(), caller.userId));
