import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { RecordRetry } from '../../ports.js';

/**
 * A queue consumer's answer for these failed records (partial batch
 * failures). They are handed back to their queue first, to come back within
 * seconds instead of after the visibility timeout (a FIFO message group waits
 * for them meanwhile); if that fails, they still come back, later.
 */
export async function failedBatch(
  retry: RecordRetry,
  failed: readonly SQSRecord[],
  logger: Logger,
): Promise<SQSBatchResponse> {
  await retry
    .retrySoon(failed)
    .catch((error: unknown) => logger.warn('failed records wait for their visibility timeout', { error }));
  return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
}
