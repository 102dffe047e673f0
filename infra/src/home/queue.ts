import { QUEUE_MAX_RECEIVES, queueVisibilitySeconds } from '@matchmaking/functions/manifest';
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/**
 * The FIFO queue that serialises matchmaking passes: one message group per
 * queue (game mode, `matchmakingGroup` in the manifest), so a queue's passes
 * run one at a time and different queues' side by side. Explicit
 * deduplication ids (content-based deduplication off: two identical pass
 * requests are two requests) and a dead-letter queue.
 */
export function createMatchmakingQueue(
  prefix: string,
  matchmakerTimeoutSeconds: number,
  opts: pulumi.CustomResourceOptions,
) {
  return fifoQueueWithDeadLetters(`${prefix}-matchmaking`, matchmakerTimeoutSeconds, 3600, opts);
}

/**
 * The FIFO queue that hands recorded matches to the match starter: one
 * message group per match, so Lambda starts matches side by side (a FIFO
 * event source scales with its active message groups), and the match id as
 * the deduplication id, so a redelivered pass hands a match over once.
 * A match not started within its ready deadline is cancelled anyway: ten
 * minutes of retention is plenty.
 */
export function createMatchStartQueue(
  prefix: string,
  starterTimeoutSeconds: number,
  opts: pulumi.CustomResourceOptions,
) {
  return fifoQueueWithDeadLetters(`${prefix}-match-starts`, starterTimeoutSeconds, 600, opts);
}

/** A FIFO queue with explicit deduplication ids, its consumer's visibility timeout and a FIFO dead-letter queue. */
function fifoQueueWithDeadLetters(
  name: string,
  consumerTimeoutSeconds: number,
  retentionSeconds: number,
  opts: pulumi.CustomResourceOptions,
) {
  const deadLetters = new aws.sqs.Queue(
    `${name}-dlq`,
    {
      fifoQueue: true,
      name: `${name}-dlq.fifo`,
      messageRetentionSeconds: 14 * 24 * 3600,
      sqsManagedSseEnabled: true,
    },
    opts,
  );
  const queue = new aws.sqs.Queue(
    name,
    {
      fifoQueue: true,
      name: `${name}.fifo`,
      contentBasedDeduplication: false,
      // Just above the consumer's timeout (CreateEventSourceMapping requires at least the timeout): a
      // consumer that dies holds its message group no longer than that. A failure is handed back
      // within seconds by the consumer itself (record-retry.ts). Lambda's "six times the timeout"
      // advice is about throttled batches, which come back only after the visibility timeout: the
      // redrive policy allows QUEUE_MAX_RECEIVES of those instead.
      visibilityTimeoutSeconds: queueVisibilitySeconds(consumerTimeoutSeconds),
      messageRetentionSeconds: retentionSeconds,
      sqsManagedSseEnabled: true,
      redrivePolicy: deadLetters.arn.apply((arn) =>
        JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: QUEUE_MAX_RECEIVES }),
      ),
    },
    opts,
  );
  return { queue, deadLetters };
}
