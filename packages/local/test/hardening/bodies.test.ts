import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * Issue A5: POST /dev/tokens buffered any body (300 MB cost 570 MB), the
 * callbacks read 10 MB before authenticating and answered 500 above it, and
 * a malformed % escape in a match id answered 500. Now: small limits checked
 * on Content-Length before reading and enforced while reading (413), 400 for
 * a malformed escape, and no 500 for anything a client sends.
 */
let stack: LocalStack;
let secret: string;

beforeAll(async () => {
  stack = await startTestStack({ regions: ['eu-west-1'], teamSize: 1 });
  secret = (JSON.parse(readFileSync(stack.devTokenFile as string, 'utf8')) as { devTokenSecret: string })
    .devTokenSecret;
});
afterAll(() => stack.stop());

const MB = 1024 * 1024;

interface Sent {
  status: number;
  body: string;
}

/**
 * Sends a request whose body is `declared` bytes long (Content-Length) or
 * chunked (declared undefined), writing `write` bytes of it, and resolves
 * with the answer, which may come before the body is complete.
 */
function send(
  path: string,
  options: { declared?: number; write: number; headers?: Record<string, string> },
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: stack.port,
      method: 'POST',
      path,
      headers: {
        'content-type': 'application/json',
        ...(options.declared === undefined ? {} : { 'content-length': String(options.declared) }),
        ...options.headers,
      },
    });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.flushHeaders();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let left = options.write;
    const pump = () => {
      while (left > 0) {
        const piece = chunk.subarray(0, Math.min(chunk.length, left));
        left -= piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (options.declared === undefined || options.write >= options.declared) req.end();
    };
    pump();
  });
}

describe('POST /dev/tokens (at most 1 KiB)', () => {
  const auth = () => ({ authorization: `Bearer ${secret}` });

  it('answers 413 to a declared 300 MB body without reading it, and the heap does not grow', async () => {
    const before = process.memoryUsage().heapUsed;
    const answer = await send('/dev/tokens', { declared: 300 * MB, write: 2 * MB, headers: auth() });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ message: 'Request Entity Too Large' });
    expect((process.memoryUsage().heapUsed - before) / MB).toBeLessThan(50);
  });

  it('answers 413 to a chunked body as soon as it passes 1 KiB', async () => {
    const answer = await send('/dev/tokens', { write: 4 * MB, headers: auth() });
    expect(answer.status).toBe(413);
  });

  it('still issues a token for a small body', async () => {
    const body = JSON.stringify({ userId: 'small' });
    const response = await fetch(`http://127.0.0.1:${stack.port}/dev/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body,
    });
    expect(response.status).toBe(200);
  });
});

describe('game-server callbacks (at most 64 KiB)', () => {
  it('answers 413 {"message":"Request Entity Too Large"} to a 65 KiB body', async () => {
    const response = await fetch(`http://127.0.0.1:${stack.port}/matches/m-1/result`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      body: JSON.stringify({ outcome: 'home', pad: 'x'.repeat(65 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
  });

  it('answers 413 to a declared 10 MB body before it is sent, chunked ones once they pass the limit', async () => {
    for (const kind of ['ready', 'result']) {
      expect((await send(`/matches/m-1/${kind}`, { declared: 10 * MB, write: 0 })).status).toBe(413);
      expect((await send(`/matches/m-1/${kind}`, { write: 2 * MB })).status).toBe(413);
    }
  });

  it('answers 400, not 500, to a malformed percent-escape in the match id', async () => {
    for (const id of ['%', '%E0%A4%A', 'abc%zz']) {
      const response = await fetch(`http://127.0.0.1:${stack.port}/matches/${id}/ready`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
        body: '{}',
      });
      expect(response.status).toBe(400);
    }
  });
});

describe('no client input answers 500', () => {
  it('malformed request targets, escapes and bodies on every endpoint', async () => {
    const sign = {
      authorization: `AWS4-HMAC-SHA256 Credential=${stack.credentials.accessKeyId}/x/y/z/aws4_request`,
    };
    const tries: { path: string; init: RequestInit }[] = [
      { path: '/@connections/%', init: { method: 'POST', headers: sign, body: 'x' } },
      {
        path: '/',
        init: { method: 'POST', headers: { ...sign, 'x-amz-target': 'AmazonSQS.SendMessage' }, body: 'null' },
      },
      {
        path: '/',
        init: {
          method: 'POST',
          headers: { ...sign, 'x-amz-target': 'AmazonSQS.SendMessageBatch' },
          body: JSON.stringify({ QueueUrl: stack.queueUrl, Entries: 5 }),
        },
      },
      {
        path: '/',
        init: {
          method: 'POST',
          headers: { ...sign, 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.RunTask' },
          body: '[1]',
        },
      },
      {
        path: '/',
        init: {
          method: 'POST',
          headers: { ...sign, 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.RunTask' },
          body: JSON.stringify({ overrides: { containerOverrides: 'x' } }),
        },
      },
      {
        path: '/dev/tokens',
        init: { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: 'null' },
      },
    ];
    for (const { path, init } of tries) {
      const response = await fetch(`http://127.0.0.1:${stack.port}${path}`, init);
      expect(response.status, `${init.method} ${path} ${String(init.body)}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${init.method} ${path} ${String(init.body)}`).toBeLessThan(500);
    }
    // A request target the URL parser refuses.
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: stack.port, path: 'http://[' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.end();
    });
    expect(status).toBe(400);
  });
});
