import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { TestPlayer } from '../helpers/player.js';
import { frame, OPCODE, RawClient } from '../helpers/raw-socket.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * Issue A1: one bad frame must close only its own connection, the way API
 * Gateway does (1002 / 1007 / 1009, 1003 for binary), run its $disconnect,
 * and leave the runtime serving everybody else. Before, ws emitted 'error'
 * on the server-side socket with nobody listening and the process exited.
 * API Gateway's limits: a frame is at most 32 KB, a message at most 128 KB
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;
let counter = 0;

beforeAll(async () => {
  stack = await startTestStack({ regions: ['eu-west-1'], teamSize: 50 });
  tables = tableReader(stack);
});
afterAll(() => stack.stop());

/** A raw, authenticated connection of a fresh user; resolves once its $connect stored it. */
async function connected() {
  counter += 1;
  const userId = `raw-${counter}`;
  const { client, status } = await RawClient.upgrade(stack.port, {
    Authorization: `Bearer ${await stack.token(userId)}`,
  });
  expect(status).toBe(101);
  await eventually(async () => expect((await tables.player(userId))?.connectionId).toBeTruthy());
  const connectionId = (await tables.player(userId))?.connectionId as string;
  expect(stack.websocket.connections.has(connectionId)).toBe(true);
  return { client, userId, connectionId };
}

/** The connection is gone from the API and its $disconnect ran (its row is deleted). */
async function disconnected(connectionId: string) {
  await eventually(() => expect(stack.websocket.connections.has(connectionId)).toBe(false));
  await eventually(async () =>
    expect((await tables.connections()).map((c) => c.connectionId)).not.toContain(connectionId),
  );
}

/** Another player is still served. */
async function stillServing() {
  counter += 1;
  const player = await TestPlayer.connect(stack, `bystander-${counter}`);
  expect((await player.request({ action: 'getProfile' }, 'profile')).type).toBe('profile');
  await player.close();
}

const KiB = 1024;

describe('a protocol violation closes only that connection, with the code API Gateway uses', () => {
  it.each([
    ['a text frame that is not UTF-8 (c3 28)', 1007, () => frame(OPCODE.text, Buffer.from([0xc3, 0x28]))],
    ['an unmasked frame', 1002, () => frame(OPCODE.text, '{"action":"getProfile"}', { mask: false })],
    ['a reserved opcode', 1002, () => frame(0x3, 'x')],
    ['an RSV bit', 1002, () => frame(OPCODE.text, '{"action":"getProfile"}', { rsv: 4 })],
    ['a ping over 125 bytes', 1002, () => frame(OPCODE.ping, Buffer.alloc(126))],
    ['a close code of 999', 1002, () => frame(OPCODE.close, Buffer.from([0x03, 0xe7]))],
    ['one frame of 129 KiB', 1009, () => frame(OPCODE.text, 'x'.repeat(129 * KiB))],
    [
      'a message over 128 KiB in 30 KiB frames',
      1009,
      () =>
        Buffer.concat([
          frame(OPCODE.text, 'x'.repeat(30 * KiB), { fin: false }),
          ...Array.from({ length: 4 }, () =>
            frame(OPCODE.continuation, 'x'.repeat(30 * KiB), { fin: false }),
          ),
          frame(OPCODE.continuation, 'x'.repeat(30 * KiB)),
        ]),
    ],
    [
      'a 33 KiB frame (API Gateway: at most 32 KB a frame)',
      1009,
      () => frame(OPCODE.text, 'x'.repeat(33 * KiB)),
    ],
    ['a binary frame', 1003, () => frame(OPCODE.binary, Buffer.from('{"action":"getProfile"}'))],
  ])(
    '%s: closed with %i, $disconnect runs, nothing is routed, the runtime lives on',
    async (_, code, bytes) => {
      const { client, connectionId } = await connected();
      client.write(bytes());
      const { messages, close } = await client.untilClosed();
      expect(close?.code).toBe(code);
      if (code === 1003) expect(close?.reason).toBe('binary frames are not supported');
      expect(messages).toEqual([]);
      client.destroy();
      await disconnected(connectionId);
      await stillServing();
    },
  );

  it('a 33 KiB frame that is a valid action is dropped, not routed', async () => {
    const { client, connectionId } = await connected();
    const action = JSON.stringify({ action: 'getProfile', pad: 'x'.repeat(33 * KiB) });
    client.write(frame(OPCODE.text, action));
    const { messages, close } = await client.untilClosed();
    expect(close?.code).toBe(1009);
    expect(messages).toEqual([]);
    await disconnected(connectionId);
  });

  it('frames of up to 32 KiB make up a message of up to 128 KiB: delivered, connection kept', async () => {
    const { client, connectionId } = await connected();
    const text = JSON.stringify({ action: 'getProfile', pad: 'x'.repeat(90 * KiB) });
    const parts = [text.slice(0, 32 * KiB), text.slice(32 * KiB, 64 * KiB), text.slice(64 * KiB)];
    client.write(
      Buffer.concat([
        frame(OPCODE.text, parts[0] as string, { fin: false }),
        frame(OPCODE.continuation, parts[1] as string, { fin: false }),
        frame(OPCODE.continuation, parts[2] as string),
      ]),
    );
    // The product answers (it refuses actions over 4 KiB with an error event); the connection stays.
    const answer = JSON.parse(await client.nextMessage()) as { type: string };
    expect(answer.type).toBe('error');
    client.write(frame(OPCODE.text, JSON.stringify({ action: 'getProfile' })));
    expect((JSON.parse(await client.nextMessage()) as { type: string }).type).toBe('profile');
    expect(stack.websocket.connections.has(connectionId)).toBe(true);
    client.destroy();
    await disconnected(connectionId);
  });

  it('a client resetting its connection mid-frame changes nothing for the others', async () => {
    const { client, connectionId } = await connected();
    client.write(frame(OPCODE.text, 'x'.repeat(20 * KiB)).subarray(0, 5000));
    client.socket.resetAndDestroy();
    await disconnected(connectionId);
    await stillServing();
  });
});
