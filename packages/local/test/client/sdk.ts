import { type ConnectOptions, connect, type MatchmakingClient } from '@matchmaking/client';
import type { LocalStack } from '../../src/index.js';

/** The SDK connected to a test stack as `userId`, with a fresh token at every (re)connection. */
export function connectAs(
  stack: LocalStack,
  userId: string,
  options: Partial<ConnectOptions> = {},
): Promise<MatchmakingClient> {
  return connect(stack.endpoints.websocket, { token: () => stack.token(userId), ...options });
}

/** The API's connection ids of a player (the WebSocket API emulator's view). */
export function connectionsOf(stack: LocalStack, userId: string): string[] {
  return [...stack.websocket.connections.values()]
    .filter((connection) => connection.authorizer.userId === userId)
    .map((connection) => connection.id);
}
