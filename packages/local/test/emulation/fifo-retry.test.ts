import { queueVisibilitySeconds } from '@matchmaking/functions/manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationReport, LocalStack } from '../../src/index.js';
import { sendPassRequest } from '../helpers/direct-queue.js';
import { dropTableAction, manifestWithout } from '../helpers/manifest.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { eventually } from '../helpers/wait.js';

/*
 * A failed pass holds its game mode only seconds. The queues' visibility
 * timeout is the deployed one (90 s for the matchmaker's 60 s), and a FIFO
 * message group delivers nothing else while one of its messages waits to be
 * retried; so the matchmaker hands a failed record back itself, within
 * seconds (ChangeMessageVisibility). Every pass here fails: the matchmaker's
 * role lacks dynamodb:Query on the tickets table (the local IAM refuses it).
 */
let stack: LocalStack;
const reports: InvocationReport[] = [];
const failing = manifestWithout('matchmaker', dropTableAction('tickets', 'dynamodb:Query'));

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    queues: { duel: { teamSize: 1, default: true }, duo: { teamSize: 2 } },
    functions: failing,
  });
  stack.lambdas.on('invocation', (report) => reports.push(report));
});
afterAll(() => stack.stop());

type Delivery = { Records: { messageId: string; attributes: { ApproximateReceiveCount: string } }[] };
const deliveriesOf = (messageId: string) =>
  reports.filter(
    (r) => r.name === 'matchmaker' && (r.event as Delivery).Records.some((m) => m.messageId === messageId),
  );

const requestPass = (queue: string, id: string) => sendPassRequest(stack, queue, ['eu-west-1'], id);

describe('a failed pass, with the deployed visibility timeout', () => {
  it('is retried within seconds, its game mode waits meanwhile, and another game mode does not', async () => {
    expect(queueVisibilitySeconds(60)).toBe(90);
    const first = await requestPass('duel', 'retry-1');
    await eventually(() => expect(deliveriesOf(first)).toHaveLength(1));
    // Behind it in its group: never delivered before it, only with it.
    const second = await requestPass('duel', 'retry-2');
    // Another group (game mode): not held back by the failing one (delivered before its retry).
    const other = await requestPass('duo', 'retry-other');
    await eventually(() => expect(deliveriesOf(other).length).toBeGreaterThan(0));
    const otherAt = (deliveriesOf(other)[0] as InvocationReport).startedAt;

    await eventually(() => expect(deliveriesOf(first).length).toBeGreaterThanOrEqual(2), 10_000);
    const [once, again] = deliveriesOf(first) as [InvocationReport, InvocationReport];
    expect(once.outcome).toBe('success'); // a handled failure: reported for its records
    // Back after 2 s (its first retry), not after the 90 s visibility timeout.
    const waited = again.startedAt - (once.startedAt + once.durationMs);
    // (Measured from the handler's end: the visibility was changed a moment before it.)
    expect(waited).toBeGreaterThanOrEqual(1_500);
    expect(waited).toBeLessThan(6_000);
    expect((again.event as Delivery).Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(otherAt).toBeLessThan(again.startedAt);
    // FIFO: the second message of the group came only with (after) the first.
    for (const delivery of deliveriesOf(second)) {
      const ids = (delivery.event as Delivery).Records.map((r) => r.messageId);
      expect(ids.indexOf(first)).toBe(0);
    }
    expect(
      stack.iam.denials.some((d) => d.functionName === 'matchmaker' && d.action === 'dynamodb:Query'),
    ).toBe(true);
  });
});

describe('a failed match start, with the deployed visibility timeout (60 s)', () => {
  it('is retried within seconds: the match starter hands its record back too', async () => {
    // Every start fails: the starter's role may not update the matches table.
    const starterFails = manifestWithout('matchStarter', dropTableAction('matches', 'dynamodb:UpdateItem'));
    const own = await startTestStack({ regions: ['eu-west-1'], teamSize: 1, functions: starterFails });
    const starts: InvocationReport[] = [];
    own.lambdas.on('invocation', (report) => {
      if (report.name === 'matchStarter') starts.push(report);
    });
    try {
      const players = await Promise.all(['start-a', 'start-b'].map((id) => TestPlayer.connect(own, id)));
      for (const player of players)
        await player.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
      await eventually(() => expect(starts.length).toBeGreaterThanOrEqual(2), 10_000);
      const [once, again] = starts as [InvocationReport, InvocationReport];
      expect((again.event as Delivery).Records[0]?.messageId).toBe(
        (once.event as Delivery).Records[0]?.messageId,
      );
      expect(again.startedAt - (once.startedAt + once.durationMs)).toBeLessThan(6_000);
      expect(own.iam.denials.some((d) => d.functionName === 'matchStarter')).toBe(true);
      await Promise.all(players.map((p) => p.close()));
    } finally {
      await own.stop();
    }
  });
});
