import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { conditionally } from './conditional.js';
import type { PartyItem } from './items.js';

/**
 * Parties, keyed by invite code. Every change writes the whole (small) item
 * conditionally on the version it read, so two changes at once never lose
 * one: the loser reads again and retries (see parties use cases).
 */
export class PartiesRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Stores a new party; false if that code is taken. */
  create(party: PartyItem): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: party,
          ConditionExpression: 'attribute_not_exists(partyId)',
        }),
      ),
    );
  }

  async get(partyId: string): Promise<PartyItem | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { partyId }, ConsistentRead: true }),
    );
    return result.Item as PartyItem | undefined;
  }

  /** Writes the party's next version; false if it changed since `party.version - 1` was read. */
  replace(party: PartyItem): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: party,
          ConditionExpression: 'version = :read',
          ExpressionAttributeValues: { ':read': party.version - 1 },
        }),
      ),
    );
  }

  /** Deletes the party its last member left; false if it changed since `version`. */
  delete(partyId: string, version: number): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { partyId },
          ConditionExpression: 'version = :read',
          ExpressionAttributeValues: { ':read': version },
        }),
      ),
    );
  }
}
