import { events } from '@matchmaking/core';
import { lazy } from '../runtime/lazy.js';
import { notifier, rateLimit } from '../services.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => ({ notifier: notifier(), rateLimit: rateLimit() }));

/**
 * {"action":"keepAlive"}: the message itself is the point (API Gateway closes
 * a connection the client sent nothing on for 10 minutes: "Idle Connection
 * Timeout", https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 * Answered only when it carries a requestId: a caller waiting on one expects
 * an answer, and the SDK's keepalives, sent without, cost no @connections call.
 */
export const handler = actionRoute('keepAlive', deps, async (_caller, message) =>
  message.requestId === undefined ? undefined : events.keptAlive(),
);
