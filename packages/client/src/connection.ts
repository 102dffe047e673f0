import { backoffDelay } from './backoff.js';
import { ClientErrorCode, MatchmakingClientError } from './errors.js';
import type { EventHub } from './event-hub.js';
import { type CloseReason, isLifecycleType, type LostQueue } from './events.js';
import {
  type ConnectOptions,
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

  constructor(
    private readonly url: string,
    private readonly options: ConnectOptions,
    private readonly parts: ConnectionParts,
  ) {
    this.reconnect = options.reconnect === false ? undefined : { ...DEFAULT_RECONNECT, ...options.reconnect };
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
      if (generation === this.generation) this.receive(event.data);
    });
    socket.addEventListener('close', (event: { code: number; reason: string }) => {
      if (generation === this.generation) this.dropped(event.code, event.reason);
    });
  }

  private receive(data: unknown): void {
    let event: ServerEvent;
    try {
      event = JSON.parse(String(data)) as ServerEvent;
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return;
    // The lifecycle events are the SDK's to tell: a server frame with one of their types (a bug, or a spoof) is dropped.
    if (isLifecycleType(event.type)) return;
    if (event.type === 'connectionReplaced') this.replaced = true;
    this.parts.place.observe(event);
    // An error that answers a request rejects it; every other event (answers too) goes to listeners.
    if (!this.parts.requests.settle(event)) this.parts.hub.emit(event);
  }

  private dropped(code: number, reason: string): void {
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

  private end(reason: CloseReason, message: string): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.wakeSleeper?.();
    this.ending.abort();
    this.parts.requests.rejectAll(ClientErrorCode.Closed, 'the client closed before the answer');
    const socket = this.socket;
    if (socket && socket.readyState < 2) socket.close(1000, 'client closed');
    this.parts.hub.emit({ type: 'closed', message, reason });
    this.parts.hub.end();
  }
}
