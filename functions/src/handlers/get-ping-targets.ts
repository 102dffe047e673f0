import { loadConfig } from '../env.js';
import { lazy } from '../runtime/lazy.js';
import { notifier, rateLimit } from '../services.js';
import { getPingTargets } from '../use-cases/get-ping-targets.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => {
  const config = loadConfig(['MATCHMAKING_REGIONS', 'PING_URL_TEMPLATE']);
  return {
    notifier: notifier(),
    rateLimit: rateLimit(),
    // The same answer for every caller until the next cold start (the settings do not change).
    answer: getPingTargets({
      regions: config.MATCHMAKING_REGIONS,
      pingUrlTemplate: config.PING_URL_TEMPLATE,
    }),
  };
});

/** {"action":"getPingTargets"} */
export const handler = actionRoute('getPingTargets', deps, async () => deps().answer);
