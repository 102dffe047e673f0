import type { ErrorCode } from './protocol.js';

/**
 * Failures the SDK itself reports (no server answer carries these): they
 * complete the protocol's ErrorCode in MatchmakingClientError.code.
 */
export const ClientErrorCode = {
  /** No answer within the request's timeout (ConnectOptions.requestTimeoutMs). */
  Timeout: 'TIMEOUT',
  /** The connection dropped (or was reconnecting) before the answer came. */
  Disconnected: 'DISCONNECTED',
  /** The client was closed (mm.close(), a replaced connection, a refused token, reconnects given up). */
  Closed: 'CLOSED',
  /** The WebSocket could not be opened (network, DNS, TLS, or a refusal a browser does not detail). */
  ConnectFailed: 'CONNECT_FAILED',
  /** The API refused the upgrade with an HTTP 4xx (401: no or malformed token, 403: a bad one); details.status. */
  Refused: 'REFUSED',
  /** measurePings: no region's ping URL answered. */
  PingFailed: 'PING_FAILED',
  /** An answer of a type the request does not expect (a server newer than this SDK). */
  UnexpectedAnswer: 'UNEXPECTED_ANSWER',
} as const;

export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** A failed request or connection: the server's `error` answer (its code, message and details) or a ClientErrorCode. */
export class MatchmakingClientError extends Error {
  override readonly name = 'MatchmakingClientError';
  constructor(
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    /** The `error` event's other fields (e.g. the allowed regions), or the SDK's (e.g. status, requestId). */
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
