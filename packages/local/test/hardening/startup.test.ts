import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { RawClient } from '../helpers/raw-socket.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * Issue A2: the HTTP server used to listen before the handlers were loaded
 * and its listeners attached, so an upgrade (or a request) arriving during
 * start-up was accepted and never answered. Now it listens last; every
 * attempt made while the stack starts is refused or answered, none hangs.
 */
let stack: LocalStack | undefined;
afterAll(() => stack?.stop());

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** An upgrade attempt: 'refused' (nobody listens), an HTTP status, or 'hung' after `timeoutMs`. */
async function attemptUpgrade(port: number, timeoutMs: number): Promise<string> {
  const client = await RawClient.open(port).catch(() => undefined);
  if (!client) return 'refused';
  client.sendUpgrade({ Authorization: 'Bearer not-a-token' });
  const head = await client.readHead(timeoutMs).catch(() => 'hung');
  client.destroy();
  return head === 'hung' ? 'hung' : (/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 'closed');
}

/** A plain request: its status, 'refused' or 'hung'. */
function attemptRequest(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/.well-known/jwks.json' }, (response) => {
      response.resume();
      resolve(String(response.statusCode));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve('hung');
    });
    req.on('error', () => resolve('refused'));
    req.end();
  });
}

describe('start-up', () => {
  it('never leaves an upgrade or a request hanging while the stack starts', async () => {
    const port = await freePort();
    let started = false;
    const starting = startTestStack({ regions: ['eu-west-1'], teamSize: 1, port }).then((s) => {
      started = true;
      stack = s;
    });
    const outcomes: string[] = [];
    while (!started) {
      outcomes.push(...(await Promise.all([attemptUpgrade(port, 3000), attemptRequest(port, 3000)])));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await starting;
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes).not.toContain('hung');
    // Once started, the same attempt is answered by the authorizer (401: not a token).
    expect(await attemptUpgrade(port, 3000)).toBe('401');
    expect(await attemptRequest(port, 3000)).toBe('200');
  });
});
