import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { lazy } from '../runtime/lazy.js';
import { matchmakingQueue, repositories, system } from '../services.js';
import { disconnectPlayer } from '../use-cases/disconnect-player.js';
import type { WebSocketEvent } from './adapters/websocket.js';

const deps = lazy(() => ({ ...repositories(), queue: matchmakingQueue(), ...system }));

/** $disconnect: forgets the connection; a waiting player's ticket goes with it. */
export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  await disconnectPlayer(deps(), event.requestContext.connectionId);
  return { statusCode: 200 };
}
