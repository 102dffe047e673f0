import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { queueVisibilitySeconds } from '@matchmaking/functions/manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationReport, LocalStack } from '../../src/index.js';
import { sendPassRequest } from '../helpers/direct-queue.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { eventually } from '../helpers/wait.js';

/*
 * DynamoDB with AWS's latency, and the matchmaker's timeout enforced as Lambda
 * does: a pass slowed past its (shortened) timeout fails, and its batch comes
 * back after the queue's visibility timeout.
 */
const DYNAMODB_MS = 150;

let stack: LocalStack;
const reports: InvocationReport[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    teamSize: 1,
    emulate: { dynamoDbMs: DYNAMODB_MS },
    // One DynamoDB call (150 ms) is already past it.
    functionTimeouts: { matchmaker: 0.1 },
  });
  stack.lambdas.on('invocation', (report) => reports.push(report));
});
afterAll(() => stack.stop());

describe('DynamoDB with emulated latency', () => {
  it("every call through the handlers' endpoint takes at least dynamoDbMs", async () => {
    // The handlers get a plain endpoint URL, the one the stack lists; it is not dynalite's own.
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(stack.endpoints.dynamodb);
    expect(stack.endpoints.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.endpoints.dynamodb).not.toBe(stack.dynamoDirectEndpoint);
    const client = new DynamoDBClient({
      endpoint: stack.endpoints.dynamodb,
      region: 'eu-west-1',
      credentials: stack.credentials,
    });
    try {
      for (let call = 0; call < 3; call += 1) {
        const started = performance.now();
        await client.send(
          new GetItemCommand({ TableName: stack.tableNames.players, Key: { userId: { S: 'nobody' } } }),
        );
        const took = performance.now() - started;
        expect(took).toBeGreaterThanOrEqual(DYNAMODB_MS - 1);
        expect(took).toBeLessThan(DYNAMODB_MS + 5000);
      }
    } finally {
      client.destroy();
    }
  });

  it('a handler pays it on each of its calls (getProfile reads the player)', async () => {
    const player = await TestPlayer.connect(stack, 'slow-reader');
    try {
      const started = performance.now();
      const profile = await player.request({ action: 'getProfile' }, 'profile');
      expect(profile.rating).toBe(1500);
      expect(performance.now() - started).toBeGreaterThanOrEqual(DYNAMODB_MS - 1);
      // The reply is posted before the handler returns: its report comes just after.
      await eventually(() => {
        const getProfile = reports.find((r) => r.name === 'getProfile');
        expect(getProfile?.outcome).toBe('success');
        expect(getProfile?.durationMs).toBeGreaterThanOrEqual(DYNAMODB_MS - 1);
      });
    } finally {
      await player.close();
    }
  });
});

describe("the matchmaker's timeout", () => {
  it('a pass past its timeout counts as failed and its batch is redelivered after the visibility timeout', async () => {
    const messageId = await sendPassRequest(stack, stack.queues.defaultQueue, ['eu-west-1'], 'timeout-test');
    type Delivery = { Records: { messageId: string; attributes: { ApproximateReceiveCount: string } }[] };
    const deliveries = () =>
      reports.filter(
        (r) =>
          r.name === 'matchmaker' && (r.event as Delivery).Records.some((m) => m.messageId === messageId),
      );
    await eventually(() => expect(deliveries()).toHaveLength(1));
    const first = deliveries()[0] as InvocationReport;
    expect(first.outcome).toBe('timeout');
    expect(first.durationMs).toBeGreaterThanOrEqual(99);
    expect(first.durationMs).toBeLessThan(DYNAMODB_MS + 2000);

    // Give the next delivery the manifest's own timeout (60 s): it completes.
    stack.lambdas.functionTimeouts.delete('matchmaker');
    expect(stack.lambdas.timeoutSeconds('matchmaker')).toBe(60);
    await eventually(() => expect(deliveries()).toHaveLength(2), 15_000);
    const second = deliveries()[1] as InvocationReport;
    expect(second.outcome).toBe('success');
    // The same message, delivered a second time once its visibility timeout ran out, counted from
    // its receive as SQS does (just above the timeout it was received with: queueVisibilitySeconds)...
    expect((second.event as Delivery).Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(second.startedAt - first.startedAt).toBeGreaterThanOrEqual(
      queueVisibilitySeconds(0.1) * 1000 - 10,
    );
    // ...to a fresh instance of the function: Lambda resets an environment after a timeout.
    expect(second.coldStart).toBe(true);
    await stack.settled();
    expect(stack.sqs.deadLetters(stack.queueUrl)).toEqual([]);
    expect(stack.sqs.isIdle()).toBe(true);
  });
});
