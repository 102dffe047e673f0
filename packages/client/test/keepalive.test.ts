import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect, type MatchmakingClient } from '../src/client.js';
import type { ClientEvent } from '../src/events.js';
import type { ConnectOptions } from '../src/options.js';
import { type FakeSocket, fakeWebSocket } from './fake-socket.js';

/*
 * API Gateway closes a WebSocket the client sent nothing on for 10 minutes,
 * and every connection after 2 hours (its WebSocket quotas). The SDK sends
 * keepAlive after keepAliveSeconds of its own silence, and renews the
 * connection after renewAfterSeconds. Fake timers: minutes pass at once.
 */
const URL = 'ws://127.0.0.1:1';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function connected(options: Partial<ConnectOptions> = {}, behave?: (s: FakeSocket, i: number) => void) {
  const fake = fakeWebSocket(behave);
  const mm = await connect(URL, { token: () => 't', WebSocket: fake.WebSocket, ...options });
  return { mm, fake, socket: fake.sockets[0] as FakeSocket };
}

const keepAlives = (socket: FakeSocket | undefined) =>
  (socket?.sent ?? []).filter((frame) => frame.action === 'keepAlive');

/** Lets the fake sockets' microtasks and the SDK's awaits run. */
const settle = async () => {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
};

function record(mm: MatchmakingClient): ClientEvent[] {
  const events: ClientEvent[] = [];
  for (const type of ['disconnected', 'reconnected', 'closed', 'connectionReplaced'] as const)
    mm.on(type, (event) => events.push(event));
  return events;
}

describe('keepAlive (a fake socket, fake timers)', () => {
  it('is sent after keepAliveSeconds of client silence (540 by default), bare, and again after as long', async () => {
    const { mm, socket } = await connected();
    await vi.advanceTimersByTimeAsync(539_999);
    expect(keepAlives(socket)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    // No requestId: the server answers none, so it costs no @connections call.
    expect(keepAlives(socket)).toEqual([{ action: 'keepAlive' }]);
    await vi.advanceTimersByTimeAsync(540_000);
    expect(keepAlives(socket)).toHaveLength(2);
    await mm.close();
  });

  it('is not sent while the client is sending: each request restarts the wait', async () => {
    const { mm, socket } = await connected({ keepAliveSeconds: 60 });
    for (let minute = 0; minute < 5; minute += 1) {
      await vi.advanceTimersByTimeAsync(50_000);
      const profile = mm.getProfile();
      socket.answer(socket.sent.length - 1, { type: 'profile', status: 'idle' });
      await profile;
    }
    expect(keepAlives(socket)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(keepAlives(socket)).toHaveLength(1);
    await mm.close();
  });

  it("is sent although the server keeps sending: the server's events are not the client's activity", async () => {
    const { mm, socket } = await connected({ keepAliveSeconds: 60 });
    for (let i = 0; i < 6; i += 1) {
      await vi.advanceTimersByTimeAsync(10_000);
      socket.push({ type: 'queueStats', queue: 'duel', minutes: 5, regions: {} });
    }
    expect(keepAlives(socket)).toHaveLength(1);
    await mm.close();
  });

  it('is not sent after close, and close leaves no timer behind', async () => {
    const { mm, socket } = await connected({ keepAliveSeconds: 60 });
    await mm.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(keepAlives(socket)).toHaveLength(0);
  });

  it('is not sent on a dropped socket, and restarts on the reconnected one', async () => {
    const { mm, fake, socket } = await connected({
      keepAliveSeconds: 60,
      reconnect: { baseMs: 1, random: () => 0 },
    });
    const events = record(mm);
    socket.drop();
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(events.map((e) => e.type)).toEqual(['disconnected', 'reconnected']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(keepAlives(socket)).toHaveLength(0);
    expect(keepAlives(fake.sockets[1])).toHaveLength(1);
    await mm.close();
  });

  it('is off with keepAliveSeconds 0', async () => {
    const { mm, socket } = await connected({ keepAliveSeconds: 0 });
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(keepAlives(socket)).toHaveLength(0);
    await mm.close();
  });

  it.each([
    [{ keepAliveSeconds: -1 }, 'keepAliveSeconds'],
    [{ keepAliveSeconds: 600 }, 'keepAliveSeconds'],
    [{ keepAliveSeconds: Number.NaN }, 'keepAliveSeconds'],
    [{ renewAfterSeconds: 7200 }, 'renewAfterSeconds'],
    [{ renewAfterSeconds: -5 }, 'renewAfterSeconds'],
  ])('refuses %o before connecting, naming %s', async (options, name) => {
    const fake = fakeWebSocket();
    await expect(connect(URL, { token: 't', WebSocket: fake.WebSocket, ...options })).rejects.toThrow(
      new RegExp(`^${name} must be 0 \\(off\\)`),
    );
    expect(fake.sockets).toHaveLength(0);
  });
});

describe('renewal before the 2-hour limit (a fake socket, fake timers)', () => {
  it('opens the next connection after renewAfterSeconds (6900 by default) and moves to it without a drop', async () => {
    // The server's side of a renewal: the new $connect replaces the old connection
    // (connectionReplaced, then a close) before the new socket's upgrade completes.
    const { mm, fake, socket } = await connected({ keepAliveSeconds: 0 }, (next, index) => {
      if (index === 0) return next.open();
      fake.sockets[0]?.push({ type: 'connectionReplaced' });
      fake.sockets[0]?.close(1000, 'replaced');
      next.open();
    });
    const events = record(mm);
    await vi.advanceTimersByTimeAsync(6_899_999);
    expect(fake.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(fake.sockets).toHaveLength(2);
    expect(socket.readyState).toBe(3);
    // Nothing for the game to hear: no drop, no replaced, no close.
    expect(events).toEqual([]);
    expect(mm.state).toBe('open');
    const profile = mm.getProfile();
    const next = fake.sockets[1] as FakeSocket;
    expect(next.sent.map((frame) => frame.action)).toEqual(['getProfile']);
    next.answer(0, { type: 'profile', status: 'queued' });
    await expect(profile).resolves.toMatchObject({ status: 'queued' });
    await mm.close();
  });

  it('still hears a real connectionReplaced (another tab) on the renewed connection', async () => {
    const { mm, fake } = await connected({ keepAliveSeconds: 0, renewAfterSeconds: 60 });
    const events = record(mm);
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(fake.sockets).toHaveLength(2);
    fake.sockets[1]?.push({ type: 'connectionReplaced' });
    fake.sockets[1]?.close(1000);
    expect(events.map((e) => e.type)).toEqual(['connectionReplaced', 'disconnected', 'closed']);
  });

  it('keeps the old connection when the next one is refused, and handles its close as a drop', async () => {
    const { mm, fake, socket } = await connected(
      { keepAliveSeconds: 0, renewAfterSeconds: 60, reconnect: { baseMs: 1, random: () => 0 } },
      (next, index) => (index === 1 ? next.refuse(401) : next.open()),
    );
    const events = record(mm);
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(fake.sockets).toHaveLength(2);
    expect(mm.state).toBe('open');
    expect(events).toEqual([]);
    const profile = mm.getProfile();
    expect(socket.sent.map((frame) => frame.action)).toEqual(['getProfile']);
    socket.answer(0, { type: 'profile', status: 'idle' });
    await profile;
    socket.drop(1001);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(events.map((e) => e.type)).toEqual(['disconnected', 'reconnected']);
    await mm.close();
  });

  it('is off with renewAfterSeconds 0', async () => {
    const { mm, fake } = await connected({ keepAliveSeconds: 0, renewAfterSeconds: 0 });
    await vi.advanceTimersByTimeAsync(7_200_000);
    expect(fake.sockets).toHaveLength(1);
    await mm.close();
  });
});
