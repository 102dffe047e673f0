import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MatchStartQueue } from '../ports.js';

/** SendMessageBatch takes at most 10 messages (SQS quotas). */
const BATCH = 10;

/**
 * Start requests on the match-start FIFO queue: one message group per match,
 * so matches start in parallel (Lambda scales a FIFO event source with its
 * active groups) while one match's messages stay in order; the match id is
 * the deduplication id, so a redelivered pass hands a match over once.
 */
export class SqsMatchStartQueue implements MatchStartQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async requestStarts(matchIds: readonly string[], stage: 'formed' | 'accepted' = 'formed'): Promise<void> {
    const batches: string[][] = [];
    for (let i = 0; i < matchIds.length; i += BATCH) batches.push(matchIds.slice(i, i + BATCH));
    await Promise.all(batches.map((batch) => this.send(batch, stage)));
  }

  private async send(matchIds: readonly string[], stage: 'formed' | 'accepted'): Promise<void> {
    const result = await this.client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: matchIds.map((matchId, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({ matchId }),
          MessageGroupId: matchId,
          // The accepted stage must not be taken for a duplicate of the formed one (5 minutes' deduplication).
          MessageDeduplicationId: stage === 'formed' ? matchId : `${matchId}:${stage}`,
        })),
      }),
    );
    if ((result.Failed ?? []).length > 0) {
      const failed = (result.Failed ?? []).map((f) => `${f.Id}: ${f.Code} ${f.Message ?? ''}`);
      throw new Error(`match start requests were refused: ${failed.join('; ')}`);
    }
  }
}
