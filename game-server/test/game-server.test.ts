import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Recorded {
  path: string;
  authorization?: string;
  body: Record<string, unknown>;
}

/** A real HTTP server standing in for the callback API: records calls, answers with the scripted statuses. */
async function callbackApi(statuses: number[] = []) {
  const calls: Recorded[] = [];
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    calls.push({
      path: request.url ?? '',
      authorization: request.headers.authorization,
      body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>,
    });
    response.writeHead(statuses.shift() ?? 200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { calls, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const processes: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const child of processes.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const server of servers.splice(0)) server.close();
});

function startGameServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'game-server/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = async (): Promise<number> => {
    for (let i = 0; i < 200; i += 1) {
      const line = output.split('\n').find((l) => l.includes('"event":"listening"'));
      if (line) return (JSON.parse(line) as { port: number }).port;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the game server did not listen: ${output}`);
  };
  return { child, exited, listening, output: () => output };
}

async function matchEnv(statuses: number[] = [], extra: Record<string, string> = {}) {
  const api = await callbackApi(statuses);
  servers.push(api.server);
  const env = {
    MATCH_ID: 'match-1',
    USER_IDS: 'bob,alice',
    HOME_USER_IDS: 'alice',
    AWAY_USER_IDS: 'bob',
    CALLBACK_BASE_URL: api.url,
    MATCH_TOKEN: 'secret-token',
    ...extra,
  };
  return { api, env };
}

async function until(condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function client(port: number) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(data.toString()));
  return { socket, messages, open: new Promise((resolve) => socket.once('open', resolve)) };
}

describe('game server process', () => {
  it('reports ready with its real port and the bearer token, serves /health and the play page', async () => {
    const { api, env } = await matchEnv();
    const game = startGameServer(env);
    const port = await game.listening();
    await until(() => api.calls.length === 1);
    expect(api.calls[0]).toEqual({
      path: '/matches/match-1/ready',
      authorization: 'Bearer secret-token',
      body: { port },
    });
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ status: 'ok', matchId: 'match-1', state: 'waiting' });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('<button data-command="HOME">');
    expect(game.output()).not.toContain('secret-token');
  });

  it('resolves HOME once, reports it, tells every client, and exits 0', async () => {
    const { api, env } = await matchEnv();
    const game = startGameServer(env);
    const port = await game.listening();
    const a = client(port);
    const b = client(port);
    await Promise.all([a.open, b.open]);
    a.socket.send('STATUS');
    await until(() => a.messages.some((m) => m.includes('HOME alice vs AWAY bob')));
    a.socket.send('HOME');
    b.socket.send('AWAY');
    expect(await game.exited).toBe(0);
    const results = api.calls.filter((call) => call.path.endsWith('/result'));
    expect(results).toEqual([
      { path: '/matches/match-1/result', authorization: 'Bearer secret-token', body: { outcome: 'home' } },
    ]);
    expect(a.messages).toContain('match finished: HOME wins');
    expect(b.messages.some((m) => m === 'match already finished' || m === 'match finished: HOME wins')).toBe(
      true,
    );
  });

  it('retries ready after a 500, and takes 409 as done', async () => {
    const { api, env } = await matchEnv([500, 409]);
    const game = startGameServer(env);
    await game.listening();
    await until(() => game.output().includes('"event":"ready reported"'));
    expect(api.calls.filter((c) => c.path.endsWith('/ready'))).toHaveLength(2);
    expect(game.output()).toContain('"done":"already-done"');
  });

  it('exits non-zero when the API refuses the ready callback (403)', async () => {
    const { env } = await matchEnv([403]);
    const game = startGameServer(env);
    expect(await game.exited).toBe(1);
    expect(game.output()).toContain('ready not reported');
  });

  it('exits 2 with a clear message on bad configuration', async () => {
    const game = startGameServer({
      MATCH_ID: '',
      CALLBACK_BASE_URL: 'ftp://x',
      MATCH_TOKEN: 't',
      USER_IDS: '',
    });
    expect(await game.exited).toBe(2);
    expect(game.output()).toContain('MATCH_ID is not set');
    expect(game.output()).toContain('CALLBACK_BASE_URL must be an http(s) URL');
  });

  it('gives up after MAX_MATCH_SECONDS without reporting a result', async () => {
    const { api, env } = await matchEnv([], { MAX_MATCH_SECONDS: '1' });
    const game = startGameServer(env);
    expect(await game.exited).toBe(3);
    expect(api.calls.filter((c) => c.path.endsWith('/result'))).toEqual([]);
  });

  it('stops cleanly on SIGTERM (ECS StopTask)', async () => {
    const { env } = await matchEnv();
    const game = startGameServer(env);
    await game.listening();
    game.child.kill('SIGTERM');
    expect(await game.exited).toBe(0);
  });
});
