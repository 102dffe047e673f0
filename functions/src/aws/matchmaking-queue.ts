import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { matchmakingGroup } from '../manifest.js';
import type { MatchmakingQueue, PassRequest } from '../ports.js';

/**
 * Pass requests on the FIFO queue. One message group per queue (game mode)
 * serialises that queue's passes (the design card's single group, per mode);
 * the explicit deduplication id makes a
 * retried send within five minutes a no-op.
 */
export class SqsMatchmakingQueue implements MatchmakingQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async requestPass(request: PassRequest, deduplicationId: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(request),
        MessageGroupId: matchmakingGroup(request.queue),
        // FIFO ids allow 128 characters of [A-Za-z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~].
        MessageDeduplicationId: deduplicationId.replace(/[^\w\-.:#]/g, '_').slice(0, 128),
      }),
    );
  }
}
