import { describe, expect, it, vi } from 'vitest';
import { connect } from '../src/client.js';
import { ClientErrorCode } from '../src/errors.js';
import type { ClientEvent } from '../src/events.js';
import { fakeWebSocket } from './fake-socket.js';

const URL = 'ws://127.0.0.1:1';

async function connected() {
  const fake = fakeWebSocket();
  const mm = await connect(URL, { token: 't', WebSocket: fake.WebSocket });
  const socket = fake.sockets[0];
  if (!socket) throw new Error('no socket');
  return { mm, socket };
}

describe('events (a fake socket)', () => {
  it('reach listeners by type until unsubscribed; answers are events too', async () => {
    const { mm, socket } = await connected();
    const found: string[] = [];
    const stop = mm.on('matchFound', (event) => found.push(event.matchId));
    const all: string[] = [];
    mm.on('joinedQueue', (event) => all.push(event.ticketId));
    socket.push({ type: 'matchFound', matchId: 'm1' });
    socket.push({ type: 'serverReady', matchId: 'm1' });
    stop();
    socket.push({ type: 'matchFound', matchId: 'm2' });
    const joined = mm.joinQueue();
    socket.answer(0, { type: 'joinedQueue', ticketId: 't1', queue: 'duel', region: 'x', players: [] });
    await joined;
    expect(found).toEqual(['m1']);
    expect(all).toEqual(['t1']);
    await mm.close();
  });

  it('once: the next event of a type, a listener called once, or CLOSED when the client ends first', async () => {
    const { mm, socket } = await connected();
    const next = mm.once('serverReady');
    const calls: string[] = [];
    mm.once('matchFound', (event) => calls.push(event.matchId));
    socket.push({ type: 'matchFound', matchId: 'a' });
    socket.push({ type: 'matchFound', matchId: 'b' });
    socket.push({ type: 'serverReady', matchId: 'a', gameUrl: 'ws://game' });
    expect(await next).toMatchObject({ gameUrl: 'ws://game' });
    expect(calls).toEqual(['a']);
    const never = mm.once('matchFinished');
    await mm.close();
    await expect(never).rejects.toMatchObject({ code: ClientErrorCode.Closed });
  });

  it('iterate one type or every event, buffered, ending when the client closes', async () => {
    const { mm, socket } = await connected();
    const found = mm.events('matchFound');
    const everything = mm.events();
    socket.push({ type: 'matchFound', matchId: 'm1' });
    socket.push({ type: 'profile', rating: 1500 });
    socket.push({ type: 'matchFound', matchId: 'm2' });
    const closing = mm.close();
    const ids: string[] = [];
    for await (const event of found) ids.push(event.matchId);
    const types: string[] = [];
    for await (const event of everything) types.push(event.type);
    await closing;
    expect(ids).toEqual(['m1', 'm2']);
    expect(types).toEqual(['matchFound', 'profile', 'matchFound', 'closed']);
  });

  it('a listener that throws does not stop the others: its error goes to onListenerError, never uncaught', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const fake = fakeWebSocket();
      const reported: [unknown, string][] = [];
      const mm = await connect(URL, {
        token: 't',
        WebSocket: fake.WebSocket,
        onListenerError: (error, event) => reported.push([error, event.type]),
      });
      const seen: ClientEvent[] = [];
      const bug = new Error('listener bug');
      mm.on('matchFound', () => {
        throw bug;
      });
      mm.on('matchFound', (event) => seen.push(event));
      fake.sockets[0]?.push({ type: 'matchFound', matchId: 'm1' });
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(seen).toHaveLength(1);
      expect(reported).toEqual([[bug, 'matchFound']]);
      await mm.close();

      // The default logs it with console.error; a handler that throws is logged too.
      const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
      const plain = await connected();
      plain.mm.on('matchFound', () => {
        throw bug;
      });
      plain.socket.push({ type: 'matchFound', matchId: 'm2' });
      const throwing = await connect(URL, {
        token: 't',
        WebSocket: fake.WebSocket,
        onListenerError: () => {
          throw new Error('handler bug');
        },
      });
      throwing.on('matchFound', () => {
        throw bug;
      });
      fake.sockets[1]?.push({ type: 'matchFound', matchId: 'm3' });
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(logged.mock.calls).toEqual([
        [expect.stringContaining('a listener of matchFound threw'), bug],
        [expect.stringContaining('a listener of matchFound threw'), new Error('handler bug')],
      ]);
      logged.mockRestore();
      await Promise.all([plain.mm.close(), throwing.close()]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });
});

describe('events after the client closed', () => {
  it('events() is an iterator that is done already; once() rejects with CLOSED', async () => {
    const { mm } = await connected();
    await mm.close();
    const events = mm.events('matchFound');
    expect(await events.next()).toEqual({ done: true, value: undefined });
    const everything: string[] = [];
    for await (const event of mm.events()) everything.push(event.type);
    expect(everything).toEqual([]);
    await expect(mm.once('matchFound')).rejects.toMatchObject({ code: ClientErrorCode.Closed });
  });
});

describe('an events iterator read by concurrent next() calls', () => {
  it('gives each call its own event, in order, and ends the waiting ones when the client closes', async () => {
    const { mm, socket } = await connected();
    const events = mm.events('matchFound');
    const first = events.next();
    const second = events.next();
    const third = events.next();
    socket.push({ type: 'matchFound', matchId: 'm1' });
    socket.push({ type: 'matchFound', matchId: 'm2' });
    expect(await first).toMatchObject({ done: false, value: { matchId: 'm1' } });
    expect(await second).toMatchObject({ done: false, value: { matchId: 'm2' } });
    await mm.close();
    expect(await third).toEqual({ done: true, value: undefined });
  }, 2000);
});

describe('an events iterator nobody reads', () => {
  it('keeps at most maxBuffered events (default 1000), dropping the oldest', async () => {
    const fake = fakeWebSocket();
    const small = await connect(URL, { token: 't', WebSocket: fake.WebSocket, maxBuffered: 2 });
    const byDefault = await connect(URL, { token: 't', WebSocket: fake.WebSocket });
    const few = small.events('matchFound');
    const many = byDefault.events('matchFound');
    for (let i = 1; i <= 5; i += 1) fake.sockets[0]?.push({ type: 'matchFound', matchId: `m${i}` });
    for (let i = 1; i <= 1005; i += 1) fake.sockets[1]?.push({ type: 'matchFound', matchId: `m${i}` });
    await Promise.all([small.close(), byDefault.close()]);
    const kept: string[] = [];
    for await (const event of few) kept.push(event.matchId);
    expect(kept).toEqual(['m4', 'm5']);
    const all: string[] = [];
    for await (const event of many) all.push(event.matchId);
    expect(all).toHaveLength(1000);
    expect(all[0]).toBe('m6');
  });
});

describe('server frames with a lifecycle type', () => {
  it('are dropped: only the SDK tells disconnected, reconnecting, reconnected, queueLost and closed', async () => {
    const { mm, socket } = await connected();
    const seen: string[] = [];
    mm.on('closed', (event) => seen.push(`closed:${event.reason}`));
    mm.on('reconnected', (event) => seen.push(event.type));
    const everything = mm.events();
    for (const type of ['disconnected', 'reconnecting', 'reconnected', 'queueLost', 'closed'])
      socket.push({ type, reason: 'gave-up', queue: 'duel', requestId: socket.sent[0]?.requestId });
    socket.push({ type: 'matchFound', matchId: 'm1' });
    expect(mm.state).toBe('open');
    expect(seen).toEqual([]);
    await mm.close();
    const types: string[] = [];
    for await (const event of everything) types.push(event.type);
    expect(types).toEqual(['matchFound', 'closed']);
    expect(seen).toEqual(['closed:closed']);
  });
});
