import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../src/index.js';
import { TestPlayer } from '../helpers/player.js';
import { RawClient } from '../helpers/raw-socket.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * API Gateway's WebSocket quotas: "Idle Connection Timeout 10 minutes" and
 * "Connection duration for WebSocket API 2 hours", neither adjustable
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 * The local WebSocket API closes connections at both, with 1001 Going away,
 * and runs $disconnect. Shortened here to seconds (websocketLimits).
 */
// Seconds, not minutes; long enough that a loaded machine connects and joins well within them.
const IDLE_SECONDS = 3;
const MAX_CONNECTION_SECONDS = 8;
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;
let counter = 0;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    teamSize: 50,
    websocketLimits: { idleSeconds: IDLE_SECONDS, maxConnectionSeconds: MAX_CONNECTION_SECONDS },
  });
  tables = tableReader(stack);
});
afterAll(() => stack.stop());

/** A raw, authenticated connection of a fresh user; resolves once its $connect stored it. */
async function connected() {
  counter += 1;
  const userId = `limits-${counter}`;
  const { client, status } = await RawClient.upgrade(stack.port, {
    Authorization: `Bearer ${await stack.token(userId)}`,
  });
  expect(status).toBe(101);
  await eventually(async () => expect((await tables.player(userId))?.connectionId).toBeTruthy());
  const connectionId = (await tables.player(userId))?.connectionId as string;
  return { client, userId, connectionId, openedAt: openedAtOf(connectionId) };
}

/** When the API accepted the connection (its own clock), else now. */
function openedAtOf(connectionId: string): number {
  return stack.websocket.connections.get(connectionId)?.connectedAt ?? Date.now();
}

/** Its $disconnect ran: the connection is gone from the API and the table, and the player has none. */
async function disconnected(userId: string, connectionId: string) {
  await eventually(() => expect(stack.websocket.connections.has(connectionId)).toBe(false));
  await eventually(async () => {
    expect((await tables.connections()).map((c) => c.connectionId)).not.toContain(connectionId);
    expect((await tables.player(userId))?.connectionId).toBeUndefined();
  });
}

describe('the local WebSocket API closes connections at API Gateway’s time limits', () => {
  it('closes a connection the client sent nothing on for idleSeconds, with 1001 Going away, and runs $disconnect', async () => {
    const { client, userId, connectionId, openedAt } = await connected();
    const { close } = await client.untilClosed();
    const seconds = (Date.now() - openedAt) / 1000;
    expect(close).toEqual({ code: 1001, reason: 'Going away' });
    expect(seconds).toBeGreaterThanOrEqual(IDLE_SECONDS * 0.9);
    expect(seconds).toBeLessThan(MAX_CONNECTION_SECONDS);
    await disconnected(userId, connectionId);
  });

  it('takes a waiting player’s ticket out when it closes an idle connection, as any close does', async () => {
    counter += 1;
    const player = await TestPlayer.connect(stack, `limits-queued-${counter}`);
    const closed = new Promise<number>((resolve) => player.socket.once('close', (code) => resolve(code)));
    const joined = await player.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
    expect(await closed).toBe(1001);
    await eventually(async () =>
      expect((await tables.tickets()).map((t) => t.ticketId)).not.toContain(joined.ticketId),
    );
    expect((await tables.player(player.userId))?.status).toBe('idle');
  });

  it('does not count messages sent to the client through @connections as activity', async () => {
    const { client, userId, connectionId, openedAt } = await connected();
    // The backend posts every 200 ms; the client says nothing.
    const posting = setInterval(
      () =>
        stack.websocket.post(connectionId, Buffer.from('{"type":"keptAlive","message":"from the server"}')),
      200,
    );
    try {
      const { messages, close } = await client.untilClosed();
      expect(messages.length).toBeGreaterThanOrEqual(3);
      expect(close?.code).toBe(1001);
      expect((Date.now() - openedAt) / 1000).toBeLessThan(MAX_CONNECTION_SECONDS);
    } finally {
      clearInterval(posting);
    }
    await disconnected(userId, connectionId);
  });

  it('closes a connection that keeps sending at maxConnectionSeconds after it connected, with 1001', async () => {
    counter += 1;
    const player = await TestPlayer.connect(stack, `limits-busy-${counter}`);
    const connectionId = (await tables.player(player.userId))?.connectionId as string;
    const openedAt = openedAtOf(connectionId);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      player.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    // Well inside the idle timeout and the rate limit (20 per 10 s).
    const chatting = setInterval(() => player.send({ action: 'keepAlive' }), 400);
    try {
      expect(await closed).toEqual({ code: 1001, reason: 'Going away' });
    } finally {
      clearInterval(chatting);
    }
    const seconds = (Date.now() - openedAt) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(MAX_CONNECTION_SECONDS * 0.95);
    expect(seconds).toBeLessThan(MAX_CONNECTION_SECONDS + 1);
    await disconnected(player.userId, connectionId);
  });

  it('answers a keepAlive only when it carries a requestId', async () => {
    counter += 1;
    const player = await TestPlayer.connect(stack, `limits-answer-${counter}`);
    player.send({ action: 'keepAlive' });
    const answer = await player.request({ action: 'keepAlive', requestId: 'k1' }, 'keptAlive');
    expect(answer.requestId).toBe('k1');
    expect(player.events.map((event) => event.type)).toEqual(['keptAlive']);
    await player.close();
  });
});

describe('websocketLimits are checked before anything starts', () => {
  it.each([
    [{ idleSeconds: 0 }, /websocketLimits\.idleSeconds must be more than 0 and at most 600/],
    [{ idleSeconds: 601 }, /websocketLimits\.idleSeconds must be more than 0 and at most 600/],
    [{ maxConnectionSeconds: Number.NaN }, /websocketLimits\.maxConnectionSeconds must be .* at most 7200/],
    [{ maxConnectionSeconds: 7201 }, /websocketLimits\.maxConnectionSeconds/],
  ])('refuses %o', async (limits, message) => {
    await expect(
      startLocalStack({ port: 0, regions: ['eu-west-1'], teamSize: 1, websocketLimits: limits }),
    ).rejects.toThrow(message);
  });
});
