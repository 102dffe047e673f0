import { type ChildProcess, spawn } from 'node:child_process';
import { type ClientRequest, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PENDING_PINGS, pingDelays } from '../../src/emulators/ping.js';
import type { LocalStack } from '../../src/index.js';
import { repoRoot } from '../../src/lambda.js';
import { freePort } from '../helpers/dev-cli.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * Regions by latency, as a client meets it locally: getPingTargets over a
 * real WebSocket hands out one URL per served region, the local ping
 * endpoints, whose emulated delays order what the client measures; an
 * unserved region's URL 404s; a hostile client can neither hold the process
 * (at most MAX_PENDING_PINGS held, a client that leaves frees its place) nor
 * use another method. `pnpm dev --ping-delays` sets the delays and prints the URLs.
 */
const DELAYS = { 'us-east-1': 0, 'eu-west-1': 150, 'ap-southeast-2': 1000 };
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
    teamSize: 1,
    pingDelaysMs: DELAYS,
  });
});
afterAll(() => stack?.stop());

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** One request on a connection of its own (no pooling), timed from send to the end of the answer. */
function send(
  url: string,
  method = 'GET',
  headers: Record<string, string> = {},
): { request: ClientRequest; answer: Promise<Answer> } {
  const started = performance.now();
  const request = httpRequest(url, { method, agent: false, headers });
  const answer = new Promise<Answer>((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          ms: performance.now() - started,
        }),
      );
    });
  });
  request.end();
  return { request, answer };
}
const get = (url: string, method = 'GET', headers: Record<string, string> = {}) =>
  send(url, method, headers).answer;
const pingUrl = (region: string) => `http://127.0.0.1:${stack.port}/ping/${region}`;

describe('getPingTargets (real WebSocket, real HTTP)', () => {
  it('answers one target per served region, whose URLs 200 after their delays: the measurements follow them', async () => {
    const alice = await TestPlayer.connect(stack, 'alice');
    const answer = await alice.request({ action: 'getPingTargets' }, 'pingTargets');
    const targets = answer.targets as { region: string; url: string }[];
    expect(targets).toEqual([
      { region: 'us-east-1', url: pingUrl('us-east-1') },
      { region: 'eu-west-1', url: pingUrl('eu-west-1') },
      { region: 'ap-southeast-2', url: pingUrl('ap-southeast-2') },
    ]);
    // As a client does: time a few GETs of each, keep the best.
    const measured = Object.fromEntries(
      await Promise.all(
        targets.map(async ({ region, url }) => {
          const times: number[] = [];
          for (let i = 0; i < 2; i++) {
            const result = await get(url);
            expect(result.status, region).toBe(200);
            times.push(result.ms);
          }
          return [region, Math.min(...times)] as const;
        }),
      ),
    );
    expect(measured['eu-west-1']).toBeGreaterThanOrEqual(150);
    expect(measured['ap-southeast-2']).toBeGreaterThanOrEqual(1000);
    expect(measured['us-east-1']).toBeLessThan(150);
    expect(measured['us-east-1']).toBeLessThan(measured['eu-west-1'] as number);
    expect(measured['eu-west-1']).toBeLessThan(measured['ap-southeast-2'] as number);
    // ... and joins with them: the ticket goes to the nearest region.
    const latencies = Object.fromEntries(
      Object.entries(measured).map(([region, ms]) => [region, Math.round(ms)]),
    );
    const joined = await alice.request({ action: 'joinQueue', latencies }, 'joinedQueue');
    expect(joined).toMatchObject({ region: 'us-east-1', latencies });
    await alice.close();
  });

  it('answers a few bytes, never cached, readable and timeable by any page (CORS, Timing-Allow-Origin)', async () => {
    const result = await get(pingUrl('us-east-1'));
    expect(result.status).toBe(200);
    expect(result.body).toBe('healthy: us-east-1');
    expect(result.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'timing-allow-origin': '*',
      'cache-control': 'no-store',
      'content-type': 'text/plain',
    });
    const head = await get(pingUrl('us-east-1'), 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it("404s an unserved region's URL (and anything else under /ping) at once, and refuses other methods", async () => {
    for (const path of ['sa-east-1', 'EU-WEST-1', '', 'eu-west-1/x', '..%2Feu-west-1', 'constructor']) {
      const result = await get(pingUrl(path));
      expect(result.status, path).toBe(404);
      expect(result.ms, path).toBeLessThan(150);
      expect(result.headers['access-control-allow-origin']).toBe('*');
      expect(JSON.parse(result.body)).toMatchObject({
        regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
      });
    }
    expect((await get(`http://127.0.0.1:${stack.port}/ping`)).status).toBe(404);
    // A page of another name resolving to 127.0.0.1 (DNS rebinding) is refused, as everywhere.
    expect((await get(pingUrl('eu-west-1'), 'GET', { host: 'evil.example.com' })).status).toBe(403);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const result = await get(pingUrl('eu-west-1'), method);
      expect(result.status, method).toBe(405);
      expect(result.headers.allow).toBe('GET, HEAD');
      expect(result.ms, method).toBeLessThan(150);
    }
  });

  it(`holds at most ${MAX_PENDING_PINGS} at once (the next is refused at once), and a client that leaves frees its place`, async () => {
    // ap-southeast-2 answers after 1 s: everything below happens while they are held.
    const held = Array.from({ length: MAX_PENDING_PINGS }, () => send(pingUrl('ap-southeast-2')));
    for (const { answer } of held) answer.catch(() => undefined);
    await Promise.all(held.map(({ request }) => new Promise((resolve) => request.once('finish', resolve))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await get(pingUrl('us-east-1'));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.ms).toBeLessThan(500);

    // Every holder goes away: their places are free long before their delay is over.
    for (const { request } of held) request.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const served = await get(pingUrl('us-east-1'));
    expect(served.status).toBe(200);
  });
});

describe('the ping delays', () => {
  it('default to a fixed table (us-east-1 20 ms, eu-west-1 90 ms...), and for other regions a number fixed by the name', () => {
    const delays = pingDelays(['us-east-1', 'eu-west-1', 'ap-southeast-1', 'xx-test-1']);
    expect(delays).toMatchObject({ 'us-east-1': 20, 'eu-west-1': 90, 'ap-southeast-1': 220 });
    expect(delays['xx-test-1']).toBeGreaterThanOrEqual(40);
    expect(delays['xx-test-1']).toBeLessThanOrEqual(200);
    expect(pingDelays(['xx-test-1'])).toEqual({ 'xx-test-1': delays['xx-test-1'] });
    // Configured ones win; the rest keep theirs.
    expect(pingDelays(['us-east-1', 'eu-west-1'], { 'eu-west-1': 5 })).toEqual({
      'us-east-1': 20,
      'eu-west-1': 5,
    });
  });

  it('refuse, before anything starts, an unserved region or a delay out of 0-5000 ms', async () => {
    await expect(
      startTestStack({ regions: ['us-east-1'], pingDelaysMs: { 'eu-west-1': 10 } }),
    ).rejects.toThrow(/pingDelaysMs names eu-west-1, which is not served/);
    for (const ms of [-1, 5001, 1.5, Number.NaN])
      expect(() => pingDelays(['us-east-1'], { 'us-east-1': ms })).toThrow(/from 0 to 5000/);
  });
});

describe('pnpm dev --ping-delays', () => {
  let dev: ChildProcess | undefined;
  afterAll(() => {
    if (dev && dev.exitCode === null) dev.kill('SIGKILL');
  });
  const devArgs = (...args: string[]) => [
    '--import',
    'tsx',
    join(repoRoot, 'packages/local/src/cli/dev.ts'),
    ...args,
  ];
  /** Runs `pnpm dev` with bad flags: its exit code and output. */
  const refused = (...args: string[]) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, devArgs(...args), {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) => resolve({ code, output }));
    });

  it('prints each region with its delay in the banner and serves them', async () => {
    const port = await freePort();
    dev = spawn(
      process.execPath,
      devArgs(
        '--port',
        String(port),
        '--tick-seconds',
        '0',
        '--log-level',
        'SILENT',
        '--regions',
        'us-east-1,eu-west-1',
        '--ping-delays',
        'eu-west-1=150',
      ),
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    dev.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    dev.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const deadline = Date.now() + 25_000;
    while (!output.includes('Ctrl-C stops everything')) {
      if (dev.exitCode !== null || Date.now() > deadline)
        throw new Error(`pnpm dev did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(output).toContain(
      `ping targets       GET http://127.0.0.1:${port}/ping/{region}: us-east-1 20 ms, eu-west-1 150 ms`,
    );
    const slow = await get(`http://127.0.0.1:${port}/ping/eu-west-1`);
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(150);
    const exited = new Promise<number | null>((resolve) => dev?.once('exit', resolve));
    dev.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses a bad value (exit 2) or an unserved region (exit 1), naming the flag', async () => {
    const bad = await refused('--ping-delays', 'eu-west-1=fast');
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--ping-delays: "eu-west-1=fast" is not <region>=<ms>');
    const unserved = await refused('--regions', 'us-east-1', '--ping-delays', 'sa-east-1=10');
    expect(unserved.code).toBe(1);
    expect(unserved.output).toContain('--ping-delays: pingDelaysMs names sa-east-1, which is not served');
  });
});
