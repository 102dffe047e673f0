import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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
}
