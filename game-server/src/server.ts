import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { log } from './log.js';
import { describeOutcome, MatchRules, type Outcome } from './match.js';
import { pageHeaders, playPage } from './page.js';
import type { GameServerSession } from './session.js';

export type MatchState = 'waiting' | 'finished';

export interface GameServer {
  server: Server;
  /** Listens on host:port and resolves with the real port; starts the idle clock. */
  listen(port: number, host: string): Promise<number>;
  port(): number;
  state(): MatchState;
  /** User ids of the players connected now. */
  connected(): string[];
  /** Closes every client and the listener. */
  close(): Promise<void>;
}

export interface GameServerOptions {
  /** Seconds with no player connected (from listening, or since the last one left) before `onIdle`. */
  idleSeconds: number;
  /** Reports the decided result (the API callback); every client hears it once this resolves. */
  onResult(outcome: Outcome): Promise<void>;
  /** Nobody was connected for `idleSeconds`: the match should end unplayed. */
  onIdle(): void;
}

/** Join keys longer than this are refused without hashing. */
export const MAX_KEY_LENGTH = 256;
/** Text frames only, at most this many bytes; a bigger frame closes that socket (1009). */
export const MAX_FRAME_BYTES = 1024;
/** A client that lets this much output pile up unread is dropped. */
const MAX_BUFFERED_BYTES = 64 * 1024;

/** How long a socket we close may take to answer the closing handshake before it is cut. */
const CLOSE_GRACE_MS = 1000;

/** Starts the closing handshake, and cuts the socket if the client does not answer it. */
const closeSoon = (socket: WebSocket, code: number, reason: string) => {
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
};

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The match over WebSocket, on the same port as HTTP (`/health`, the play
 * page at `/`). Only the roster's players may connect, with
 * `ws://<ip>:<port>/?key=<joinKey>`: the key's SHA-256 must match one of the
 * session's join-key hashes, otherwise the upgrade is refused with 401. One
 * socket per player (a newer connection replaces the older one, closed with
 * 4001). A bad frame closes only the socket that sent it. The rules are in
 * `MatchRules`; the decided result goes to `onResult` before every client
 * hears it and is closed.
 */
export function createGameServer(session: GameServerSession, options: GameServerOptions): GameServer {
  const rules = new MatchRules(session);
  const players = [...session.teams.home, ...session.teams.away].map((player) => ({
    userId: player.userId,
    hash: Buffer.from(player.joinKeyHash, 'hex'),
  }));
  let state: MatchState = 'waiting';
  /** The current socket of each connected player (one each). */
  const current = new Map<string, WebSocket>();
  /** Every open socket, including replaced ones still closing. */
  const sockets = new Set<WebSocket>();
  let idleTimer: NodeJS.Timeout | undefined;

  const disarmIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
  };
  const armIdle = () => {
    disarmIdle();
    if (state !== 'waiting' || current.size > 0) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (state === 'waiting' && current.size === 0) options.onIdle();
    }, options.idleSeconds * 1000);
  };

  const send = (socket: WebSocket, text: string) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.terminate();
      return;
    }
    socket.send(text);
  };
  const broadcast = (text: string) => {
    for (const socket of current.values()) send(socket, text);
  };

  const finish = (outcome: Outcome) => {
    state = 'finished';
    disarmIdle();
    void options.onResult(outcome).then(
      () => {
        broadcast(`match finished: ${describeOutcome(outcome)}`);
        for (const socket of sockets) closeSoon(socket, 1000, 'match finished');
      },
      () => broadcast('the result could not be reported; the match will be abandoned'),
    );
  };

  const server = createServer((request, response) => {
    let path = '';
    try {
      path = new URL(request.url ?? '/', 'http://localhost').pathname;
    } catch {}
    if (path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ status: 'ok', matchId: session.matchId, state }));
    } else if (path === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
      response.writeHead(200, pageHeaders);
      response.end(request.method === 'HEAD' ? undefined : playPage(session.matchId));
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });

  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: MAX_FRAME_BYTES });
  wss.on('error', (error) =>
    log('websocket server error', { matchId: session.matchId, error: error.message }),
  );

  const refuse = (request: IncomingMessage, socket: Duplex, status: number, reason: string) => {
    log('connection refused', {
      matchId: session.matchId,
      status,
      reason,
      remote: request.socket.remoteAddress,
    });
    const body = `${reason}\n`;
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  /** The roster player whose join-key hash matches, comparing every entry in constant time. */
  const playerFor = (key: string): string | undefined => {
    const digest = sha256(key);
    let found: string | undefined;
    for (const player of players) {
      if (timingSafeEqual(digest, player.hash) && found === undefined) found = player.userId;
    }
    return found;
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
    const key = url.searchParams.get('key');
    if (!key) return refuse(request, socket, 401, 'missing join key');
    if (key.length > MAX_KEY_LENGTH) return refuse(request, socket, 401, 'join key too long');
    const userId = playerFor(key);
    if (userId === undefined) return refuse(request, socket, 401, 'unknown join key');
    if (state !== 'waiting') return refuse(request, socket, 410, 'match finished');
    wss.handleUpgrade(request, socket, head, (ws) => attach(ws, userId));
  });

  const attach = (ws: WebSocket, userId: string) => {
    const team = rules.teamOf(userId);
    sockets.add(ws);
    // Invalid frames (bad UTF-8, RSV bits, oversize, bad close code...): ws closes this socket with
    // 1002/1007/1009 and emits 'error'; without a listener that would crash the whole match.
    ws.on('error', (error: Error & { code?: string }) =>
      log('socket error', { matchId: session.matchId, userId, error: error.message, code: error.code }),
    );
    ws.on('close', (code: number) => {
      sockets.delete(ws);
      if (current.get(userId) !== ws) return;
      current.delete(userId);
      log('player disconnected', { matchId: session.matchId, userId, team, code, connected: current.size });
      if (current.size === 0) armIdle();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        closeSoon(ws, 1003, 'text frames only');
        return;
      }
      if (current.get(userId) !== ws) return;
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : '';
      const effect = rules.command(userId, text, current.keys());
      if (effect.reply) send(ws, effect.reply);
      if (effect.broadcast) broadcast(effect.broadcast);
      if (effect.decided) {
        log('decided', { matchId: session.matchId, userId, team, command: text.trim().toUpperCase() });
        finish(effect.decided);
      } else if (effect.broadcast) {
        log('report', { matchId: session.matchId, userId, team, command: text.trim().toUpperCase() });
      }
    });
    const previous = current.get(userId);
    current.set(userId, ws);
    if (previous) closeSoon(previous, 4001, 'replaced by a newer connection');
    disarmIdle();
    log(previous ? 'player reconnected' : 'player connected', {
      matchId: session.matchId,
      userId,
      team,
      connected: current.size,
    });
    send(ws, rules.welcome(userId));
  };

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          armIdle();
          resolve((server.address() as AddressInfo).port);
        });
      }),
    port: () => (server.address() as AddressInfo).port,
    state: () => state,
    connected: () => [...current.keys()],
    close: () =>
      new Promise((resolve) => {
        disarmIdle();
        for (const socket of sockets) socket.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
