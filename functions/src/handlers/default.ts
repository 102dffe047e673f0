import { CLIENT_ACTIONS, ErrorCode, events, parseClientAction } from '@matchmaking/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { lazy } from '../runtime/lazy.js';
import { notifier } from '../services.js';
import type { WebSocketEvent } from './adapters/websocket.js';

const deps = lazy(() => ({ notifier: notifier() }));

/** $default: any frame no route took (not JSON, unknown action...) gets a typed error and changes nothing. */
export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const parsed = parseClientAction(event.body);
  const reply = parsed.ok
    ? events.error(ErrorCode.UnknownAction, `unknown action; expected one of ${CLIENT_ACTIONS.join(', ')}`)
    : events.error(parsed.error.code, parsed.error.message);
  await deps().notifier.send(event.requestContext.connectionId, reply);
  return { statusCode: 200 };
}
