import type { MatchmakingClient } from '@matchmaking/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';
import { connectAs } from './sdk.js';

/* measurePings against the local ping endpoints, whose emulated delays (the defaults) order the regions. */
let stack: LocalStack;
let mm: MatchmakingClient;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['us-east-1', 'eu-west-1'],
    queues: {
      ranked: {
        teamSize: 1,
        default: true,
        ratingWindow: { initial: 1000, growthPerSecond: 0, max: 1000 },
        latency: { initialMs: 150, stepMs: 0, stepSeconds: 5, maxMs: 150 },
      },
    },
  });
  mm = await connectAs(stack, 'pinger');
});
afterAll(async () => {
  await mm?.close();
  await stack.stop();
});

describe('measurePings (real ping endpoints)', () => {
  it('times every region, ordered by the emulated delays, and the result joins a queue in one line', async () => {
    expect(stack.pingDelaysMs).toEqual({ 'us-east-1': 20, 'eu-west-1': 90 });
    const latencies = await mm.measurePings({ tries: 3 });
    expect(Object.keys(latencies).sort()).toEqual(['eu-west-1', 'us-east-1']);
    const us = latencies['us-east-1'] as number;
    const eu = latencies['eu-west-1'] as number;
    expect(us).toBeGreaterThanOrEqual(20);
    expect(eu).toBeGreaterThanOrEqual(90);
    expect(eu).toBeGreaterThan(us + 40);
    const joined = await mm.joinQueue({ queue: 'ranked', latencies });
    expect(joined).toMatchObject({ region: 'us-east-1', latencies: { 'us-east-1': us, 'eu-west-1': eu } });
    await mm.leaveQueue();
  });

  it('leaves out a region whose URL fails, and rejects with PING_FAILED when none answers', async () => {
    const real = globalThis.fetch;
    const failing = await connectAs(stack, 'pinger-2', {
      fetch: (url, init) =>
        url.includes('eu-west-1') ? Promise.reject(new TypeError('failed to fetch')) : real(url, init),
    });
    expect(Object.keys(await failing.measurePings({ tries: 2 }))).toEqual(['us-east-1']);
    await failing.close();
    const offline = await connectAs(stack, 'pinger-3', {
      fetch: () => Promise.reject(new TypeError('offline')),
    });
    await expect(offline.measurePings()).rejects.toMatchObject({ code: 'PING_FAILED' });
    await offline.close();
  });
});
