import { loadConfig } from '../env.js';
import { answerMatch } from '../lifecycle/ready-check.js';
import { withMetrics } from '../metrics/with-metrics.js';
import { lazy } from '../runtime/lazy.js';
import {
  matchmakingQueue,
  matchStartQueue,
  metrics,
  notifier,
  rateLimit,
  repositories,
  system,
} from '../services.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => {
  const config = loadConfig(['READY_TIMEOUT_SECONDS']);
  return {
    ...repositories(),
    notifier: notifier(),
    queue: matchmakingQueue(),
    starts: matchStartQueue(),
    rateLimit: rateLimit(),
    // A decline cancels the match, which counts it (cancel-match.ts).
    metrics: metrics(),
    ...system,
    settings: { readyTimeoutSeconds: config.READY_TIMEOUT_SECONDS },
  };
});

/** {"action":"acceptMatch","matchId":"...","accept":true} (the ready check) */
export const handler = withMetrics(
  metrics,
  actionRoute('acceptMatch', deps, (caller, message, answer) =>
    answerMatch(deps(), deps().settings, caller.userId, message.matchId, message.accept, answer),
  ),
);
