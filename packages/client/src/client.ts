import { type BackoffSettings, backoffDelay } from './backoff.js';
import { ClientErrorCode, MatchmakingClientError } from './errors.js';
import { EventHub } from './event-hub.js';
import type { ClientEvent, ClientEventType, CloseReason, EventOf, LostQueue } from './events.js';
import { type Fetch, type PingOptions, timeTargets } from './pings.js';
import type {
  ActionFields,
  ClientAction,
  JoinQueueRequest,
  Latencies,
  ServerEvent,
  ServerEventOf,
  ServerEventType,
} from './protocol.js';
import { QueuePlace } from './queue-place.js';
import { PendingRequests } from './requests.js';
import {
  isOpen,
  openSocket,
  type SocketLike,
  type TokenTransport,
  type WebSocketConstructor,
} from './socket.js';

/** A JWT, or a function that gets one (called at every connection, so a studio can hand out fresh tokens). */
export type TokenSource = string | (() => string | Promise<string>);

/** Reconnects after a drop (ConnectOptions.reconnect). */
export interface ReconnectSettings extends BackoffSettings {
  /** Attempts before the client gives up and closes (`closed`, reason `gave-up`); default 10. */
  maxAttempts: number;
  /** The jitter's randomness, [0, 1) (default Math.random; tests pass their own). */
  random: () => number;
}

export interface ConnectOptions {
  token: TokenSource;
  /** A request without an answer after this long rejects with TIMEOUT (default 10 s). */
  requestTimeoutMs?: number;
  /** Opening the WebSocket (each attempt) gives up after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** Reconnect settings, or false: a drop then closes the client (reason `dropped`). */
  reconnect?: Partial<ReconnectSettings> | false;
  /** The WebSocket class to use (default: the global one, else the `ws` package). */
  WebSocket?: WebSocketConstructor;
  /**
   * Where the token travels: the `Authorization: Bearer` header (default
   * outside browsers) or the `token` query-string parameter (default in
   * browsers, which cannot set headers on a WebSocket).
   */
  tokenIn?: TokenTransport;
  /** The fetch measurePings times with (default: the global fetch). */
  fetch?: Fetch;
}

const DEFAULT_RECONNECT: ReconnectSettings = {
  baseMs: 500,
  capMs: 30_000,
  maxAttempts: 10,
  random: Math.random,
};

/** The client's connection: open, between attempts after a drop, or ended for good. */
export type ConnectionState = 'open' | 'reconnecting' | 'closed';

/** The answer to acceptMatch: the count so far, or the match dropped (the caller declined). */
export type AcceptAnswer = ServerEventOf<'matchAccepted'> | ServerEventOf<'matchDeclined'>;

/**
 * Connects to the matchmaking WebSocket API. Rejects with a
 * MatchmakingClientError: REFUSED (a 401/403 for the token, where the runtime
 * tells it), CONNECT_FAILED or TIMEOUT.
 */
export async function connect(url: string, options: ConnectOptions): Promise<MatchmakingClient> {
  const client = new MatchmakingClient(url, options);
  await client.open();
  return client;
}

/**
 * A connected player: requests that resolve with their typed answer (or
 * reject with MatchmakingClientError), the server's events, and reconnects.
 * Get one with `connect`.
 */
export class MatchmakingClient {
  private socket: SocketLike | undefined;
  private connection: ConnectionState = 'reconnecting';
  /** Bumped for every socket: events of an older one are ignored. */
  private generation = 0;
  private replaced = false;
  private wakeSleeper: (() => void) | undefined;
  private readonly hub = new EventHub();
  private readonly requests = new PendingRequests();
  private readonly place = new QueuePlace();
  private readonly reconnect: ReconnectSettings | undefined;

  /** @internal use `connect` */
  constructor(
    private readonly url: string,
    private readonly options: ConnectOptions,
  ) {
    this.reconnect = options.reconnect === false ? undefined : { ...DEFAULT_RECONNECT, ...options.reconnect };
  }

  /** @internal the first connection (`connect`). */
  async open(): Promise<void> {
    this.attach(await this.openSocket());
  }

  get state(): ConnectionState {
    return this.connection;
  }

  // Requests: each resolves with its answer event, or rejects with MatchmakingClientError.

  /** Queues the player, or the leader's party, in `queue` by `region` or by measured `latencies`. */
  joinQueue(request: JoinQueueRequest = {}): Promise<ServerEventOf<'joinedQueue'>> {
    return this.request('joinQueue', request, ['joinedQueue']);
  }

  leaveQueue(): Promise<ServerEventOf<'leftQueue'>> {
    return this.request('leaveQueue', {}, ['leftQueue']);
  }

  /** A party of one, this player leading; `latencies` are kept for the party's tickets. */
  createParty(options: { latencies?: Latencies } = {}): Promise<ServerEventOf<'partyUpdated'>> {
    return this.request('createParty', options, ['partyUpdated']);
  }

  /** Joins the party of this invite code (its partyId). */
  joinParty(code: string, options: { latencies?: Latencies } = {}): Promise<ServerEventOf<'partyUpdated'>> {
    return this.request('joinParty', { code, ...options }, ['partyUpdated']);
  }

  leaveParty(): Promise<ServerEventOf<'partyLeft'>> {
    return this.request('leaveParty', {}, ['partyLeft']);
  }

  /** The leader removes a member. */
  kickFromParty(userId: string): Promise<ServerEventOf<'partyUpdated'>> {
    return this.request('kickFromParty', { userId }, ['partyUpdated']);
  }

  /** The ready check's answer to a `matchProposed`: matchAccepted (the count), or matchDeclined. */
  acceptMatch(matchId: string, accept = true): Promise<AcceptAnswer> {
    return this.request('acceptMatch', { matchId, accept }, ['matchAccepted', 'matchDeclined']);
  }

  getProfile(): Promise<ServerEventOf<'profile'>> {
    return this.request('getProfile', {}, ['profile']);
  }

  listQueues(): Promise<ServerEventOf<'queues'>> {
    return this.request('listQueues', {}, ['queues']);
  }

  /** A queue's figures per region (default: the deployment's default queue). */
  getQueueStats(queue?: string): Promise<ServerEventOf<'queueStats'>> {
    return this.request('getQueueStats', { queue }, ['queueStats']);
  }

  /** The URLs to time per region (measurePings does the timing). */
  getPingTargets(): Promise<ServerEventOf<'pingTargets'>> {
    return this.request('getPingTargets', {}, ['pingTargets']);
  }

  /** Asks for a matchmaking pass of the player's queue (passes also run on every change). */
  tryCreateMatch(): Promise<ServerEventOf<'matchmakingRequested'>> {
    return this.request('tryCreateMatch', {}, ['matchmakingRequested']);
  }

  /**
   * Times each region's ping URL (getPingTargets) and answers the median ms
   * per region that answered: `joinQueue({ queue, latencies: await mm.measurePings() })`.
   * Rejects with PING_FAILED when no region answered.
   */
  async measurePings(options: PingOptions = {}): Promise<Record<string, number>> {
    const { targets } = await this.getPingTargets();
    // Called as a plain function: a browser's fetch throws when called as another object's method.
    const fetch: Fetch = this.options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    return timeTargets(targets, { ...options, fetch });
  }

  // Events.

  /** Calls `listener` with every event of `type` until the returned function is called or the client closes. */
  on<T extends ClientEventType>(type: T, listener: (event: EventOf<T>) => void): () => void {
    return this.hub.on(type, listener);
  }

  /** The next event of `type` (rejects with CLOSED if the client closes first), or, with a listener, calls it once. */
  once<T extends ClientEventType>(type: T): Promise<EventOf<T>>;
  once<T extends ClientEventType>(type: T, listener: (event: EventOf<T>) => void): () => void;
  once<T extends ClientEventType>(
    type: T,
    listener?: (event: EventOf<T>) => void,
  ): Promise<EventOf<T>> | (() => void) {
    if (listener) {
      const stop = this.hub.on(type, (event) => {
        stop();
        listener(event);
      });
      return stop;
    }
    return new Promise((resolve, reject) => {
      const stop = this.hub.on(type, (event) => {
        stop();
        stopEnd();
        resolve(event);
      });
      const stopEnd = this.hub.onEnd(() => {
        stop();
        reject(new MatchmakingClientError(ClientErrorCode.Closed, `the client closed before ${type}`));
      });
    });
  }

  /**
   * The events of these types (every event without types) from now on, as
   * an async iterator: `for await (const e of mm.events('matchFound'))`. It
   * ends when the client closes, or when the loop breaks.
   */
  events<T extends ClientEventType>(...types: T[]): AsyncIterableIterator<EventOf<T>> {
    return this.hub.iterate(types);
  }

  /** Closes the connection for good: no reconnect; requests in flight reject with CLOSED; iterators end. */
  async close(): Promise<void> {
    const socket = this.socket;
    this.end('closed', 'closed by the client');
    if (!socket || socket.readyState === 3) return;
    await new Promise<void>((resolve) => {
      socket.addEventListener('close', () => resolve());
      // A peer that never answers the close frame does not hold the caller.
      setTimeout(resolve, 1000);
    });
  }

  // The connection.

  private async request<A extends ClientAction['action'], T extends ServerEventType>(
    action: A,
    fields: ActionFields<A>,
    answers: readonly T[],
  ): Promise<ServerEventOf<T>> {
    const socket = this.socket;
    if (this.connection !== 'open' || !socket || !isOpen(socket)) {
      const closed = this.connection === 'closed';
      throw new MatchmakingClientError(
        closed ? ClientErrorCode.Closed : ClientErrorCode.Disconnected,
        `${action}: ${closed ? 'the client is closed' : 'not connected (reconnecting)'}`,
      );
    }
    const requestId = this.requests.nextId();
    const answer = this.requests.wait(requestId, action, answers, this.options.requestTimeoutMs ?? 10_000);
    socket.send(JSON.stringify({ action, ...fields, requestId }));
    return (await answer) as ServerEventOf<T>;
  }

  private async openSocket(): Promise<SocketLike> {
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    return openSocket({
      url: this.url,
      token,
      timeoutMs: this.options.connectTimeoutMs ?? 10_000,
      WebSocket: this.options.WebSocket,
      tokenIn: this.options.tokenIn,
    });
  }

  private attach(socket: SocketLike): void {
    this.generation += 1;
    const generation = this.generation;
    this.socket = socket;
    this.connection = 'open';
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
    if (event.type === 'connectionReplaced') this.replaced = true;
    this.place.observe(event);
    // An error that answers a request rejects it; every other event (answers too) goes to listeners.
    if (!this.requests.settle(event)) this.hub.emit(event);
  }

  private dropped(code: number, reason: string): void {
    this.requests.rejectAll(ClientErrorCode.Disconnected, 'the connection dropped before the answer');
    if (this.connection === 'closed') return;
    const willReconnect = !this.replaced && this.reconnect !== undefined;
    this.emit({
      type: 'disconnected',
      message: `connection lost (${code}${reason ? `: ${reason}` : ''})${willReconnect ? ': reconnecting' : ''}`,
      code,
      reason,
      willReconnect,
    });
    if (this.replaced) this.end('replaced', 'the same player connected again elsewhere');
    else if (!this.reconnect) this.end('dropped', 'the connection dropped (reconnects are off)');
    else {
      this.connection = 'reconnecting';
      void this.reconnectAfterDrop(this.reconnect, this.place.current);
    }
  }

  private async reconnectAfterDrop(settings: ReconnectSettings, held: LostQueue | undefined): Promise<void> {
    for (let attempt = 1; attempt <= settings.maxAttempts; attempt += 1) {
      const delayMs = backoffDelay(attempt - 1, settings, settings.random);
      this.emit({
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
      if (generation !== this.generation || this.connection !== 'open') return;
      this.emit({
        type: 'reconnected',
        message: `reconnected after ${attempt} attempt(s)${lostQueue ? `; the ${lostQueue.queue} queue place was lost` : ''}`,
        attempts: attempt,
        ...(lostQueue ? { lostQueue } : {}),
      });
      if (lostQueue) {
        this.emit({
          type: 'queueLost',
          message: `your place in the ${lostQueue.queue} queue was lost while disconnected: join again`,
          ...lostQueue,
        });
      }
      return;
    }
    this.end('gave-up', `no connection after ${settings.maxAttempts} attempts`);
  }

  /**
   * The queue place held before a drop, if the server no longer has it: its
   * $disconnect takes a waiting ticket out, unless this connection came first
   * (then the old connection's close changes nothing), so the profile says.
   */
  private async lostPlace(held: LostQueue): Promise<LostQueue | undefined> {
    try {
      const profile = await this.getProfile();
      if (profile.status !== 'idle') return undefined;
      this.place.forget();
      return held;
    } catch {
      return undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A method, not a field read: TypeScript would keep the state narrowed across awaits. */
  private isClosed(): boolean {
    return this.connection === 'closed';
  }

  private emit(event: ClientEvent): void {
    this.hub.emit(event);
  }

  private end(reason: CloseReason, message: string): void {
    if (this.connection === 'closed') return;
    this.connection = 'closed';
    this.wakeSleeper?.();
    this.requests.rejectAll(ClientErrorCode.Closed, 'the client closed before the answer');
    const socket = this.socket;
    if (socket && socket.readyState < 2) socket.close(1000, 'client closed');
    this.emit({ type: 'closed', message, reason });
    this.hub.end();
  }
}
