import { spawn } from 'node:child_process';
import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureGameServerBundle, gameServerBundle } from '../../src/game-server-bundle.js';
import { defaultGameServer } from '../../src/index.js';
import { repoRoot } from '../../src/lambda.js';

/*
 * Issue A6: each game server ran through tsx (a compiler per process). The
 * default game server is now the esbuild bundle its container runs, started
 * by plain node, and rebuilt when a source is newer.
 */
describe('the default game server', () => {
  it('is the bundle run by plain node, no tsx', () => {
    expect(defaultGameServer.command).toBe(process.execPath);
    expect(defaultGameServer.args).toEqual([join(repoRoot, 'game-server/dist/main.mjs')]);
    expect(JSON.stringify(defaultGameServer)).not.toContain('tsx');
  });

  it('is built when stale, and not rebuilt when fresh', async () => {
    // Make the bundle older than a source: it is rebuilt.
    await ensureGameServerBundle();
    const source = join(repoRoot, 'packages/core/src/protocol/game-server-env.ts');
    const past = new Date(statSync(source).mtimeMs - 60_000);
    utimesSync(gameServerBundle, past, past);
    await ensureGameServerBundle();
    const rebuilt = statSync(gameServerBundle).mtimeMs;
    expect(rebuilt).toBeGreaterThanOrEqual(statSync(source).mtimeMs);
    await ensureGameServerBundle();
    expect(statSync(gameServerBundle).mtimeMs).toBe(rebuilt);
  });

  it('starts under plain node with the minimal environment and refuses to run without its match', async () => {
    await ensureGameServerBundle();
    // Without MATCH_ID and the rest it must exit with an error, not hang or crash on a missing module.
    const child = spawn(process.execPath, [gameServerBundle], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
  });
});
