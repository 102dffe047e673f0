import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';

let stack: LocalStack;
let base: string;
beforeAll(async () => {
  stack = await startTestStack({ regions: ['us-east-1'], lobby: true });
  base = `http://127.0.0.1:${stack.port}`;
});
afterAll(() => stack?.stop());

describe('the lobby site pnpm dev serves', () => {
  it('serves the build at / with a policy that runs no inline script and talks only to this machine', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toMatch(/connect-src 'self' ws:\/\/localhost:\* ws:\/\/127\.0\.0\.1:\*/);
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] as string;
    const asset = await fetch(`${base}${script}`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await asset.text()).length).toBeGreaterThan(1000);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('serves nothing but the build: other paths, traversal and other methods are refused', async () => {
    for (const path of [
      '/index.html/../../package.json',
      '/%2e%2e/package.json',
      '/assets/',
      '/src/main.ts',
    ]) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    const post = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    // The link pnpm dev prints: the run's 32-byte dev-token secret in the fragment.
    expect(stack.lobbyUrl).toMatch(new RegExp(`^http://localhost:${stack.port}/#devKey=[\\w-]{43}$`));
  });
});
