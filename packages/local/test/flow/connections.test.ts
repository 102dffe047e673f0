import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LocalStack } from '../../src/index.js';
import { callback, sessionToken } from '../helpers/callbacks.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * One player, many connections, and connections that flood: the newest
 * connection of a player wins (the older is told why and closed), a
 * connection over its message limit is refused and closed while everyone
 * else goes on, and tryCreateMatch requests collapse into one queue message.
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;

beforeAll(async () => {
  stack = await startTestStack({ regions: ['eu-west-1'], teamSize: 1 });
  tables = tableReader(stack);
});
afterAll(() => stack.stop());

const closed = (player: TestPlayer) =>
  new Promise<{ code: number; reason: string }>((resolve) => {
    if (player.socket.readyState === WebSocket.CLOSED) resolve({ code: 0, reason: 'already closed' });
    player.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });

describe('a player with two connections', () => {
  it('keeps only the newest: the older one is told why and closed, and the newer gets every match event', async () => {
    const first = await TestPlayer.connect(stack, 'mia');
    const firstClosed = closed(first);
    const second = await TestPlayer.connect(stack, 'mia');
    expect(await first.next('connectionReplaced')).toMatchObject({
      message: expect.stringContaining('connected again elsewhere'),
    });
    await firstClosed;
    await stack.settled();
    expect(await tables.player('mia')).toMatchObject({ connectionId: expect.any(String) });
    // The older connection's $disconnect changed nothing: the player still points at the open one.
    const rival = await TestPlayer.connect(stack, 'noa');
    await second.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
    await rival.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
    const found = await second.next('matchFound');
    await stack.settled();
    const matchId = found.matchId as string;
    const token = await sessionToken(stack, matchId);
    expect((await callback(stack, matchId, 'ready', { port: 7000 }, token)).status).toBe(200);
    expect(await second.next('serverReady')).toMatchObject({ matchId, port: 7000 });
    expect((await callback(stack, matchId, 'result', { outcome: 'draw' }, token)).status).toBe(200);
    expect(await second.next('matchFinished')).toMatchObject({ matchId, outcome: 'draw' });
    expect(first.count('matchFound')).toBe(0);
    await Promise.all([second.close(), rival.close()]);
  });

  it('leaves no silent tab: closing the newest connection leaves the player with none, not a stale one', async () => {
    const m = await TestPlayer.connect(stack, 'oli');
    const mClosed = closed(m);
    const n = await TestPlayer.connect(stack, 'oli');
    await mClosed;
    await n.close();
    await stack.settled();
    const player = await tables.player('oli');
    expect(player?.connectionId).toBeUndefined();
    expect((await tables.connections()).filter((c) => c.userId === 'oli')).toEqual([]);
  });
});

describe('a connection that floods', () => {
  it('is refused with RATE_LIMITED and closed after its message limit, while others are answered; reconnecting does not reset it', async () => {
    // Start early in a 10 s window so the whole test stays inside it.
    if (Date.now() % 10_000 > 6_000)
      await new Promise((r) => setTimeout(r, 10_000 - (Date.now() % 10_000) + 50));
    const flooder = await TestPlayer.connect(stack, 'flo');
    const calm = await TestPlayer.connect(stack, 'cal');
    const flooderClosed = closed(flooder);
    for (let i = 0; i < 200; i += 1) flooder.send({ action: 'getProfile' });
    const refusal = await flooder.next('error');
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('at most 20') });
    await flooderClosed;
    const again = await TestPlayer.connect(stack, 'flo');
    expect(await again.request({ action: 'getProfile' }, 'error')).toMatchObject({ code: 'RATE_LIMITED' });
    // The default limit is 20 messages per 10 s per player: no more than that were answered.
    expect(flooder.count('profile')).toBeLessThanOrEqual(20);
    expect(await calm.request({ action: 'getProfile' }, 'profile')).toMatchObject({ userId: 'cal' });
    await calm.close();
  });

  it('puts one FIFO message on the queue for any number of tryCreateMatch requests within 5 s', async () => {
    const delivered: number[] = [];
    const invoke = stack.lambdas.invoke.bind(stack.lambdas);
    stack.lambdas.invoke = async (name: string, event: unknown) => {
      if (name === 'matchmaker') delivered.push((event as { Records: unknown[] }).Records.length);
      return invoke(name, event);
    };
    try {
      await stack.settled();
      delivered.length = 0;
      const askers = await Promise.all(['t1', 't2', 't3', 't4'].map((id) => TestPlayer.connect(stack, id)));
      await Promise.all(
        askers.flatMap((p) =>
          [1, 2, 3].map(() => p.request({ action: 'tryCreateMatch' }, 'matchmakingRequested')),
        ),
      );
      await stack.settled();
      // 12 requests; at most two messages (the 5 s window may turn between them).
      const messages = delivered.reduce((sum, n) => sum + n, 0);
      expect(messages).toBeGreaterThanOrEqual(1);
      expect(messages).toBeLessThanOrEqual(2);
      await Promise.all(askers.map((p) => p.close()));
    } finally {
      stack.lambdas.invoke = invoke;
    }
  });
});

describe('the players table after all this', () => {
  it('has no player pointing at a connection that is not open', async () => {
    await stack.settled();
    await eventually(async () => {
      const open = new Set((await tables.connections()).map((c) => c.connectionId));
      for (const player of await tables.players()) {
        if (player.connectionId) expect(open.has(player.connectionId)).toBe(true);
      }
    });
  });
});
