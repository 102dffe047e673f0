import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ServerEvent } from '@matchmaking/core';
import type { Notifier, SendOutcome } from '../ports.js';

/** Sends events with PostToConnection; a 410 (GoneException) means the player's connection is gone. */
export class ManagementApiNotifier implements Notifier {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async send(connectionId: string, event: ServerEvent): Promise<SendOutcome> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw new Error(`PostToConnection to ${connectionId} failed (${event.type})`, { cause: error });
    }
  }

  /** Closes a connection from the server side (gone already counts as closed). */
  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}

function isGone(error: unknown): boolean {
  return (
    error instanceof GoneException ||
    (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 410
  );
}
