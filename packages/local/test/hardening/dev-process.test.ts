import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devTokenFile } from '../../src/dev-token-file.js';
import { repoRoot } from '../../src/lambda.js';
import { devToken, freePort } from '../helpers/dev-cli.js';
import { frame, OPCODE, RawClient } from '../helpers/raw-socket.js';

/*
 * Issue A1 as the developer meets it: `pnpm dev` is a real process, and one
 * client's bad frame used to end it (ws emitted 'error' with nobody
 * listening). The process must close that client (1007 for invalid UTF-8,
 * 1002 for an unmasked frame) and keep serving; `pnpm -s token` must work
 * against it (it reads the run's secret), `--warm-servers` fills the pool at
 * start, and Ctrl-C must leave no file behind (the idle servers deregister).
 */
let dev: ChildProcess | undefined;
afterAll(() => {
  if (dev && dev.exitCode === null) dev.kill('SIGKILL');
});

async function connect(port: number, userId: string): Promise<RawClient> {
  const { client, status } = await RawClient.upgrade(port, {
    Authorization: `Bearer ${await devToken(port, userId)}`,
  });
  expect(status).toBe(101);
  return client;
}

describe('pnpm dev', () => {
  it('survives bad frames: only the sender is closed, others are served, Ctrl-C cleans up', async () => {
    const port = await freePort();
    dev = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'packages/local/src/cli/dev.ts'),
        '--port',
        String(port),
        '--tick-seconds',
        '0',
        '--log-level',
        'SILENT',
        '--max-tasks',
        '3',
        '--warm-servers',
        '1',
      ],
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
    while (!output.includes('matchmaking is running locally')) {
      if (dev.exitCode !== null || Date.now() > deadline)
        throw new Error(`pnpm dev did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(output).toContain('at most 3 game servers at once');
    expect(output).toContain('warm pool          1 idle game server(s) per region, up to 1');
    // The lobby: its link, with the run's dev key in the fragment, serves the page and mints tokens.
    const lobby = new URL(/Lobby \(browser\)\s+(\S+)/.exec(output)?.[1] ?? 'http://missing/');
    expect(lobby.origin).toBe(`http://localhost:${port}`);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<title>Matchmaking lobby</title>');
    const devKey = new URLSearchParams(lobby.hash.slice(1)).get('devKey');
    const minted = await fetch(`http://127.0.0.1:${port}/dev/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${devKey}` },
      body: JSON.stringify({ userId: 'carol' }),
    });
    expect(minted.status).toBe(200);
    // The pool fills at start: each region's server registers through the real functions.
    const registered = () => output.match(/"event":"registered"/g)?.length ?? 0;
    while (registered() < 2) {
      if (Date.now() > deadline) throw new Error(`no warm server registered:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    for (const [bytes, code] of [
      [frame(OPCODE.text, Buffer.from([0xc3, 0x28])), 1007],
      [frame(OPCODE.text, '{"action":"getProfile"}', { mask: false }), 1002],
    ] as const) {
      const bad = await connect(port, 'mallory');
      bad.write(bytes);
      expect((await bad.untilClosed()).close?.code).toBe(code);
      bad.destroy();
    }

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(dev.exitCode).toBeNull();
    const good = await connect(port, 'auth0|alice');
    good.write(frame(OPCODE.text, JSON.stringify({ action: 'getProfile' })));
    expect(JSON.parse(await good.nextMessage())).toMatchObject({ type: 'profile', userId: 'auth0|alice' });
    good.destroy();

    expect(existsSync(devTokenFile(port))).toBe(true);
    const exited = new Promise<number | null>((resolve) => dev?.once('exit', resolve));
    dev.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(devTokenFile(port))).toBe(false);
    // Ctrl-C stops the idle warm servers with SIGTERM: each leaves the pool before it exits.
    expect(output.match(/"event":"deregistered"/g)).toHaveLength(2);
  });
});
