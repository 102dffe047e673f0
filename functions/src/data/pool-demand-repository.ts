import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

const MINUTE_MS = 60_000;
/** A minute's count is read for two minutes at most; TTL removes it after an hour. */
const COUNT_TTL_SECONDS = 60 * 60;

/**
 * How fast each region's warm servers are being taken: a counter per region
 * and minute (one atomic ADD per taken server, in the matchmaker's table), so
 * the pool keeper can grow the buffer with demand without reading the pool.
 */
export class PoolDemandRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async countTaken(region: string, now: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { name: keyOf(region, now) },
        UpdateExpression: 'ADD taken :one SET expiresAt = :expiresAt',
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': Math.floor(now / 1000) + COUNT_TTL_SECONDS },
      }),
    );
  }

  /** Servers taken in the last full minute, or in this one if more already. */
  async takenLastMinute(region: string, now: number): Promise<number> {
    const [previous, current] = await Promise.all(
      [now - MINUTE_MS, now].map((at) =>
        this.doc.send(new GetCommand({ TableName: this.table, Key: { name: keyOf(region, at) } })),
      ),
    );
    return Math.max(Number(previous?.Item?.taken ?? 0), Number(current?.Item?.taken ?? 0));
  }
}

function keyOf(region: string, at: number): string {
  return `pool-taken#${region}#${Math.floor(at / MINUTE_MS)}`;
}
