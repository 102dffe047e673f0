import { describe, expect, it } from 'vitest';
import { connect, type MatchmakingClient } from '../src/client.js';
import type { ClientEvent } from '../src/events.js';
import { type FakeSocket, fakeWebSocket } from './fake-socket.js';

const URL = 'ws://127.0.0.1:1';
const fast = { baseMs: 8, capMs: 1000, random: () => 0.5 };

/** Events of the lifecycle (and of the queue), as `type` or `type:detail`. */
function lifecycle(events: ClientEvent[]): string[] {
  return events.flatMap((event) => {
    switch (event.type) {
      case 'disconnected':
        return [`disconnected:${event.willReconnect}`];
      case 'reconnecting':
        return [`reconnecting:${event.attempt}:${event.delayMs}`];
      case 'reconnected':
        return [`reconnected:${event.attempts}:${event.lostQueue?.ticketId ?? '-'}`];
      case 'queueLost':
        return [`queueLost:${event.queue}:${event.ticketId}`];
      case 'closed':
        return [`closed:${event.reason}`];
      default:
        return [];
    }
  });
}

const LIFECYCLE = ['disconnected', 'reconnecting', 'reconnected', 'queueLost', 'closed'] as const;

/** The client's lifecycle events, as they come. */
function record(mm: MatchmakingClient): ClientEvent[] {
  const events: ClientEvent[] = [];
  for (const type of LIFECYCLE) mm.on(type, (event) => events.push(event));
  return events;
}

const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

/** Answers every getProfile a socket is sent with this status. */
function answerProfiles(socket: FakeSocket, status: string): void {
  const send = socket.send.bind(socket);
  socket.send = (data: string) => {
    send(data);
    const frame = JSON.parse(data) as { action: string; requestId: string };
    if (frame.action === 'getProfile')
      queueMicrotask(() => socket.push({ type: 'profile', status, requestId: frame.requestId }));
  };
}

describe('reconnects (a fake socket)', () => {
  it('retry with exponential backoff and full jitter, asking for a fresh token each time', async () => {
    let tokens = 0;
    // Socket 0 opens; 1 and 2 fail; 3 opens.
    const fake = fakeWebSocket((socket, index) =>
      index === 1 || index === 2 ? socket.drop() : socket.open(),
    );
    const mm = await connect(URL, {
      token: () => `t${++tokens}`,
      WebSocket: fake.WebSocket,
      reconnect: fast,
    });
    const events = record(mm);
    fake.sockets[0]?.drop();
    await until(() => events.some((e) => e.type === 'reconnected'));
    // Ceilings 8, 16, 32 ms; random 0.5 takes half of each.
    expect(lifecycle(events)).toEqual([
      'disconnected:true',
      'reconnecting:1:4',
      'reconnecting:2:8',
      'reconnecting:3:16',
      'reconnected:3:-',
    ]);
    expect(fake.sockets.map((s) => s.init?.headers?.Authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
      'Bearer t3',
      'Bearer t4',
    ]);
    expect(mm.state).toBe('open');
    await mm.close();
  });

  it('report a queue place the server dropped meanwhile (the profile says idle), not one it kept', async () => {
    for (const [status, expected] of [
      ['idle', ['reconnected:1:t1', 'queueLost:duel:t1']],
      ['queued', ['reconnected:1:-']],
    ] as const) {
      const fake = fakeWebSocket((socket, index) => {
        if (index > 0) answerProfiles(socket, status);
        socket.open();
      });
      const mm = await connect(URL, { token: 't', WebSocket: fake.WebSocket, reconnect: fast });
      const events = record(mm);
      const joined = mm.joinQueue();
      fake.sockets[0]?.answer(0, {
        type: 'joinedQueue',
        ticketId: 't1',
        queue: 'duel',
        region: 'r',
        players: [],
      });
      await joined;
      fake.sockets[0]?.drop();
      await until(() => events.some((e) => e.type === 'reconnected'));
      expect(lifecycle(events).filter((e) => !e.startsWith('reconnecting') && !e.startsWith('dis'))).toEqual(
        expected,
      );
      await mm.close();
    }
  });

  it('do not report a place left before the drop', async () => {
    const fake = fakeWebSocket((socket, index) => {
      if (index > 0) answerProfiles(socket, 'idle');
      socket.open();
    });
    const mm = await connect(URL, { token: 't', WebSocket: fake.WebSocket, reconnect: fast });
    const events = record(mm);
    const socket = fake.sockets[0] as FakeSocket;
    socket.push({ type: 'joinedQueue', ticketId: 't1', queue: 'duel', region: 'r', players: [] });
    socket.push({ type: 'matchFound', matchId: 'm1' });
    socket.drop();
    await until(() => events.some((e) => e.type === 'reconnected'));
    expect(lifecycle(events)).toContain('reconnected:1:-');
    // No profile was needed: the client knew it was not waiting.
    expect(fake.sockets[1]?.sent).toEqual([]);
    await mm.close();
  });

  it('end the client, without reconnecting, after connectionReplaced', async () => {
    const fake = fakeWebSocket();
    const mm = await connect(URL, { token: 't', WebSocket: fake.WebSocket, reconnect: fast });
    const events = record(mm);
    fake.sockets[0]?.push({ type: 'connectionReplaced' });
    fake.sockets[0]?.drop(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lifecycle(events)).toEqual(['disconnected:false', 'closed:replaced']);
    expect(fake.sockets).toHaveLength(1);
    expect(mm.state).toBe('closed');
  });

  it('end the client when a reconnect is refused (401/403), or after maxAttempts', async () => {
    const refused = fakeWebSocket((socket, index) => (index === 0 ? socket.open() : socket.refuse(403)));
    const mm = await connect(URL, { token: 't', WebSocket: refused.WebSocket, reconnect: fast });
    const events = record(mm);
    refused.sockets[0]?.drop();
    await until(() => mm.state === 'closed');
    expect(lifecycle(events)).toEqual(['disconnected:true', 'reconnecting:1:4', 'closed:refused']);

    const down = fakeWebSocket((socket, index) => (index === 0 ? socket.open() : socket.drop()));
    const other = await connect(URL, {
      token: 't',
      WebSocket: down.WebSocket,
      reconnect: { ...fast, maxAttempts: 2 },
    });
    const seen = record(other);
    down.sockets[0]?.drop();
    await until(() => other.state === 'closed');
    expect(lifecycle(seen)).toEqual([
      'disconnected:true',
      'reconnecting:1:4',
      'reconnecting:2:8',
      'closed:gave-up',
    ]);
    expect(down.sockets).toHaveLength(3);
  });

  it('never after close(), even one called while waiting to retry; and not at all when turned off', async () => {
    const fake = fakeWebSocket((socket, index) => (index === 0 ? socket.open() : undefined));
    const mm = await connect(URL, {
      token: 't',
      WebSocket: fake.WebSocket,
      reconnect: { ...fast, baseMs: 200 },
    });
    const events = record(mm);
    fake.sockets[0]?.drop();
    await mm.close();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(fake.sockets).toHaveLength(1);
    expect(lifecycle(events)).toEqual(['disconnected:true', 'reconnecting:1:100', 'closed:closed']);

    const off = fakeWebSocket();
    const once = await connect(URL, { token: 't', WebSocket: off.WebSocket, reconnect: false });
    const seen = record(once);
    off.sockets[0]?.drop();
    expect(lifecycle(seen)).toEqual(['disconnected:false', 'closed:dropped']);
    expect(off.sockets).toHaveLength(1);
  });
});
