import { MAX_CLIENT_MESSAGE_BYTES as CORE_LIMIT, ErrorCode } from '@matchmaking/core';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/client.js';
import { MatchmakingClientError } from '../src/errors.js';
import { MAX_CLIENT_MESSAGE_BYTES, MESSAGE_TOO_LARGE } from '../src/protocol.js';
import { fakeWebSocket } from './fake-socket.js';

const URL = 'ws://127.0.0.1:1';

describe('a request frame over the server limit (a fake socket)', () => {
  it("the SDK's limit and code are core's (written out: the SDK's JavaScript imports nothing from core)", () => {
    expect(MAX_CLIENT_MESSAGE_BYTES).toBe(CORE_LIMIT);
    expect(MESSAGE_TOO_LARGE).toBe(ErrorCode.MessageTooLarge);
  });

  it('rejects at once with MESSAGE_TOO_LARGE, unsent, counting UTF-8 bytes; one at the limit goes', async () => {
    const fake = fakeWebSocket();
    const mm = await connect(URL, { token: 't', WebSocket: fake.WebSocket, requestTimeoutMs: 60_000 });
    const started = Date.now();
    for (const code of ['x'.repeat(5000), 'é'.repeat(2100)]) {
      // 'é' is 2 bytes: 2100 of them fit in 4096 UTF-16 units but not in 4096 bytes.
      const error = await mm.joinParty(code).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MatchmakingClientError);
      expect(error).toMatchObject({
        code: 'MESSAGE_TOO_LARGE',
        details: { limit: 4096, requestId: expect.any(String) },
      });
      expect((error as MatchmakingClientError).details.bytes).toBeGreaterThan(4096);
    }
    expect(Date.now() - started).toBeLessThan(1000);
    expect(fake.sockets[0]?.sent).toEqual([]);

    // Exactly the limit is sent.
    const overhead = JSON.stringify({ action: 'joinParty', code: '', requestId: 'r3' }).length;
    const fits = mm.joinParty('y'.repeat(MAX_CLIENT_MESSAGE_BYTES - overhead));
    expect(fake.sockets[0]?.sent).toHaveLength(1);
    await mm.close();
    await expect(fits).rejects.toMatchObject({ code: 'CLOSED' });
  }, 5000);
});
