import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/**
 * The FIFO queue that serialises matchmaking passes (one message group), with
 * explicit deduplication ids (content-based deduplication off: two identical
 * pass requests are two requests) and a dead-letter queue.
 */
export function createMatchmakingQueue(
  prefix: string,
  matchmakerTimeoutSeconds: number,
  opts: pulumi.CustomResourceOptions,
) {
  const deadLetters = new aws.sqs.Queue(
    `${prefix}-matchmaking-dlq`,
    {
      fifoQueue: true,
      name: `${prefix}-matchmaking-dlq.fifo`,
      messageRetentionSeconds: 14 * 24 * 3600,
      sqsManagedSseEnabled: true,
    },
    opts,
  );
  const queue = new aws.sqs.Queue(
    `${prefix}-matchmaking`,
    {
      fifoQueue: true,
      name: `${prefix}-matchmaking.fifo`,
      contentBasedDeduplication: false,
      // Lambda's guidance: at least six times the consumer's timeout.
      visibilityTimeoutSeconds: 6 * matchmakerTimeoutSeconds,
      messageRetentionSeconds: 3600,
      sqsManagedSseEnabled: true,
      redrivePolicy: deadLetters.arn.apply((arn) =>
        JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 5 }),
      ),
    },
    opts,
  );
  return { queue, deadLetters };
}

/**
 * The FIFO queue that hands recorded matches to the match starter: one
 * message group per match, so Lambda starts matches side by side (a FIFO
 * event source scales with its active message groups), and the match id as
 * the deduplication id, so a redelivered pass hands a match over once.
 */
export function createMatchStartQueue(
  prefix: string,
  starterTimeoutSeconds: number,
  opts: pulumi.CustomResourceOptions,
) {
  const deadLetters = new aws.sqs.Queue(
    `${prefix}-match-starts-dlq`,
    {
      fifoQueue: true,
      name: `${prefix}-match-starts-dlq.fifo`,
      messageRetentionSeconds: 14 * 24 * 3600,
      sqsManagedSseEnabled: true,
    },
    opts,
  );
  const queue = new aws.sqs.Queue(
    `${prefix}-match-starts`,
    {
      fifoQueue: true,
      name: `${prefix}-match-starts.fifo`,
      contentBasedDeduplication: false,
      visibilityTimeoutSeconds: 6 * starterTimeoutSeconds,
      // A match not started within its ready deadline is cancelled anyway.
      messageRetentionSeconds: 600,
      sqsManagedSseEnabled: true,
      redrivePolicy: deadLetters.arn.apply((arn) =>
        JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 5 }),
      ),
    },
    opts,
  );
  return { queue, deadLetters };
}
