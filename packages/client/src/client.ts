import { Connection, type ConnectionState } from './connection.js';
import { ClientErrorCode, MatchmakingClientError } from './errors.js';
import { EventHub } from './event-hub.js';
import type { ClientEventType, EventOf } from './events.js';
import { type ConnectOptions, DEFAULT_TIMEOUT_MS } from './options.js';
import { type Fetch, type PingOptions, timeTargets } from './pings.js';
import {
  type ActionFields,
  type ClientAction,
  type JoinQueueRequest,
  type Latencies,
  MAX_CLIENT_MESSAGE_BYTES,
  MESSAGE_TOO_LARGE,
  type ServerEventOf,
  type ServerEventType,
  utf8Bytes,
} from './protocol.js';
import { QueuePlace } from './queue-place.js';
import { PendingRequests } from './requests.js';

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
  private readonly hub: EventHub;
  private readonly requests = new PendingRequests();
  private readonly connection: Connection;

  /** @internal use `connect` */
  constructor(
    url: string,
    private readonly options: ConnectOptions,
  ) {
    this.hub = new EventHub({ onListenerError: options.onListenerError, maxBuffered: options.maxBuffered });
    this.connection = new Connection(url, options, {
      hub: this.hub,
      requests: this.requests,
      place: new QueuePlace(),
      status: async () => (await this.getProfile()).status,
    });
  }

  /** @internal the first connection (`connect`). */
  open(): Promise<void> {
    return this.connection.open();
  }

  get state(): ConnectionState {
    return this.connection.state;
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
   * ends when the client closes, or when the loop breaks. It keeps at most
   * ConnectOptions.maxBuffered unread events (default 1000), dropping the oldest.
   */
  events<T extends ClientEventType>(...types: T[]): AsyncIterableIterator<EventOf<T>> {
    return this.hub.iterate(types);
  }

  /** Closes the connection for good: no reconnect; requests in flight reject with CLOSED; iterators end. */
  close(): Promise<void> {
    return this.connection.close();
  }

  /** Sends an action with a fresh requestId; settles with the answer that carries it back. */
  private async request<A extends ClientAction['action'], T extends ServerEventType>(
    action: A,
    fields: ActionFields<A>,
    answers: readonly T[],
  ): Promise<ServerEventOf<T>> {
    const requestId = this.requests.nextId();
    const frame = JSON.stringify({ action, ...fields, requestId });
    // The server could not tell which request an oversize frame was: its error would be untagged, the request would time out.
    const bytes = utf8Bytes(frame);
    if (bytes > MAX_CLIENT_MESSAGE_BYTES) {
      throw new MatchmakingClientError(
        MESSAGE_TOO_LARGE,
        `${action}: the request is ${bytes} bytes, more than the ${MAX_CLIENT_MESSAGE_BYTES} the server reads`,
        { requestId, bytes, limit: MAX_CLIENT_MESSAGE_BYTES },
      );
    }
    this.connection.send(action, frame);
    const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    return (await this.requests.wait(requestId, action, answers, timeoutMs)) as ServerEventOf<T>;
  }
}
