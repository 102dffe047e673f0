import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { lazy } from '../runtime/lazy.js';
import { createLogger } from '../runtime/logger.js';
import { matchmakingQueue, notifier, repositories, system } from '../services.js';
import { connectPlayer } from '../use-cases/connect-player.js';
import { callerOf, type WebSocketEvent } from './adapters/websocket.js';

const logger = createLogger('connect');
const deps = lazy(() => ({ ...repositories(), queue: matchmakingQueue(), notifier: notifier(), ...system }));

/** $connect (after the authorizer allowed it): records the connection. */
export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  try {
    const caller = callerOf(event);
    await connectPlayer(deps(), caller.userId, caller.connectionId);
    return { statusCode: 200 };
  } catch (error) {
    logger.error('connect failed', { connectionId: event.requestContext.connectionId, error });
    return { statusCode: 500 };
  }
}
