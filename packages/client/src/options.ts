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
  /**
   * Seconds of silence from the client after which it sends `keepAlive`
   * (default 540: API Gateway closes a connection the client sent nothing on
   * for 10 minutes, and browsers cannot send ping frames); 0 turns it off.
   * Every request the client sends counts; the server's events do not.
   */
  keepAliveSeconds?: number;
  /**
   * Seconds after a connection opened that the client replaces it with a
   * fresh one, before API Gateway's 2-hour limit closes it (default 6900,
   * 1 h 55 min; 0 turns it off). The new connection opens first, then the
   * server closes the old one, so the player keeps its queue place, party
   * and match (see the README). It takes a token: a function, not a string
   * that expires.
   */
  renewAfterSeconds?: number;
}

/** API Gateway's limits (its WebSocket quotas): 10 minutes idle, 2 hours per connection. */
export const IDLE_TIMEOUT_SECONDS = 600;
export const MAX_CONNECTION_SECONDS = 7200;
export const DEFAULT_KEEP_ALIVE_SECONDS = 540;
export const DEFAULT_RENEW_AFTER_SECONDS = 6900;

/**
 * keepAliveSeconds and renewAfterSeconds, checked (a RangeError names the bad
 * one): 0 (off) or more than 0 and less than the limit each one beats.
 */
export function connectionTimers(options: Pick<ConnectOptions, 'keepAliveSeconds' | 'renewAfterSeconds'>): {
  keepAliveSeconds: number;
  renewAfterSeconds: number;
} {
  const timers = {
    keepAliveSeconds: options.keepAliveSeconds ?? DEFAULT_KEEP_ALIVE_SECONDS,
    renewAfterSeconds: options.renewAfterSeconds ?? DEFAULT_RENEW_AFTER_SECONDS,
  };
  const limits = { keepAliveSeconds: IDLE_TIMEOUT_SECONDS, renewAfterSeconds: MAX_CONNECTION_SECONDS };
  for (const [name, value] of Object.entries(timers) as [keyof typeof timers, number][]) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= limits[name])
      throw new RangeError(
        `${name} must be 0 (off) or more than 0 and less than ${limits[name]} (API Gateway's limit), got ${String(value)}`,
      );
  }
  return timers;
}

export const DEFAULT_RECONNECT: ReconnectSettings = {
  baseMs: 500,
  capMs: 30_000,
  maxAttempts: 10,
  random: Math.random,
};

export const DEFAULT_TIMEOUT_MS = 10_000;
