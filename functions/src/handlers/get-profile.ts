import { lazy } from '../runtime/lazy.js';
import { notifier, rateLimit, repositories } from '../services.js';
import { getProfile } from '../use-cases/get-profile.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => ({ ...repositories(), notifier: notifier(), rateLimit: rateLimit() }));

/** {"action":"getProfile"} */
export const handler = actionRoute('getProfile', deps, (caller) => getProfile(deps(), caller.userId));
