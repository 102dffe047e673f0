import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { conditionally } from './conditional.js';
import type { ConnectionItem } from './items.js';

/** API Gateway closes a WebSocket after 2 hours at most; the item expires a little later. */
const CONNECTION_TTL_SECONDS = 3 * 60 * 60;

/** Live WebSocket connections: connection id -> user id. */
export class ConnectionsRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(connectionId: string, userId: string, now: number): Promise<ConnectionItem> {
    const item: ConnectionItem = {
      connectionId,
      userId,
      connectedAt: now,
      expiresAt: Math.floor(now / 1000) + CONNECTION_TTL_SECONDS,
    };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
    return item;
  }

  async get(connectionId: string): Promise<ConnectionItem | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { connectionId }, ConsistentRead: true }),
    );
    return result.Item as ConnectionItem | undefined;
  }

  async delete(connectionId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { connectionId } }));
  }

  /**
   * Counts one message of this connection in the fixed window `window` (an
   * integer, e.g. epoch seconds / 10); false once `limit` messages were counted
   * in that window, or if the connection is gone. One conditional write per
   * message (two or three when a new window starts).
   */
  async countMessage(connectionId: string, window: number, limit: number): Promise<boolean> {
    const inWindow = () =>
      conditionally(() =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { connectionId },
            UpdateExpression: 'SET messageCount = messageCount + :one',
            ConditionExpression: 'messageWindow = :window AND messageCount < :limit',
            ExpressionAttributeValues: { ':one': 1, ':window': window, ':limit': limit },
          }),
        ),
      );
    if (await inWindow()) return true;
    const opened = await conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { connectionId },
          UpdateExpression: 'SET messageWindow = :window, messageCount = :one',
          ConditionExpression:
            'attribute_exists(connectionId) AND (attribute_not_exists(messageWindow) OR messageWindow <> :window)',
          ExpressionAttributeValues: { ':one': 1, ':window': window },
        }),
      ),
    );
    // Another message of the same connection may have opened the window first: count in it.
    return opened || inWindow();
  }
}
