import { backoffDelay } from './backoff.js';
import { ClientErrorCode, MatchmakingClientError } from './errors.js';
import type { EventHub } from './event-hub.js';
import { type CloseReason, isLifecycleType, type LostQueue } from './events.js';
import {
  type ConnectOptions,
  connectionTimers,
  DEFAULT_RECONNECT,
  DEFAULT_TIMEOUT_MS,
  type ReconnectSettings,
} from './options.js';
import type { PlayerStatus, ServerEvent } from './protocol.js';
import type { QueuePlace } from './queue-place.js';
import type { PendingRequests } from './requests.js';
import { isOpen, openSocket, type SocketLike } from './socket.js';

/** The client's connection: open, between attempts after a drop, or ended for good. */
export type ConnectionState = 'open' | 'reconnecting' | 'closed';

/** What the connection feeds and asks: the client's events, requests in flight, queue place and profile. */
export interface ConnectionParts {
  hub: EventHub;
  requests: PendingRequests;
  place: QueuePlace;
  /** The player's status as the server has it now (a getProfile on the new connection). */
  status: () => Promise<PlayerStatus>;
}

/**
 * The WebSocket under a client, kept open: it delivers the server's frames
 * (answers settle their requests, events go to the hub), and after a drop
 * reconnects with backoff and reports the lifecycle (disconnected,
 * reconnecting, reconnected, queueLost, closed). Ends for good on close(),
 * connectionReplaced, a refused token, or when the attempts run out.
 *
 * It also outlives API Gateway's two limits: after keepAliveSeconds without a
 * frame from the client it sends `keepAlive` (the 10-minute idle timeout), and
 * renewAfterSeconds into a connection it opens the next one and moves to it
 * (the 2-hour limit): the server closes the old one, and the player keeps
 * its queue place (see renew).
 */
export class Connection {
  private socket: SocketLike | undefined;
  private current: ConnectionState = 'reconnecting';
  /** Bumped for every socket: frames and closes of an older one are ignored. */
  private generation = 0;
  private replaced = false;
  private wakeSleeper: (() => void) | undefined;
  /** Aborted when the client ends: a connection attempt in flight gives up (its timer cleared). */
  private readonly ending = new AbortController();
  private readonly reconnect: ReconnectSettings | undefined;
  private readonly timers: { keepAliveSeconds: number; renewAfterSeconds: number };
  private keepAliveTimer: ReturnType<typeof setTimeout> | undefined;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** The generation being replaced by a renewal: its close and its connectionReplaced are expected. */
  private retiring: number | undefined;
  /** How the socket being replaced closed, while the renewal is still opening the next one. */
  private retiredClose: { code: number; reason: string } | undefined;

  constructor(
    private readonly url: string,
    private readonly options: ConnectOptions,
    private readonly parts: ConnectionParts,
  ) {
    this.reconnect = options.reconnect === false ? undefined : { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.timers = connectionTimers(options);
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The first connection: rejects (REFUSED, CONNECT_FAILED, TIMEOUT) without retrying. */
  async open(): Promise<void> {
    this.attach(await this.openSocket());
  }

  /** Sends a frame; DISCONNECTED while reconnecting, CLOSED once ended. */
  send(action: string, frame: string): void {
    const socket = this.socket;
    if (this.current !== 'open' || !socket || !isOpen(socket)) {
      const closed = this.current === 'closed';
      throw new MatchmakingClientError(
        closed ? ClientErrorCode.Closed : ClientErrorCode.Disconnected,
        `${action}: ${closed ? 'the client is closed' : 'not connected (reconnecting)'}`,
      );
    }
    socket.send(frame);
    this.armKeepAlive();
  }

  /**
   * Ends for good; resolves once the socket closed (or a second passed: a
   * peer may never answer), leaving no timer behind to keep a process alive.
   */
  async close(): Promise<void> {
    const socket = this.socket;
    this.end('closed', 'closed by the client');
    if (!socket || socket.readyState === 3) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      socket.addEventListener('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private openSocket(): Promise<SocketLike> {
    return openSocket({
      url: this.url,
      token: this.options.token,
      timeoutMs: this.options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      WebSocket: this.options.WebSocket,
      tokenIn: this.options.tokenIn,
      signal: this.ending.signal,
    });
  }

  private attach(socket: SocketLike): void {
    this.generation += 1;
    const generation = this.generation;
    this.socket = socket;
    this.current = 'open';
    socket.addEventListener('message', (event: { data: unknown }) => {
      // A socket being replaced still delivers what the server sent it before it closed.
      if (generation === this.generation || generation === this.retiring)
        this.receive(event.data, generation === this.retiring);
    });
    socket.addEventListener('close', (event: { code: number; reason: string }) => {
      if (generation === this.retiring) this.retired(generation, event.code, event.reason);
      else if (generation === this.generation) this.dropped(event.code, event.reason);
    });
    this.armKeepAlive();
    this.armRenewal();
  }

  /**
   * API Gateway closes a connection the client sent nothing on for 10 minutes
   * ("Idle Connection Timeout", its WebSocket quotas), and what the server
   * sends does not count: after keepAliveSeconds of the client's silence, a
   * keepAlive (a message: browsers cannot send ping frames). Unanswered, it
   * costs one Lambda invocation and one of the player's rate-limited messages.
   */
  private armKeepAlive(): void {
    clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
    if (this.timers.keepAliveSeconds === 0 || this.current !== 'open') return;
    this.keepAliveTimer = setTimeout(() => {
      this.keepAliveTimer = undefined;
      const socket = this.socket;
      if (this.current !== 'open' || !socket || !isOpen(socket)) return;
      socket.send('{"action":"keepAlive"}');
      this.armKeepAlive();
    }, this.timers.keepAliveSeconds * 1000);
  }

  private armRenewal(): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
    if (this.timers.renewAfterSeconds === 0) return;
    this.renewTimer = setTimeout(() => {
      this.renewTimer = undefined;
      void this.renew();
    }, this.timers.renewAfterSeconds * 1000);
  }

  private clearTimers(): void {
    clearTimeout(this.keepAliveTimer);
    clearTimeout(this.renewTimer);
    this.keepAliveTimer = undefined;
    this.renewTimer = undefined;
  }

  /**
   * API Gateway closes every connection 2 hours after it opened ("Connection
   * duration for WebSocket API"), and $disconnect would take a waiting
   * player's ticket out. So before that, the next connection opens while the
   * old one still stands: its $connect makes it the player's (status, ticket,
   * party and match are the player's, not the connection's) and closes the
   * old one with connectionReplaced, whose $disconnect then changes nothing.
   * That connectionReplaced and close are this client's own doing: ignored.
   * When the new connection cannot open (a refused token: pass a token
   * function), the old one is kept, and its close is handled as any drop.
   */
  private async renew(): Promise<void> {
    const old = this.socket;
    if (this.current !== 'open' || !old || !isOpen(old)) return;
    const retiring = this.generation;
    this.retiring = retiring;
    let socket: SocketLike;
    try {
      socket = await this.openSocket();
    } catch {
      this.retiring = undefined;
      const closed = this.retiredClose;
      this.retiredClose = undefined;
      if (closed && this.isOn(retiring)) this.dropped(closed.code, closed.reason);
      else if (this.isOn(retiring)) this.armRenewal();
      return;
    }
    this.retiredClose = undefined;
    if (this.isClosed() || !this.isOn(retiring)) {
      this.retiring = undefined;
      socket.close(1000);
      return;
    }
    this.attach(socket);
    // The server closes the replaced connection itself; this covers a close that went astray.
    if (old.readyState < 2) old.close(1000, 'renewed');
  }

  /** The replaced socket closed: expected once the next one is attached; kept for later while still opening it. */
  private retired(generation: number, code: number, reason: string): void {
    if (generation === this.generation) {
      this.retiredClose = { code, reason };
      this.clearTimers();
    } else this.retiring = undefined;
  }

  private receive(data: unknown, retiring = false): void {
    let event: ServerEvent;
    try {
      event = JSON.parse(String(data)) as ServerEvent;
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return;
    // The lifecycle events are the SDK's to tell: a server frame with one of their types (a bug, or a spoof) is dropped.
    if (isLifecycleType(event.type)) return;
    if (event.type === 'connectionReplaced') {
      // Replaced by this client's own renewal: nothing for the game to hear.
      if (retiring) return;
      this.replaced = true;
    }
    this.parts.place.observe(event);
    // An error that answers a request rejects it; every other event (answers too) goes to listeners.
    if (!this.parts.requests.settle(event)) this.parts.hub.emit(event);
  }

  private dropped(code: number, reason: string): void {
    this.clearTimers();
    this.parts.requests.rejectAll(ClientErrorCode.Disconnected, 'the connection dropped before the answer');
    if (this.current === 'closed') return;
    const willReconnect = !this.replaced && this.reconnect !== undefined;
    this.parts.hub.emit({
      type: 'disconnected',
      message: `connection lost (${code}${reason ? `: ${reason}` : ''})${willReconnect ? ': reconnecting' : ''}`,
      code,
      reason,
      willReconnect,
    });
    if (this.replaced) this.end('replaced', 'the same player connected again elsewhere');
    else if (!this.reconnect) this.end('dropped', 'the connection dropped (reconnects are off)');
    else {
      this.current = 'reconnecting';
      void this.reconnectAfterDrop(this.reconnect, this.parts.place.current);
    }
  }

  private async reconnectAfterDrop(settings: ReconnectSettings, held: LostQueue | undefined): Promise<void> {
    for (let attempt = 1; attempt <= settings.maxAttempts; attempt += 1) {
      const delayMs = backoffDelay(attempt - 1, settings, settings.random);
      this.parts.hub.emit({
        type: 'reconnecting',
        message: `reconnect attempt ${attempt} in ${delayMs} ms`,
        attempt,
        delayMs,
      });
      await this.sleep(delayMs);
      if (this.isClosed()) return;
      let socket: SocketLike;
      try {
        socket = await this.openSocket();
      } catch (error) {
        if (this.isClosed()) return;
        if (error instanceof MatchmakingClientError && error.code === ClientErrorCode.Refused) {
          this.end('refused', `the token was refused (HTTP ${String(error.details.status)})`);
          return;
        }
        continue;
      }
      if (this.isClosed()) {
        socket.close(1000);
        return;
      }
      this.attach(socket);
      const generation = this.generation;
      const lostQueue = held && (await this.lostPlace(held));
      // Dropped again (or closed) while checking: the next reconnect reports.
      if (generation !== this.generation || this.current !== 'open') return;
      this.reconnected(attempt, lostQueue);
      return;
    }
    this.end('gave-up', `no connection after ${settings.maxAttempts} attempts`);
  }

  private reconnected(attempts: number, lostQueue: LostQueue | undefined): void {
    const lost = lostQueue ? `; the ${lostQueue.queue} queue place was lost` : '';
    this.parts.hub.emit({
      type: 'reconnected',
      message: `reconnected after ${attempts} attempt(s)${lost}`,
      attempts,
      ...(lostQueue ? { lostQueue } : {}),
    });
    if (!lostQueue) return;
    this.parts.hub.emit({
      type: 'queueLost',
      message: `your place in the ${lostQueue.queue} queue was lost while disconnected: join again`,
      ...lostQueue,
    });
  }

  /**
   * The queue place held before a drop, if the server no longer has it: its
   * $disconnect takes a waiting ticket out, unless this connection came first
   * (then the old connection's close changes nothing), so the profile says.
   */
  private async lostPlace(held: LostQueue): Promise<LostQueue | undefined> {
    try {
      if ((await this.parts.status()) !== 'idle') return undefined;
      this.parts.place.forget();
      return held;
    } catch {
      return undefined;
    }
  }

  /** Waits between attempts; at once when closed (a listener of `reconnecting` may have closed the client). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.isClosed()) {
        resolve();
        return;
      }
      const timer = setTimeout(resolve, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A method, not a field read: TypeScript would keep the state narrowed across awaits. */
  private isClosed(): boolean {
    return this.current === 'closed';
  }

  /** Still on this socket (no drop or reconnect since); a method for the same reason. */
  private isOn(generation: number): boolean {
    return this.generation === generation;
  }

  private end(reason: CloseReason, message: string): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.clearTimers();
    this.wakeSleeper?.();
    this.ending.abort();
    this.parts.requests.rejectAll(ClientErrorCode.Closed, 'the client closed before the answer');
    const socket = this.socket;
    if (socket && socket.readyState < 2) socket.close(1000, 'client closed');
    this.parts.hub.emit({ type: 'closed', message, reason });
    this.parts.hub.end();
  }
}
