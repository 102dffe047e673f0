import { ErrorCode, events, MatchmakingError, type ServerEvent } from '@matchmaking/core';
import { describe, expect, it } from 'vitest';
import { actionRoute, messageRoute, type WebSocketEvent } from '../src/handlers/adapters/websocket.js';
import { MessageRateLimit } from '../src/use-cases/message-rate-limit.js';

type Sent = ServerEvent & { requestId?: string };

/** A route's deps: what it sent to which connection, and a message limit that admits `admitted` messages. */
function routeDeps(admitted = 100) {
  const sent: { to: string; event: Sent }[] = [];
  let counted = 0;
  const deps = {
    notifier: {
      send: async (to: string, event: ServerEvent) => {
        sent.push({ to, event });
        return 'sent' as const;
      },
      close: async () => {},
    },
    rateLimit: new MessageRateLimit({ countMessage: async () => ++counted <= admitted }, { now: () => 0 }, 1),
  };
  return { deps: () => deps, sent };
}

function frame(body: unknown, base64 = false): WebSocketEvent {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    requestContext: { connectionId: 'c1', authorizer: { userId: 'alice' } },
    body: base64 ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: base64,
  };
}

const profileRoute = (deps: () => ReturnType<ReturnType<typeof routeDeps>['deps']>, fail?: Error) =>
  actionRoute('getProfile', deps, async () => {
    if (fail) throw fail;
    return events.matchmakingRequested();
  });

describe('the WebSocket route adapter', () => {
  it("echoes the frame's requestId on the answer to the caller, and none when the frame has none", async () => {
    const { deps, sent } = routeDeps();
    const route = profileRoute(deps);
    await route(frame({ action: 'getProfile', requestId: 'r-1' }));
    await route(frame({ action: 'getProfile', requestId: 'r:2' }, true));
    await route(frame({ action: 'getProfile' }));
    expect(sent.map((s) => [s.to, s.event.type, s.event.requestId])).toEqual([
      ['c1', 'matchmakingRequested', 'r-1'],
      ['c1', 'matchmakingRequested', 'r:2'],
      ['c1', 'matchmakingRequested', undefined],
    ]);
    expect(sent[2]?.event).not.toHaveProperty('requestId');
  });

  it('echoes it on the error of a failing use case, and on a frame refused by validation when it is valid', async () => {
    const { deps, sent } = routeDeps();
    await profileRoute(
      deps,
      new MatchmakingError(ErrorCode.NotFound, 'nope'),
    )(frame({ action: 'getProfile', requestId: 'a' }));
    await profileRoute(deps, new Error('boom'))(frame({ action: 'getProfile', requestId: 'b' }));
    const route = profileRoute(deps);
    await route(frame({ action: 'getProfile', requestId: 'c', extra: 1 }));
    await route(frame({ action: 'joinQueue', requestId: 'd' }));
    // An invalid requestId is itself the bad field: refused, and not echoed.
    await route(frame({ action: 'getProfile', requestId: 'has space' }));
    await route(frame({ action: 'getProfile', requestId: 'x'.repeat(65) }));
    await route(frame('{"action":"getProfile","requestId":"e"'));
    expect(sent.map((s) => [s.event.type, (s.event as { code?: string }).code, s.event.requestId])).toEqual([
      ['error', ErrorCode.NotFound, 'a'],
      ['error', ErrorCode.Internal, 'b'],
      ['error', ErrorCode.InvalidMessage, 'c'],
      ['error', ErrorCode.UnknownAction, 'd'],
      ['error', ErrorCode.InvalidMessage, undefined],
      ['error', ErrorCode.InvalidMessage, undefined],
      ['error', ErrorCode.InvalidJson, undefined],
    ]);
  });

  it('lets a use case answer the caller itself, tagged, before it goes on (and sends nothing more)', async () => {
    const { deps, sent } = routeDeps();
    const order: string[] = [];
    const route = actionRoute('acceptMatch', deps, async (_caller, message, answer) => {
      await answer(events.matchAccepted(message.matchId, 2, 2));
      order.push(`after answer: ${sent.length} sent`);
      return undefined;
    });
    await route(frame({ action: 'acceptMatch', matchId: 'm1', accept: true, requestId: 'acc-1' }));
    expect(order).toEqual(['after answer: 1 sent']);
    expect(sent).toEqual([
      {
        to: 'c1',
        event: expect.objectContaining({ type: 'matchAccepted', accepted: 2, requestId: 'acc-1' }),
      },
    ]);
  });

  it('never answers a request twice: a failure after the use case answered is logged, not sent', async () => {
    const { deps, sent } = routeDeps();
    const route = actionRoute('acceptMatch', deps, async (_caller, message, answer) => {
      await answer(events.matchAccepted(message.matchId, 2, 2));
      throw new Error('the start message could not be sent');
    });
    await route(frame({ action: 'acceptMatch', matchId: 'm1', accept: true, requestId: 'acc-2' }));
    expect(sent.map(({ event }) => [event.type, event.requestId])).toEqual([['matchAccepted', 'acc-2']]);
  });

  it("tags the RATE_LIMITED refusal and $default's errors too", async () => {
    const limited = routeDeps(0);
    await profileRoute(limited.deps)(frame({ action: 'getProfile', requestId: 'slow' }));
    expect(limited.sent[0]?.event).toMatchObject({ code: ErrorCode.RateLimited, requestId: 'slow' });

    const { deps, sent } = routeDeps();
    const fallback = messageRoute(deps, async () => events.error(ErrorCode.UnknownAction, 'unknown'));
    await fallback(frame({ action: 'dance', requestId: 'dflt' }));
    expect(sent[0]?.event).toMatchObject({ code: ErrorCode.UnknownAction, requestId: 'dflt' });
  });
});
