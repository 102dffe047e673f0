import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
// Constants only: the bundle must not pull the core package's schemas.
import { ASSIGNMENT_NUDGE_PATH } from '@matchmaking/core/game-server-env';
import { WebSocketServer } from 'ws';
import { log } from './log.js';
import type { Outcome } from './match.js';
import { pageHeaders, playPage } from './page.js';
import { type MatchState, Room } from './room.js';
import type { GameServerSession } from './session.js';

export type { MatchState };
/** What `/health` says: no match yet (a warm-pool server), or the match's state. */
export type ServerState = 'idle' | MatchState;

export interface GameServer {
  server: Server;
  /** Listens on host:port and resolves with the real port; starts the idle clock if a match has begun. */
  listen(port: number, host: string): Promise<number>;
  /** Hosts this match from now on (one at a time); its idle clock starts now if listening, else at `listen`. */
  begin(session: GameServerSession): void;
  /** Ends the current match: its sockets are cut and its keys no longer accepted; the server is idle. */
  reset(): void;
  port(): number;
  state(): ServerState;
  /** User ids of the players connected now. */
  connected(): string[];
  /** Closes every client and the listener. */
  close(): Promise<void>;
}

export interface GameServerOptions {
  /** Seconds with no player connected (from listening or `begin`, whichever is later, or since the last one left) before `onIdle`. */
  idleSeconds: number;
  /** Reports the decided result of `session` (the API callback); every client hears it once this resolves. */
  onResult(outcome: Outcome, session: GameServerSession): Promise<void>;
  /** Nobody was connected to `session`'s match for `idleSeconds`: the match should end unplayed. */
  onIdle(session: GameServerSession): void;
  /** A warm-pool server's id, named by `/health`. */
  serverId?: string;
  /** Serves the assignment nudge (`POST /assignment`, 202) and calls this; without it the path is 404. */
  onNudge?(): void;
}

/** Join keys longer than this are refused without hashing. */
export const MAX_KEY_LENGTH = 256;
/** Text frames only, at most this many bytes; a bigger frame closes that socket (1009). */
export const MAX_FRAME_BYTES = 1024;
/** The nudge carries nothing: a body bigger than this is refused unread (a nudge needs no body at all). */
const MAX_NUDGE_BODY_BYTES = 1024;

/**
 * The match over WebSocket, on the same port as HTTP (`/health`, the play
 * page at `/`, and a warm-pool server's assignment nudge). The listener can
 * exist before its match (a warm-pool server listens, then is assigned one)
 * and outlive it (`reset`, then the next `begin`); until a match begins,
 * WebSocket upgrades are refused with 503. Only the current match's roster
 * players may connect, with `ws://<ip>:<port>/?key=<joinKey>`: the key's
 * SHA-256 must match one of the session's join-key hashes, otherwise the
 * upgrade is refused with 401. The match itself is a `Room`.
 */
export function createGameServer(options: GameServerOptions): GameServer {
  let room: Room | undefined;
  let listening = false;
  /** Who a log line is about: the server (a warm-pool one) and its match, if any. */
  const where = () => ({
    ...(options.serverId === undefined ? {} : { serverId: options.serverId }),
    ...(room ? { matchId: room.matchId } : {}),
  });

  const server = createServer((request, response) => {
    let path = '';
    try {
      path = new URL(request.url ?? '/', 'http://localhost').pathname;
    } catch {}
    if (path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ status: 'ok', ...where(), state: room ? room.state() : 'idle' }));
    } else if (path === ASSIGNMENT_NUDGE_PATH && options.onNudge) {
      nudge(request, response, options.onNudge);
    } else if (path === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
      if (!room) return text(response, 503, 'no match yet');
      response.writeHead(200, pageHeaders);
      response.end(request.method === 'HEAD' ? undefined : playPage(room.matchId));
    } else {
      text(response, 404, 'not found');
    }
  });

  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: MAX_FRAME_BYTES });
  wss.on('error', (error) => log('websocket server error', { ...where(), error: error.message }));

  const refuse = (request: IncomingMessage, socket: Duplex, status: number, reason: string) => {
    log('connection refused', { ...where(), status, reason, remote: request.socket.remoteAddress });
    const body = `${reason}\n`;
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset before ws takes the socket over must not crash the process.
    socket.on('error', () => {});
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      refuse(request, socket, 400, 'bad request');
      return;
    }
    if (url.pathname !== '/') return refuse(request, socket, 404, 'not found');
    // No roster yet to check a key against: players get their key only once the match is ready.
    const joining = room;
    if (!joining) return refuse(request, socket, 503, 'no match yet');
    const key = url.searchParams.get('key');
    if (!key) return refuse(request, socket, 401, 'missing join key');
    if (key.length > MAX_KEY_LENGTH) return refuse(request, socket, 401, 'join key too long');
    const userId = joining.playerFor(key);
    if (userId === undefined) return refuse(request, socket, 401, 'unknown join key');
    if (joining.state() !== 'waiting') return refuse(request, socket, 410, 'match finished');
    wss.handleUpgrade(request, socket, head, (ws) => joining.attach(ws, userId));
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          listening = true;
          room?.open();
          resolve((server.address() as AddressInfo).port);
        });
      }),
    begin: (session) => {
      if (room) throw new Error(`match ${room.matchId} is still hosted; reset first`);
      room = new Room(session, {
        idleSeconds: options.idleSeconds,
        onResult: (outcome) => options.onResult(outcome, session),
        onIdle: () => options.onIdle(session),
      });
      if (listening) room.open();
    },
    reset: () => {
      room?.close();
      room = undefined;
    },
    port: () => (server.address() as AddressInfo).port,
    state: () => (room ? room.state() : 'idle'),
    connected: () => room?.connected() ?? [],
    close: () =>
      new Promise((resolve) => {
        room?.close();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const text = (response: ServerResponse, status: number, body: string) => {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(body);
};

/**
 * `POST /assignment`: anyone can send it (no credential), so it only makes the
 * server ask the API, and it reads next to nothing: a declared or actual body
 * over the limit is refused (413, or the connection is cut mid-body).
 */
function nudge(request: IncomingMessage, response: ServerResponse, onNudge: () => void): void {
  if (request.method !== 'POST') {
    response.setHeader('allow', 'POST');
    text(response, 405, 'method not allowed');
    return;
  }
  if (Number(request.headers['content-length'] ?? 0) > MAX_NUDGE_BODY_BYTES) {
    response.setHeader('connection', 'close');
    text(response, 413, 'a nudge has no body');
    return;
  }
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_NUDGE_BODY_BYTES) request.destroy();
  });
  request.on('end', () => {
    response.writeHead(202, { 'cache-control': 'no-store' });
    response.end();
    onNudge();
  });
}
