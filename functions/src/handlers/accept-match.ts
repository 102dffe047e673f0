import { loadConfig } from '../env.js';
import { answerMatch } from '../lifecycle/ready-check.js';
import { lazy } from '../runtime/lazy.js';
import { matchmakingQueue, matchStartQueue, notifier, rateLimit, repositories, system } from '../services.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => {
  const config = loadConfig(['READY_TIMEOUT_SECONDS']);
  return {
    ...repositories(),
    notifier: notifier(),
    queue: matchmakingQueue(),
    starts: matchStartQueue(),
    rateLimit: rateLimit(),
    ...system,
    settings: { readyTimeoutSeconds: config.READY_TIMEOUT_SECONDS },
  };
});

/** {"action":"acceptMatch","matchId":"...","accept":true} (the ready check) */
export const handler = actionRoute('acceptMatch', deps, (caller, message, answer) =>
  answerMatch(deps(), deps().settings, caller.userId, message.matchId, message.accept, answer),
);
