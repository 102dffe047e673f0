import { CLIENT_ACTIONS, ErrorCode, events, parseClientAction } from '@matchmaking/core';
import { lazy } from '../runtime/lazy.js';
import { notifier, rateLimit } from '../services.js';
import { messageRoute } from './adapters/websocket.js';

const deps = lazy(() => ({ notifier: notifier(), rateLimit: rateLimit() }));

/**
 * $default: any frame no route took (not JSON, unknown action...) gets a typed
 * error and changes nothing; messageRoute tags it with the frame's requestId when it has a valid one.
 */
export const handler = messageRoute(deps, async (_event, _answer, body) => {
  const parsed = parseClientAction(body);
  return parsed.ok
    ? events.error(ErrorCode.UnknownAction, `unknown action; expected one of ${CLIENT_ACTIONS.join(', ')}`)
    : events.error(parsed.error.code, parsed.error.message);
});
