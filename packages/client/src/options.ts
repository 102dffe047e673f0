import type { BackoffSettings } from './backoff.js';
import type { ListenerErrorHandler } from './event-hub.js';
import type { Fetch } from './pings.js';
import type { TokenTransport, WebSocketConstructor } from './socket.js';

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
  /**
   * Called with the error when a listener (`on`, `once`) throws, and the
   * event it was given; the other listeners and the client carry on
   * (default: console.error).
   */
  onListenerError?: ListenerErrorHandler;
  /**
   * The unread events each `events()` iterator keeps (default 1000): past
   * it, the oldest are dropped, so an iterator nobody reads holds no more.
   */
  maxBuffered?: number;
}

export const DEFAULT_RECONNECT: ReconnectSettings = {
  baseMs: 500,
  capMs: 30_000,
  maxAttempts: 10,
  random: Math.random,
};

export const DEFAULT_TIMEOUT_MS = 10_000;
