import { describe, expect, it } from 'vitest';
import { connect } from '../src/client.js';
import { ClientErrorCode, MatchmakingClientError } from '../src/errors.js';
import type { WebSocketConstructor } from '../src/socket.js';
import { fakeWebSocket } from './fake-socket.js';

const URL = 'ws://127.0.0.1:1';
const never = () => new Promise<string>(() => {});

/** The rejection of `promise`, a MatchmakingClientError. */
async function failure(promise: Promise<unknown>): Promise<MatchmakingClientError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MatchmakingClientError);
  return error as MatchmakingClientError;
}

const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describe('connect rejects only with REFUSED, CONNECT_FAILED or TIMEOUT (a fake socket)', () => {
  it('TIMEOUT when the token function does not answer within connectTimeoutMs', async () => {
    const fake = fakeWebSocket();
    const error = await failure(
      connect(URL, { token: never, WebSocket: fake.WebSocket, connectTimeoutMs: 30 }),
    );
    expect(error.code).toBe(ClientErrorCode.Timeout);
    expect(error.message).toContain('token');
    expect(fake.sockets).toHaveLength(0);
  }, 2000);

  it('CONNECT_FAILED, its error as the cause, when the token function throws or rejects', async () => {
    const fake = fakeWebSocket();
    const bug = new Error('no session');
    for (const token of [
      () => {
        throw bug;
      },
      () => Promise.reject(bug),
    ]) {
      const error = await failure(connect(URL, { token, WebSocket: fake.WebSocket }));
      expect(error).toMatchObject({ code: ClientErrorCode.ConnectFailed, cause: bug });
      expect(error.message).toContain('no session');
    }
    expect(fake.sockets).toHaveLength(0);
  });

  it('CONNECT_FAILED for an invalid URL and for a WebSocket constructor that throws', async () => {
    const fake = fakeWebSocket();
    const invalid = await failure(connect('not a url', { token: 't', WebSocket: fake.WebSocket }));
    expect(invalid.code).toBe(ClientErrorCode.ConnectFailed);
    expect(invalid.cause).toBeInstanceOf(TypeError);
    const refusing = class {
      constructor() {
        throw new SyntaxError("The URL's scheme must be either 'http', 'https', 'ws', or 'wss'.");
      }
    } as unknown as WebSocketConstructor;
    const thrown = await failure(connect('ftp://example.test', { token: 't', WebSocket: refusing }));
    expect(thrown.code).toBe(ClientErrorCode.ConnectFailed);
    expect(thrown.cause).toBeInstanceOf(SyntaxError);
  });

  it('a reconnect whose token function hangs times out and the next attempt goes on', async () => {
    let calls = 0;
    const fake = fakeWebSocket();
    const mm = await connect(URL, {
      // The first reconnect's token never comes; the second's does.
      token: () => (++calls === 2 ? never() : `t${calls}`),
      WebSocket: fake.WebSocket,
      connectTimeoutMs: 30,
      reconnect: { baseMs: 4, random: () => 0.5 },
    });
    const attempts: number[] = [];
    mm.on('reconnecting', (event) => attempts.push(event.attempt));
    const reconnected = mm.once('reconnected');
    fake.sockets[0]?.drop();
    expect(await reconnected).toMatchObject({ attempts: 2 });
    expect(attempts).toEqual([1, 2]);
    expect(mm.state).toBe('open');
    await mm.close();
  }, 2000);

  it('a reconnect whose token function throws counts as a failed attempt', async () => {
    let calls = 0;
    const fake = fakeWebSocket();
    const mm = await connect(URL, {
      token: () => {
        calls += 1;
        if (calls > 1) throw new Error('signed out');
        return 't';
      },
      WebSocket: fake.WebSocket,
      reconnect: { baseMs: 4, random: () => 0.5, maxAttempts: 2 },
    });
    fake.sockets[0]?.drop();
    expect(await mm.once('closed')).toMatchObject({ reason: 'gave-up' });
    expect(calls).toBe(3);
    await until(() => mm.state === 'closed');
  });
});
