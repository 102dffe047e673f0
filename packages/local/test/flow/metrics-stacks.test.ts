import { afterEach, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * The local metrics summary, per stack: each stack publishes with its own
 * `deployment` (local-<port>) and sums only its own records, even with
 * another stack in the same process; a stack without a summary sums nothing
 * until `metrics` is read (nothing grows while nobody looks); and stopping a
 * stack leaves stdout as it was, even when a step of the stop fails.
 */
const REGION = 'eu-west-1';
let stacks: LocalStack[] = [];
let players: TestPlayer[] = [];
afterEach(async () => {
  await Promise.all(players.map((p) => p.close()));
  players = [];
  for (const stack of stacks) await stack.stop();
  stacks = [];
});

async function start(): Promise<LocalStack> {
  const stack = await startTestStack({ regions: [REGION], teamSize: 1 });
  stacks.push(stack);
  return stack;
}

/** One player joins the stack's queue (one PlayersJoined record of that stack). */
async function joinOne(stack: LocalStack, userId: string): Promise<void> {
  const player = await TestPlayer.connect(stack, userId);
  players.push(player);
  await player.request({ action: 'joinQueue', region: REGION }, 'joinedQueue');
  await stack.settled();
}

describe('two local stacks in one process', () => {
  it('each sums only its own handlers’ records (its own deployment, local-<port>)', async () => {
    const a = await start();
    a.metrics.take();
    await joinOne(a, 'a1');
    const b = await start();
    b.metrics.take();
    await joinOne(b, 'b1');
    await joinOne(a, 'a2');

    expect(a.metrics.figures().joined).toBe(2);
    expect(b.metrics.figures().joined).toBe(1);
    expect(a.metricsDeployment).toBe(`local-${a.port}`);
    expect(b.metricsDeployment).toBe(`local-${b.port}`);
  }, 60_000);
});

describe('a stack without a summary', () => {
  it('sums nothing until `metrics` is read, then what comes after', async () => {
    const stack = await start();
    await joinOne(stack, 'early');
    // Nothing was kept for nobody: the first read starts empty.
    expect(stack.metrics.figures().joined).toBe(0);
    await joinOne(stack, 'late');
    expect(stack.metrics.figures().joined).toBe(1);
  }, 60_000);
});

describe('metricsSummarySeconds', () => {
  it('is refused past a day (a timer cannot wait past 2^31 ms), below 0 or not a number, before anything starts', async () => {
    for (const seconds of [86_401, 2_147_484, -1, Number.NaN])
      await expect(
        startTestStack({ regions: [REGION], teamSize: 1, metricsSummarySeconds: seconds }),
      ).rejects.toThrow(`metricsSummarySeconds must be 0 (off) to 86400 (a day), got ${seconds}`);
  });
});

describe('stopping a stack', () => {
  it('restores stdout even when a step of the stop fails', async () => {
    const before = process.stdout.write;
    const stack = await start();
    expect(process.stdout.write).not.toBe(before);
    const close = stack.ecs.close.bind(stack.ecs);
    stack.ecs.close = async () => {
      await close();
      throw new Error('ECS would not close');
    };
    await expect(stack.stop()).rejects.toThrow('ECS would not close');
    expect(process.stdout.write).toBe(before);
    // The rest of the stop, for this test's own sake.
    stack.ecs.close = async () => undefined;
  }, 60_000);
});
