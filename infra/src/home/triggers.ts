import { QUEUE_BATCH_SIZE } from '@matchmaking/functions/manifest';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { DeployedFunctions } from './functions.js';

/**
 * A function consumes its FIFO queue: the matchmaker the pass requests, the
 * match starter the start requests; batches of 10, partial batch failures reported.
 * Lambda runs as many batches at once as there are active message groups (one per
 * queue for the matchmaker, one per match for the starter), up to the manifest's
 * maximum concurrency: more groups than that wait in the queue, instead of being
 * throttled back to it after the visibility timeout, which counts towards the
 * dead-letter queue's maxReceiveCount. The mapping is created after the role's
 * policy: CreateEventSourceMapping checks that the role may receive from the queue,
 * and IAM is eventually consistent ("Troubleshoot IAM", eventual consistency).
 */
export function connectQueue(
  prefix: string,
  queue: aws.sqs.Queue,
  kind: 'matchmakingQueue' | 'matchStartQueue',
  deployed: DeployedFunctions,
  opts: pulumi.CustomResourceOptions,
): void {
  for (const { definition, fn, policy } of Object.values(deployed)) {
    if (definition.trigger.kind !== kind) continue;
    new aws.lambda.EventSourceMapping(
      `${prefix}-${definition.name}-queue`,
      {
        eventSourceArn: queue.arn,
        functionName: fn.arn,
        batchSize: QUEUE_BATCH_SIZE,
        functionResponseTypes: ['ReportBatchItemFailures'],
        // Lambda's minimum for maximum concurrency is 2 ("Configuring maximum concurrency for Amazon SQS event sources").
        ...(definition.maximumConcurrency !== undefined
          ? { scalingConfig: { maximumConcurrency: Math.max(2, definition.maximumConcurrency) } }
          : {}),
      },
      { ...opts, dependsOn: [policy] },
    );
  }
}

/** Scheduled functions (the tick): an EventBridge schedule rule each. */
export function connectSchedules(
  prefix: string,
  deployed: DeployedFunctions,
  opts: pulumi.CustomResourceOptions,
): void {
  for (const { definition, fn } of Object.values(deployed)) {
    if (definition.trigger.kind !== 'schedule') continue;
    const rule = new aws.cloudwatch.EventRule(
      `${prefix}-${definition.name}-schedule`,
      { scheduleExpression: definition.trigger.expression },
      opts,
    );
    new aws.cloudwatch.EventTarget(
      `${prefix}-${definition.name}-schedule`,
      { rule: rule.name, arn: fn.arn },
      opts,
    );
    new aws.lambda.Permission(
      `${prefix}-${definition.name}-schedule`,
      {
        action: 'lambda:InvokeFunction',
        function: fn.name,
        principal: 'events.amazonaws.com',
        sourceArn: rule.arn,
      },
      opts,
    );
  }
}

/**
 * Game-server task state changes, from every fleet region, reach the
 * taskStateChange function through one rule on the home region's default
 * event bus (the fleets forward their clusters' events there).
 */
export function connectTaskEvents(
  prefix: string,
  clusterArns: pulumi.Input<string>[],
  deployed: DeployedFunctions,
  opts: pulumi.CustomResourceOptions,
): void {
  for (const { definition, fn } of Object.values(deployed)) {
    if (definition.trigger.kind !== 'gameServerTaskEvents') continue;
    const rule = new aws.cloudwatch.EventRule(
      `${prefix}-${definition.name}-events`,
      {
        eventPattern: taskStoppedPattern(clusterArns),
      },
      opts,
    );
    new aws.cloudwatch.EventTarget(
      `${prefix}-${definition.name}-events`,
      { rule: rule.name, arn: fn.arn },
      opts,
    );
    new aws.lambda.Permission(
      `${prefix}-${definition.name}-events`,
      {
        action: 'lambda:InvokeFunction',
        function: fn.name,
        principal: 'events.amazonaws.com',
        sourceArn: rule.arn,
      },
      opts,
    );
  }
}

/** The EventBridge pattern of "a task of these clusters stopped". */
export function taskStoppedPattern(clusterArns: pulumi.Input<string>[]): pulumi.Output<string> {
  return pulumi.all(clusterArns).apply((arns) =>
    JSON.stringify({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { clusterArn: arns, lastStatus: ['STOPPED'] },
    }),
  );
}
