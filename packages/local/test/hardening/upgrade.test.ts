import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { TestPlayer } from '../helpers/player.js';
import { RawClient } from '../helpers/raw-socket.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';

/*
 * Issue A4: the emulator runs the authorizer and $connect before the upgrade
 * completes; a client gone by then, or an upgrade that then fails, used to
 * leave its connection row and a player pointing at a socket that never
 * opened ($disconnect never ran). API Gateway runs $disconnect for every
 * connection whose $connect succeeded. And a request that cannot become a
 * WebSocket is refused before any function runs.
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;

beforeAll(async () => {
  stack = await startTestStack({ regions: ['eu-west-1'], teamSize: 50 });
  tables = tableReader(stack);
});
afterAll(() => stack.stop());

/** Nothing of the user's is left pointing at a connection. */
async function noGhost(userId: string) {
  await stack.settled();
  expect((await tables.connections()).filter((c) => c.userId === userId)).toEqual([]);
  expect((await tables.player(userId))?.connectionId ?? null).toBeNull();
  expect(
    [...stack.websocket.connections.values()].filter((c) => c.authorizer.principalId === userId),
  ).toEqual([]);
}

async function stillServing(userId: string) {
  const player = await TestPlayer.connect(stack, userId);
  expect((await player.request({ action: 'getProfile' }, 'profile')).userId).toBe(userId);
  await player.close();
}

describe('a client that goes away during $connect', () => {
  it('closing right after the upgrade request leaves no connection behind', async () => {
    for (let i = 0; i < 5; i += 1) {
      const client = await RawClient.open(stack.port);
      client.sendUpgrade({ Authorization: `Bearer ${await stack.token(`quitter-${i}`)}` });
      client.destroy();
    }
    for (let i = 0; i < 5; i += 1) await noGhost(`quitter-${i}`);
    await stillServing('quitter-0');
  });

  it('half-closing (FIN) before the 101: $connect ran, the upgrade fails, $disconnect runs', async () => {
    const client = await RawClient.open(stack.port);
    client.sendUpgrade({ Authorization: `Bearer ${await stack.token('half-closer')}` });
    client.socket.end();
    await new Promise((resolve) => client.socket.once('close', resolve));
    await noGhost('half-closer');
    // $connect did run for it (the player exists); only its connection is gone.
    expect(await tables.player('half-closer')).toMatchObject({ userId: 'half-closer' });
  });

  it('a reset (RST) while the authorizer runs does not crash the runtime', async () => {
    for (let i = 0; i < 5; i += 1) {
      const client = await RawClient.open(stack.port);
      client.sendUpgrade({ Authorization: `Bearer ${await stack.token(`resetter-${i}`)}` });
      client.socket.resetAndDestroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 5; i += 1) await noGhost(`resetter-${i}`);
    await stillServing('resetter-0');
  });
});

describe('a request that cannot become a WebSocket', () => {
  it.each([
    ['a malformed Sec-WebSocket-Key', { headers: { 'Sec-WebSocket-Key': 'not-a-key' } }],
    ['Sec-WebSocket-Version 8', { headers: { 'Sec-WebSocket-Version': '8' } }],
    ['no Sec-WebSocket-Key', { omit: ['Sec-WebSocket-Key'] }],
    ['an Upgrade to another protocol', { headers: { Upgrade: 'h2c' } }],
    ['a POST', { method: 'POST' }],
  ])('%s: 400 before the authorizer and $connect run', async (_, variant) => {
    const userId = `malformed-${Math.random().toString(36).slice(2, 8)}`;
    const { client, status } = await RawClient.upgrade(
      stack.port,
      {
        Authorization: `Bearer ${await stack.token(userId)}`,
        ...(('headers' in variant ? variant.headers : {}) as Record<string, string>),
      },
      { method: 'method' in variant ? variant.method : 'GET', omit: 'omit' in variant ? variant.omit : [] },
    );
    client.destroy();
    expect(status).toBe(400);
    await stack.settled();
    expect(await tables.player(userId)).toBeUndefined();
  });
});
