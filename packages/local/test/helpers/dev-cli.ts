import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '../../src/lambda.js';

/** A port free right now, for a `pnpm dev` process that must be told its port up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** `pnpm -s token <userId> --port <port>` against a running `pnpm dev`, as a user types it. */
export function devToken(port: number, userId: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'packages/local/src/cli/token.ts'), userId, '--port', String(port)],
      { cwd: repoRoot },
      (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout.trim())),
    ),
  );
}
