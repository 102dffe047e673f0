import { QUEUE_MAX_RECEIVES } from '@matchmaking/functions/manifest';
import { METRICS_NAMESPACE, type MetricName, metricDimensions } from '@matchmaking/functions/metrics-names';
import { poolOf, type WarmPool } from '@matchmaking/functions/pool-config';
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { Settings } from '../settings.js';

/** A dead-letter queue and the queue it serves (`matchmaking`, `match-starts`), which names its alarm. */
export interface DeadLetterQueue {
  of: string;
  queue: aws.sqs.Queue;
}

/** A work queue (`matchmaking`, `match-starts`) and how old its oldest message may get. */
export interface WorkQueue {
  of: string;
  queue: aws.sqs.Queue;
  maxAgeSeconds: number;
}

/** What is watched: this deployment's metrics, queues and regions, its dead-letter queues, its matchmaker. */
export interface WatchInput {
  /** The resource prefix, also the metrics' `deployment` dimension (METRICS_DEPLOYMENT). */
  prefix: string;
  homeRegion: string;
  queues: readonly string[];
  regions: readonly string[];
  warmPool: WarmPool;
  deadLetterQueues: readonly DeadLetterQueue[];
  /** The work queues, each with the age its oldest message may reach before it pages. */
  workQueues: readonly WorkQueue[];
  /**
   * The functions whose Lambda `Errors` page, each naming its alarm
   * (`<prefix>-<alarm>`): the matchmaker (a timeout never reaches its own
   * metric), and the ones invoked asynchronously (the tick, the task-state
   * events), whose failures are otherwise only retried, then dropped.
   */
  errorsOf: readonly WatchedFunction[];
  alarms: Settings['alarms'];
}

/** A function whose Lambda `Errors` page. */
export interface WatchedFunction {
  /** The alarm's name after the prefix, e.g. `matchmaker-errors`. */
  alarm: string;
  /** What failing means, for the alarm's description. */
  what: string;
  functionName: pulumi.Input<string>;
}

/** A Matchmaking metric of this deployment, with exactly the dimensions it is published with. */
export function matchmakingMetric(
  deployment: string,
  metricName: MetricName,
  own: Record<string, string> = {},
) {
  return { namespace: METRICS_NAMESPACE, metricName, dimensions: metricDimensions(deployment, own) };
}

/** Regions whose pool keeps idle servers: there, none idle for a while means matches start cold. */
export function warmRegions(regions: readonly string[], pool: WarmPool): string[] {
  return regions.filter((region) => poolOf(pool, region).idle > 0);
}

/** Anything at all in a minute pages: a failure that must not happen quietly. */
const ANY_IN_A_MINUTE = {
  period: 60,
  evaluationPeriods: 1,
  threshold: 0,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
} as const;

/**
 * What pages an operator, in the home region where every function runs and
 * publishes: a dead-letter queue holding a message (work that failed ten
 * times), a failed matchmaking pass (or the matchmaker itself failing: a
 * timeout never reaches its own metric), a queue's time to match p95 over
 * `matchmaking:alarms.timeToMatchP95Seconds` in a region (with enough
 * matches for a p95), the tick or the task-state function failing, and a warm
 * pool with no idle server in four minutes of five. Each notifies the stack's SNS topic
 * (and `alarms.topicArn`) when it fires and when it clears.
 */
export function createAlarms(input: WatchInput, opts: pulumi.CustomResourceOptions) {
  const { prefix, alarms: settings } = input;
  const topic = new aws.sns.Topic(`${prefix}-alarms`, { name: `${prefix}-alarms` }, opts);
  if (settings.email) {
    new aws.sns.TopicSubscription(
      `${prefix}-alarms-email`,
      { topic: topic.arn, protocol: 'email', endpoint: settings.email },
      opts,
    );
  }
  const actions = [topic.arn, ...(settings.topicArn ? [settings.topicArn] : [])];
  const alarm = (name: string, description: string, args: Omit<aws.cloudwatch.MetricAlarmArgs, 'name'>) =>
    new aws.cloudwatch.MetricAlarm(
      `${prefix}-${name}`,
      {
        name: `${prefix}-${name}`,
        alarmDescription: description,
        alarmActions: actions,
        okActions: actions,
        ...args,
      },
      opts,
    );

  const deadLetters = input.deadLetterQueues.map(({ of, queue }) =>
    alarm(
      `${of}-dead-letters`,
      `a message of the ${of} queue failed ${QUEUE_MAX_RECEIVES} times and was dead-lettered`,
      {
        ...ANY_IN_A_MINUTE,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queue.name },
        statistic: 'Maximum',
      },
    ),
  );
  const passFailed = alarm('pass-failed', 'a matchmaking pass failed (its batch is retried)', {
    ...ANY_IN_A_MINUTE,
    ...matchmakingMetric(prefix, 'PassFailed'),
    statistic: 'Sum',
  });
  const errors = input.errorsOf.map((watched) =>
    alarm(watched.alarm, watched.what, {
      ...ANY_IN_A_MINUTE,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: watched.functionName },
      statistic: 'Sum',
    }),
  );
  // Work waiting too long: the consumer fails, is throttled or is too slow for its queue.
  const stale = input.workQueues.map(({ of, queue, maxAgeSeconds }) =>
    alarm(`${of}-oldest-message`, `the ${of} queue's oldest message waited over ${maxAgeSeconds} s`, {
      namespace: 'AWS/SQS',
      metricName: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: queue.name },
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 2,
      threshold: maxAgeSeconds,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    }),
  );
  // Any throttled invocation in the home region (Lambda's account-level metric: every function of
  // the account there, ours and others'): a throttled join or pass is lost or late.
  const throttles = alarm(
    'lambda-throttles',
    `Lambda throttled invocations in ${input.homeRegion} (the account's concurrency is used up: raise the quota, README "Deploy to AWS")`,
    { ...ANY_IN_A_MINUTE, namespace: 'AWS/Lambda', metricName: 'Throttles', statistic: 'Sum' },
  );
  const limit = settings.timeToMatchP95Seconds;
  const timeToMatch = input.queues.flatMap((queue) =>
    input.regions.map((region) =>
      alarm(
        `time-to-match-${queue}-${region}`,
        `queue ${queue} in ${region}: time to match p95 over ${limit} s (matchmaking:alarms.timeToMatchP95Seconds)`,
        {
          ...matchmakingMetric(prefix, 'TimeToMatch', { queue, region }),
          extendedStatistic: 'p95',
          period: 300,
          evaluationPeriods: 2,
          threshold: limit,
          comparisonOperator: 'GreaterThanThreshold',
          // No match formed is no datum: a quiet queue is not a slow one.
          treatMissingData: 'notBreaching',
          // Nor is one slow match its p95: with fewer than 10/(1-0.95) = 200 values in a period the
          // state does not change ("Percentile-based CloudWatch alarms and low data samples").
          evaluateLowSampleCountPercentiles: 'ignore',
        },
      ),
    ),
  );
  const warmIdle = warmRegions(input.regions, input.warmPool).map((region) =>
    alarm(`warm-idle-${region}`, `no idle warm server in ${region} in 4 of 5 minutes: matches start cold`, {
      ...matchmakingMetric(prefix, 'WarmServersIdle', { region }),
      statistic: 'Minimum',
      period: 60,
      // A pool being filled (a deploy, a burst of matches) has none idle for the minute or two a
      // server takes to start: four minutes of five is a pool that does not refill.
      evaluationPeriods: 5,
      datapointsToAlarm: 4,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      // The tick reports every pool each minute: no report (a tick failing before the keep, or
      // not running) means no pool kept.
      treatMissingData: 'breaching',
    }),
  );
  return {
    topic,
    alarms: [...deadLetters, ...stale, throttles, passFailed, ...errors, ...timeToMatch, ...warmIdle],
  };
}
