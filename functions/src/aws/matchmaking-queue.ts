import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MATCHMAKING_MESSAGE_GROUP } from '../manifest.js';
import type { MatchmakingQueue, PassRequest } from '../ports.js';

/**
 * Pass requests on the FIFO queue. One message group serialises every
 * matchmaking pass (the design card); the explicit deduplication id makes a
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
        MessageGroupId: MATCHMAKING_MESSAGE_GROUP,
        // FIFO ids allow 128 characters of [A-Za-z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~].
        MessageDeduplicationId: deduplicationId.replace(/[^\w\-.:#]/g, '_').slice(0, 128),
      }),
    );
  }
}
