import { readdir, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative } from 'node:path';
import { buildLobby } from '@matchmaking/lobby';
import { sendJson } from './emulators/http-util.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/**
 * The page may talk to this stack only (its WebSocket API, dev tokens, ping
 * endpoints on either loopback name) and runs no inline script: a player name
 * or a party member shown on it can never become code.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws://localhost:* ws://127.0.0.1:* http://localhost:* http://127.0.0.1:*",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The browser lobby (packages/lobby), built with Vite when the stack starts
 * and served at `/` from memory: only the files of the build, so no path can
 * reach anything else on disk. The build's directory is removed at once.
 */
export class LobbySite {
  private constructor(private readonly files: Map<string, { body: Buffer; type: string }>) {}

  static async build(): Promise<LobbySite> {
    const dir = await buildLobby();
    try {
      const files = new Map<string, { body: Buffer; type: string }>();
      for (const file of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (!file.isFile()) continue;
        const path = join(file.parentPath, file.name);
        const url = `/${relative(dir, path).split('\\').join('/')}`;
        files.set(url, {
          body: await readFile(path),
          type: CONTENT_TYPES[extname(file.name)] ?? 'application/octet-stream',
        });
      }
      return new LobbySite(files);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `/` (index.html) and the build's assets. */
  matches(path: string): boolean {
    return path === '/' || this.files.has(path);
  }

  handle(request: IncomingMessage, response: ServerResponse, path: string): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { message: 'Method Not Allowed' }, { allow: 'GET, HEAD' });
      return;
    }
    const file = this.files.get(path === '/' ? '/index.html' : path);
    if (!file) {
      sendJson(response, 404, { message: 'Not Found' });
      return;
    }
    response.writeHead(200, {
      'content-type': file.type,
      'content-length': String(file.body.length),
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      // index.html names the hashed assets of this build: a new run's page must not come from a cache.
      'cache-control': path === '/' ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }
}
