import { describe, expect, it } from 'vitest';
import { connect } from '../src/client.js';
import { ClientErrorCode, MatchmakingClientError } from '../src/errors.js';
import { fakeWebSocket } from './fake-socket.js';

const URL = 'wss://api.example.test/prod';
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('requests (a fake socket)', () => {
  it('send the action with a fresh requestId and the token as a Bearer header (Node)', async () => {
    const fake = fakeWebSocket();
    const mm = await connect(URL, { token: 'jwt-1', WebSocket: fake.WebSocket });
    const socket = fake.sockets[0];
    expect(socket?.init?.headers).toEqual({ Authorization: 'Bearer jwt-1' });
    expect(socket?.url).toBe(URL);
    // Never answered: they reject with CLOSED at the end.
    const unanswered = [mm.joinQueue({ queue: 'duel', region: 'eu-west-1' }), mm.getProfile()];
    expect(socket?.sent).toEqual([
      { action: 'joinQueue', queue: 'duel', region: 'eu-west-1', requestId: expect.any(String) },
      { action: 'getProfile', requestId: expect.any(String) },
    ]);
    expect(socket?.sent[0]?.requestId).not.toBe(socket?.sent[1]?.requestId);
    await mm.close();
    for (const request of unanswered) await expect(request).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it("put the token in the `token` query parameter instead when asked (a browser's default)", async () => {
    const fake = fakeWebSocket();
    const mm = await connect(`${URL}?region=x`, {
      token: 'jwt-2',
      WebSocket: fake.WebSocket,
      tokenIn: 'query',
    });
    expect(fake.sockets[0]?.url).toBe(`${URL}?region=x&token=jwt-2`);
    expect(fake.sockets[0]?.init).toBeUndefined();
    await mm.close();
  });

  it('settle by requestId, whatever order the answers come in', async () => {
    const fake = fakeWebSocket();
    const mm = await connect(URL, { token: 't', WebSocket: fake.WebSocket });
    const socket = fake.sockets[0];
    if (!socket) throw new Error('no socket');
    const asked = [mm.getQueueStats('a'), mm.getQueueStats('b'), mm.getQueueStats('c')];
    socket.answer(2, { type: 'queueStats', queue: 'c' });
    socket.answer(0, { type: 'error', code: 'UNKNOWN_QUEUE', message: 'no a', served: ['b', 'c'] });
    socket.answer(1, { type: 'queueStats', queue: 'b' });
    const [a, b, c] = await Promise.allSettled(asked);
    expect(c).toMatchObject({ status: 'fulfilled', value: { queue: 'c' } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { queue: 'b' } });
    expect(a?.status).toBe('rejected');
    const error = (a as PromiseRejectedResult).reason as MatchmakingClientError;
    expect(error).toBeInstanceOf(MatchmakingClientError);
    expect(error).toMatchObject({ code: 'UNKNOWN_QUEUE', message: 'no a' });
    expect(error.details).toEqual({ served: ['b', 'c'], requestId: socket.sent[0]?.requestId });
    await mm.close();
  });

  it('reject an answer of a type the request does not expect', async () => {
    const fake = fakeWebSocket();
    const mm = await connect(URL, { token: 't', WebSocket: fake.WebSocket });
    const asked = mm.getProfile();
    fake.sockets[0]?.answer(0, { type: 'queues' });
    await expect(asked).rejects.toMatchObject({ code: ClientErrorCode.UnexpectedAnswer });
    await mm.close();
  });

  it('reject with TIMEOUT, DISCONNECTED on a drop, and at once while reconnecting', async () => {
    const fake = fakeWebSocket((socket, index) => (index === 0 ? socket.open() : undefined));
    const mm = await connect(URL, {
      token: 't',
      WebSocket: fake.WebSocket,
      requestTimeoutMs: 20,
      reconnect: { baseMs: 10_000, random: () => 0.99 },
    });
    await expect(mm.getProfile()).rejects.toMatchObject({ code: ClientErrorCode.Timeout });
    const inFlight = mm.listQueues();
    fake.sockets[0]?.drop();
    await expect(inFlight).rejects.toMatchObject({ code: ClientErrorCode.Disconnected });
    expect(mm.state).toBe('reconnecting');
    await expect(mm.getProfile()).rejects.toMatchObject({ code: ClientErrorCode.Disconnected });
    await mm.close();
    await expect(mm.getProfile()).rejects.toMatchObject({ code: ClientErrorCode.Closed });
  });

  it('connect rejects with REFUSED and the status when the API refuses the token', async () => {
    const fake = fakeWebSocket((socket) => socket.refuse(401));
    const refused = await connect(URL, { token: 'bad', WebSocket: fake.WebSocket }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: ClientErrorCode.Refused, details: { status: 401 } });
    const down = fakeWebSocket((socket) => socket.drop());
    const failed = await connect(URL, { token: 't', WebSocket: down.WebSocket }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: ClientErrorCode.ConnectFailed });
    await settle();
  });
});

describe('what the README says of requests and refusals (a fake socket)', () => {
  it('an answer after its request timed out settles nothing: it is an event, a late error an `error` event', async () => {
    const fake = fakeWebSocket();
    const mm = await connect(URL, { token: 't', WebSocket: fake.WebSocket, requestTimeoutMs: 10 });
    const seen: string[] = [];
    mm.on('joinedQueue', (event) =>
      seen.push(`${event.type}:${String((event as { requestId?: string }).requestId)}`),
    );
    mm.on('error', (event) => seen.push(`${event.type}:${event.code}:${String(event.requestId)}`));
    await expect(mm.joinQueue()).rejects.toMatchObject({ code: ClientErrorCode.Timeout });
    await expect(mm.leaveQueue()).rejects.toMatchObject({ code: ClientErrorCode.Timeout });
    const socket = fake.sockets[0];
    socket?.answer(0, { type: 'joinedQueue', ticketId: 't1', queue: 'duel', region: 'r', players: [] });
    socket?.answer(1, { type: 'error', code: 'NOT_QUEUED' });
    expect(seen).toEqual([
      `joinedQueue:${socket?.sent[0]?.requestId}`,
      `error:NOT_QUEUED:${socket?.sent[1]?.requestId}`,
    ]);
    await mm.close();
  });

  it('a refusal without an HTTP status (a global WebSocket) is a CONNECT_FAILED, retried until gave-up', async () => {
    // A browser's or undici's WebSocket: a refused upgrade is an error and a close (1006), nothing more.
    const fake = fakeWebSocket((socket, index) => (index === 0 ? socket.open() : socket.drop()));
    const mm = await connect(URL, {
      token: 't',
      WebSocket: fake.WebSocket,
      reconnect: { baseMs: 2, random: () => 0.5, maxAttempts: 3 },
    });
    fake.sockets[0]?.drop();
    expect(await mm.once('closed')).toMatchObject({ reason: 'gave-up' });
    expect(fake.sockets).toHaveLength(4);
    const refused = fakeWebSocket((socket) => socket.drop());
    const error = await connect(URL, { token: 'bad', WebSocket: refused.WebSocket }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ClientErrorCode.ConnectFailed });
  });
});
