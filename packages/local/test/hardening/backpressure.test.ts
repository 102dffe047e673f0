import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LocalStack } from '../../src/index.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * Issue A3: one client sending 20,000 getProfile frames made others wait
 * seconds and grew the runtime by a gigabyte: every frame became an
 * invocation at once. Now a connection has at most 4 invocations in flight
 * (its socket is paused meanwhile, so unread frames stay in the kernel) and
 * at most 64 run at once overall. (Closing an abusive client with
 * RATE_LIMITED is the product's job, tested with the product.) Measured
 * before this change: the other player waited 19 s and the heap grew 1.1 GB;
 * after: tens of milliseconds and under 50 MB.
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({ regions: ['eu-west-1'], teamSize: 50 });
});
afterAll(() => stack.stop());

const MB = 1024 * 1024;

describe('flooding clients', () => {
  it('many flooding clients: at most 64 invocations run at once, the rest wait their turn', async () => {
    const sockets = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const socket = new WebSocket(`ws://127.0.0.1:${stack.port}`, {
          headers: { Authorization: `Bearer ${await stack.token(`crowd-${i}`)}` },
        });
        socket.on('message', () => undefined);
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('open', resolve));
        return socket;
      }),
    );
    const frame = JSON.stringify({ action: 'getProfile' });
    for (const socket of sockets) for (let i = 0; i < 100; i += 1) socket.send(frame);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const socket of sockets) socket.terminate();
    await stack.settled();
    expect(stack.lambdas.peakConcurrency).toBeGreaterThan(4);
    expect(stack.lambdas.peakConcurrency).toBeLessThanOrEqual(64);
  });

  it('20,000 getProfile frames: the heap stays bounded and another player is answered', async () => {
    // Warm up: the handlers' first invocations load the SDK and fill caches.
    const other = await TestPlayer.connect(stack, 'patient');
    for (let i = 0; i < 5; i += 1) await other.request({ action: 'getProfile' }, 'profile');
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 20);

    const flooder = new WebSocket(`ws://127.0.0.1:${stack.port}`, {
      headers: { Authorization: `Bearer ${await stack.token('flooder')}` },
    });
    await new Promise((resolve) => flooder.once('open', resolve));
    flooder.on('message', () => undefined);
    flooder.on('error', () => undefined);
    let perConnectionPeak = 0;
    const watcher = setInterval(() => {
      for (const connection of stack.websocket.connections.values())
        perConnectionPeak = Math.max(perConnectionPeak, connection.inFlight);
    }, 5);
    const frame = JSON.stringify({ action: 'getProfile' });
    for (let i = 0; i < 20_000; i += 1) flooder.send(frame);

    // Let the flood reach the runtime, then ask as another player.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const started = Date.now();
    const profile = await other.request({ action: 'getProfile' }, 'profile');
    const waited = Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    clearInterval(sampler);
    clearInterval(watcher);
    flooder.terminate();
    await other.close();

    expect(profile.userId).toBe('patient');
    expect(waited).toBeLessThan(5000);
    expect(perConnectionPeak).toBeLessThanOrEqual(4);
    expect(stack.lambdas.peakConcurrency).toBeLessThanOrEqual(64);
    expect((peak - baseline) / MB).toBeLessThan(200);
  });

  it('a paused (flooding) connection closed through @connections DELETE closes at once, pending frames dropped', async () => {
    const before = new Set(stack.websocket.connections.keys());
    const flooder = new WebSocket(`ws://127.0.0.1:${stack.port}`, {
      headers: { Authorization: `Bearer ${await stack.token('deleted-flooder')}` },
    });
    await new Promise((resolve) => flooder.once('open', resolve));
    flooder.on('message', () => undefined);
    flooder.on('error', () => undefined);
    const connection = [...stack.websocket.connections.values()].find((c) => !before.has(c.id));
    expect(connection).toBeDefined();
    const closed = new Promise<number>((resolve) => flooder.once('close', (code) => resolve(code)));
    const frame = JSON.stringify({ action: 'getProfile' });
    for (let i = 0; i < 5000; i += 1) flooder.send(frame);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const client = new ApiGatewayManagementApiClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${stack.port}`,
      credentials: stack.credentials,
    });
    const started = Date.now();
    // The product may have closed it already for its rate (then DELETE answers 410): either way it closes now.
    await client
      .send(new DeleteConnectionCommand({ ConnectionId: connection?.id as string }))
      .catch((error: Error) => expect(error.name).toBe('GoneException'));
    expect(await closed).toBe(1000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(connection?.pending).toEqual([]);
  });
});
