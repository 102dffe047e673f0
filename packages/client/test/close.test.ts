import { describe, expect, it } from 'vitest';
import { connect } from '../src/client.js';
import { type FakeSocket, fakeWebSocket } from './fake-socket.js';

const URL = 'ws://127.0.0.1:1';

/** The process's pending timers (a Timeout keeps Node alive). */
const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

/** A socket whose close completes a little later, as a real one's does (the peer answers the close frame). */
function slowToClose(socket: FakeSocket): void {
  const close = socket.close.bind(socket);
  socket.close = (code, reason) => {
    if (socket.readyState >= 2) return;
    socket.readyState = 2;
    setTimeout(() => close(code, reason), 5);
  };
}

describe('close() leaves no timer behind to keep Node alive (a fake socket)', () => {
  it('not the one that bounds the wait for the close handshake', async () => {
    const before = timers();
    const fake = fakeWebSocket((socket) => {
      slowToClose(socket);
      socket.open();
    });
    const mm = await connect(URL, { token: 't', WebSocket: fake.WebSocket });
    await mm.close();
    expect(fake.sockets[0]?.readyState).toBe(3);
    expect(timers()).toBe(before);
  });

  it("not a reconnect attempt's connect timeout, the attempt in flight given up", async () => {
    const before = timers();
    // The first socket opens; the reconnect's never does (nor fails).
    const fake = fakeWebSocket((socket, index) => (index === 0 ? socket.open() : undefined));
    const mm = await connect(URL, {
      token: 't',
      WebSocket: fake.WebSocket,
      connectTimeoutMs: 60_000,
      reconnect: { baseMs: 1, random: () => 0 },
    });
    fake.sockets[0]?.drop();
    await until(() => fake.sockets.length === 2);
    await mm.close();
    expect(fake.sockets[1]?.readyState).toBe(3);
    expect(timers()).toBe(before);
  });

  it('nor the backoff wait when close() is called from a reconnecting listener', async () => {
    const before = timers();
    const fake = fakeWebSocket();
    const mm = await connect(URL, {
      token: 't',
      WebSocket: fake.WebSocket,
      reconnect: { baseMs: 60_000, random: () => 0.5 },
    });
    const closed = new Promise<void>((resolve) => mm.on('reconnecting', () => void mm.close().then(resolve)));
    fake.sockets[0]?.drop();
    await closed;
    expect(mm.state).toBe('closed');
    expect(timers()).toBe(before);
  });

  it('nor while a reconnect waits for its token', async () => {
    const before = timers();
    let calls = 0;
    const fake = fakeWebSocket();
    const mm = await connect(URL, {
      token: () => (++calls === 1 ? 't' : new Promise<string>(() => {})),
      WebSocket: fake.WebSocket,
      connectTimeoutMs: 60_000,
      reconnect: { baseMs: 1, random: () => 0 },
    });
    fake.sockets[0]?.drop();
    await until(() => calls === 2);
    await mm.close();
    expect(fake.sockets).toHaveLength(1);
    expect(timers()).toBe(before);
  });
});
