import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { RecordRetry } from '../ports.js';

/** The longest wait before a failed record's next try. */
const MAX_RETRY_SECONDS = 30;

/**
 * Seconds a failed record waits before its next try, by how often it was
 * received: 2, 4, 8, 16, then 30 each time. A record that keeps failing
 * reaches the dead-letter queue after QUEUE_MAX_RECEIVES receives (10: about
 * 3.5 minutes of tries).
 */
export function retryDelaySeconds(receiveCount: number): number {
  return Math.min(MAX_RETRY_SECONDS, 2 ** Math.max(1, receiveCount));
}

/**
 * Hands a consumer's failed records back to their queue within seconds. A
 * record reported failed is otherwise received again only when its
 * visibility timeout ends, and a FIFO message group delivers nothing else
 * while one of its messages is in flight: one failed pass would hold its game
 * mode for the whole timeout. ChangeMessageVisibility ends the wait early
 * ("ChangeMessageVisibilityBatch", SQS API Reference; "Handling errors for an
 * SQS event source", Lambda Developer Guide).
 */
export class SqsRecordRetry implements RecordRetry {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async retrySoon(records: readonly SQSRecord[]): Promise<void> {
    if (records.length === 0) return;
    const result = await this.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: records.map((record, i) => ({
          Id: String(i),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: retryDelaySeconds(Number(record.attributes.ApproximateReceiveCount) || 1),
        })),
      }),
    );
    if ((result.Failed ?? []).length > 0) {
      const failed = (result.Failed ?? []).map((f) => `${f.Id}: ${f.Code} ${f.Message ?? ''}`);
      throw new Error(`visibility of failed records not changed: ${failed.join('; ')}`);
    }
  }
}
