import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export const BOOTSTRAP = 'bootstrap-secret-1';
export const SESSION_TOKEN = 'session-secret-2';
/** The join keys the players got in their serverReady events; the API only hands out their hashes. */
export const KEYS = { alice: 'join-key-alice-0123456789', bob: 'join-key-bob-9876543210' } as const;
export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export const defaultSession = () => ({
  matchId: 'match-1',
  token: SESSION_TOKEN,
  teams: {
    home: [{ userId: 'alice', joinKeyHash: sha256Hex(KEYS.alice) }],
    away: [{ userId: 'bob', joinKeyHash: sha256Hex(KEYS.bob) }],
  },
});

export interface Recorded {
  path: string;
  authorization?: string;
  body: Record<string, unknown>;
}

/** Reads a request to a fake API and records it in `calls`; returns its path. */
export async function record(request: IncomingMessage, calls: Recorded[]): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const path = request.url ?? '';
  calls.push({
    path,
    authorization: request.headers.authorization,
    body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>,
  });
  return path;
}

type Kind = 'session' | 'ready' | 'result';

/**
 * A real HTTP server standing in for the callback API: records every call and
 * answers with the scripted statuses per callback (200 once they run out);
 * `/session` answers 200 with `session` as its body.
 */
export async function callbackApi(
  statuses: Partial<Record<Kind, number[]>> = {},
  session: unknown = defaultSession(),
) {
  const calls: Recorded[] = [];
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    const path = await record(request, calls);
    const kind = path.split('/').pop() as Kind;
    const status = statuses[kind]?.shift() ?? 200;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(kind === 'session' && status === 200 ? JSON.stringify(session) : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const of = (kind: Kind) => calls.filter((call) => call.path.endsWith(`/${kind}`));
  return { calls, of, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const processes: ChildProcess[] = [];
const servers: Server[] = [];
/** Closes a stand-in API after the test. */
export const closeAfterTest = (server: Server) => {
  servers.push(server);
};
const sockets: { terminate(): void }[] = [];
afterEach(() => {
  for (const child of processes.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
  for (const socket of sockets.splice(0)) socket.terminate();
});

/**
 * The sources through tsx by default; `GAME_SERVER_BUNDLE=game-server/dist/main.mjs` runs the same
 * tests against the bundle (after `pnpm --filter @matchmaking/game-server build`).
 */
const entry = process.env.GAME_SERVER_BUNDLE
  ? [process.env.GAME_SERVER_BUNDLE]
  : ['--import', 'tsx', 'game-server/src/main.ts'];

export function startGameServer(env: Record<string, string>) {
  const child = spawn(process.execPath, entry, {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
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
    await until(() => output.includes('"event":"listening"') || child.exitCode !== null, 8000);
    const line = output.split('\n').find((l) => l.includes('"event":"listening"'));
    if (!line) throw new Error(`the game server did not listen: ${output}`);
    return (JSON.parse(line) as { port: number }).port;
  };
  const events = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { event: string }).event);
  return { child, exited, listening, events, output: () => output, running: () => child.exitCode === null };
}

/** A callback API and the environment of a game server that uses it. */
export async function matchEnv(
  statuses: Partial<Record<Kind, number[]>> = {},
  extra: Record<string, string> = {},
  session?: unknown,
) {
  const api = await callbackApi(statuses, session);
  const env = {
    MATCH_ID: 'match-1',
    CALLBACK_BASE_URL: api.url,
    MATCH_BOOTSTRAP_TOKEN: BOOTSTRAP,
    ...extra,
  };
  return { api, env };
}

/** Starts a game server for the default 1v1 match (alice HOME, bob AWAY) and waits until it listens. */
export async function startMatch(extra: Record<string, string> = {}) {
  const { api, env } = await matchEnv({}, extra);
  const game = startGameServer(env);
  const port = await game.listening();
  return { api, game, port };
}

export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A player's WebSocket to the game server, recording what it hears and how it closed. */
export function player(port: number, key?: string) {
  const url = `ws://127.0.0.1:${port}/${key === undefined ? '' : `?key=${encodeURIComponent(key)}`}`;
  const socket = new WebSocket(url);
  sockets.push(socket);
  const messages: string[] = [];
  let closed: { code: number; reason: string } | undefined;
  socket.on('message', (data) => messages.push(data.toString()));
  socket.on('error', () => {});
  socket.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
  });
  const open = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (request, response) => {
      request.destroy();
      reject(new Error(`refused with ${response.statusCode}`));
    });
  });
  open.catch(() => {});
  return {
    socket,
    messages,
    open,
    closed: () => closed,
    /** Resolves once a message containing `text` arrived. */
    hears: (text: string) => until(() => messages.some((m) => m.includes(text))),
  };
}

/** Tries to open a WebSocket and returns the HTTP status it was refused with (101 if it opened). */
export function upgradeStatus(port: number, query: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/${query}`);
    sockets.push(socket);
    socket.on('error', () => {});
    socket.once('open', () => resolve(101));
    socket.once('unexpected-response', (request, response) => {
      request.destroy();
      resolve(response.statusCode ?? 0);
    });
  });
}

/** One client-to-server frame, masked as clients must. */
export function frame(firstByte: number, payload: Buffer): Buffer {
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const header =
    payload.length < 126
      ? Buffer.from([firstByte, 0x80 | payload.length])
      : Buffer.from([firstByte, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, masked]);
}

/** Server-to-client frames (unmasked) in `data`. */
export function parseFrames(data: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 2 <= data.length) {
    const opcode = (data[at] as number) & 0x0f;
    let length = (data[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = data.readUInt16BE(at + 2);
      start = at + 4;
    }
    if (start + length > data.length) break;
    frames.push({ opcode, payload: data.subarray(start, start + length) });
    at = start + length;
  }
  return frames;
}

/** A WebSocket client over a raw TCP socket, to send frames no WebSocket library would. */
export async function rawPlayer(port: number, key: string) {
  const socket: Socket = connect(port, '127.0.0.1');
  sockets.push({ terminate: () => socket.destroy() });
  socket.on('error', () => {});
  let data = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
  });
  let isClosed = false;
  socket.once('close', () => {
    isClosed = true;
  });
  socket.write(
    `GET /?key=${encodeURIComponent(key)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await until(() => data.includes('\r\n\r\n'));
  const headerEnd = data.indexOf('\r\n\r\n') + 4;
  const status = data.subarray(0, headerEnd).toString().split(' ')[1];
  if (status !== '101') throw new Error(`upgrade refused: ${data.toString()}`);
  const frames = () => parseFrames(data.subarray(headerEnd));
  return {
    socket,
    send: (bytes: Buffer) => socket.write(bytes),
    frames,
    closed: () => isClosed,
    /** The status code of the server's close frame, once one arrived. */
    closeCode: () => {
      const close = frames().find((f) => f.opcode === 0x8);
      return close ? close.payload.readUInt16BE(0) : undefined;
    },
  };
}
