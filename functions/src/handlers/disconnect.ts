import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { lazy } from '../runtime/lazy.js';
import { partyDeps } from '../services.js';
import { disconnectPlayer } from '../use-cases/disconnect-player.js';
import type { WebSocketEvent } from './adapters/websocket.js';

const deps = lazy(() => partyDeps());

/** $disconnect: forgets the connection; a waiting ticket goes with it, and the player leaves their party. */
export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  await disconnectPlayer(deps(), event.requestContext.connectionId);
  return { statusCode: 200 };
}
