import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionallyReturning } from './conditional.js';

/**
 * The matchmaker's own state. The pass epoch counts passes: an instance that
 * finds the epoch where it left it knows no other instance ran a pass in
 * between, so its in-memory pool saw every queue change. Each queue (game
 * mode) has its own epoch: its passes run apart from the other queues'.
 */
export class MatchmakerStateRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Moves the queue's epoch from `expected` to the next one and returns it; undefined if it was not `expected`. */
  async advanceEpoch(queue: string, expected: number | undefined): Promise<number | undefined> {
    const written = await conditionallyReturning(async () => {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { name: `pass-epoch#${queue}` },
          UpdateExpression: 'SET epoch = if_not_exists(epoch, :zero) + :one',
          ...(expected === undefined ? {} : { ConditionExpression: 'epoch = :expected' }),
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ...(expected === undefined ? {} : { ':expected': expected }),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return result.Attributes?.epoch as number;
    });
    return written;
  }
}
