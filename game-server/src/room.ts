import { createHash, timingSafeEqual } from 'node:crypto';
import { WebSocket } from 'ws';
import { log } from './log.js';
import { describeOutcome, MatchRules, type Outcome } from './match.js';
import type { GameServerSession } from './session.js';

export type MatchState = 'waiting' | 'finished';

export interface RoomOptions {
  /** Seconds with no player connected (from `open`, or since the last one left) before `onIdle`. */
  idleSeconds: number;
  /** Reports the decided result (the API callback); every client hears it once this resolves. */
  onResult(outcome: Outcome): Promise<void>;
  /** Nobody was connected for `idleSeconds`: the match should end unplayed. */
  onIdle(): void;
}

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
 * One match's players over WebSocket, without the listener: who may join
 * (by join key), one socket per player (a newer connection replaces the older
 * one, closed with 4001), the rules in `MatchRules`, and the idle clock. The
 * decided result goes to `onResult` before every client hears it and is
 * closed. Everything lives in the room, so a warm-pool server's next match
 * starts with a new room and nothing of this one (sockets, keys, reports).
 */
export class Room {
  readonly matchId: string;
  private readonly rules: MatchRules;
  private readonly players: { userId: string; hash: Buffer }[];
  private matchState: MatchState = 'waiting';
  /** The current socket of each connected player (one each). */
  private readonly current = new Map<string, WebSocket>();
  /** Every open socket, including replaced ones still closing. */
  private readonly sockets = new Set<WebSocket>();
  private idleTimer: NodeJS.Timeout | undefined;
  private opened = false;
  private closed = false;

  constructor(
    session: GameServerSession,
    private readonly options: RoomOptions,
  ) {
    this.matchId = session.matchId;
    this.rules = new MatchRules(session);
    this.players = [...session.teams.home, ...session.teams.away].map((player) => ({
      userId: player.userId,
      hash: Buffer.from(player.joinKeyHash, 'hex'),
    }));
  }

  state(): MatchState {
    return this.matchState;
  }

  connected(): string[] {
    return [...this.current.keys()];
  }

  /** Players can reach the room now (the server listens): the idle clock starts. */
  open(): void {
    if (this.opened || this.closed) return;
    this.opened = true;
    this.armIdle();
  }

  /** Ends the room: the idle clock stops and every socket is cut. */
  close(): void {
    this.closed = true;
    this.disarmIdle();
    for (const socket of this.sockets) socket.terminate();
  }

  /** The roster player whose join-key hash matches, comparing every entry in constant time. */
  playerFor(key: string): string | undefined {
    const digest = sha256(key);
    let found: string | undefined;
    for (const player of this.players) {
      if (timingSafeEqual(digest, player.hash) && found === undefined) found = player.userId;
    }
    return found;
  }

  /** Takes over an upgraded socket of a roster player. */
  attach(ws: WebSocket, userId: string): void {
    // The room may have ended between the upgrade's checks and now (a release).
    if (this.closed) {
      ws.terminate();
      return;
    }
    const { matchId, current } = this;
    const team = this.rules.teamOf(userId);
    this.sockets.add(ws);
    // Invalid frames (bad UTF-8, RSV bits, oversize, bad close code...): ws closes this socket with
    // 1002/1007/1009 and emits 'error'; without a listener that would crash the whole match.
    ws.on('error', (error: Error & { code?: string }) =>
      log('socket error', { matchId, userId, error: error.message, code: error.code }),
    );
    ws.on('close', (code: number) => {
      this.sockets.delete(ws);
      if (current.get(userId) !== ws) return;
      current.delete(userId);
      log('player disconnected', { matchId, userId, team, code, connected: current.size });
      if (current.size === 0) this.armIdle();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        closeSoon(ws, 1003, 'text frames only');
        return;
      }
      if (current.get(userId) !== ws) return;
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : '';
      const effect = this.rules.command(userId, text, current.keys());
      if (effect.reply) this.send(ws, effect.reply);
      if (effect.broadcast) this.broadcast(effect.broadcast);
      if (effect.decided) {
        log('decided', { matchId, userId, team, command: text.trim().toUpperCase() });
        this.finish(effect.decided);
      } else if (effect.broadcast) {
        log('report', { matchId, userId, team, command: text.trim().toUpperCase() });
      }
    });
    const previous = current.get(userId);
    current.set(userId, ws);
    if (previous) closeSoon(previous, 4001, 'replaced by a newer connection');
    this.disarmIdle();
    log(previous ? 'player reconnected' : 'player connected', {
      matchId,
      userId,
      team,
      connected: current.size,
    });
    this.send(ws, this.rules.welcome(userId));
  }

  private finish(outcome: Outcome): void {
    this.matchState = 'finished';
    this.disarmIdle();
    void this.options.onResult(outcome).then(
      () => {
        this.broadcast(`match finished: ${describeOutcome(outcome)}`);
        for (const socket of this.sockets) closeSoon(socket, 1000, 'match finished');
      },
      () => this.broadcast('the result could not be reported; the match will be abandoned'),
    );
  }

  private disarmIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private armIdle(): void {
    this.disarmIdle();
    if (!this.opened || this.closed || this.matchState !== 'waiting' || this.current.size > 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.matchState === 'waiting' && this.current.size === 0) this.options.onIdle();
    }, this.options.idleSeconds * 1000);
  }

  private send(socket: WebSocket, text: string): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.terminate();
      return;
    }
    socket.send(text);
  }

  private broadcast(text: string): void {
    for (const socket of this.current.values()) this.send(socket, text);
  }
}
