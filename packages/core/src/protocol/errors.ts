/**
 * Error codes a client can see, in one place. Every `error` event and every
 * rejected callback carries one of these.
 */
export const ErrorCode = {
  InvalidJson: 'INVALID_JSON',
  MessageTooLarge: 'MESSAGE_TOO_LARGE',
  UnknownAction: 'UNKNOWN_ACTION',
  InvalidMessage: 'INVALID_MESSAGE',
  NoRegion: 'NO_REGION',
  UnknownRegion: 'UNKNOWN_REGION',
  UnknownQueue: 'UNKNOWN_QUEUE',
  AlreadyQueued: 'ALREADY_QUEUED',
  AlreadyInMatch: 'ALREADY_IN_MATCH',
  NotQueued: 'NOT_QUEUED',
  AlreadyInParty: 'ALREADY_IN_PARTY',
  NotInParty: 'NOT_IN_PARTY',
  NotPartyLeader: 'NOT_PARTY_LEADER',
  PartyFull: 'PARTY_FULL',
  /** The party cannot queue: too large for the queue's teams, or a member is not connected and idle. */
  PartyCannotQueue: 'PARTY_CANNOT_QUEUE',
  MatchCreationFailed: 'MATCH_CREATION_FAILED',
  Unauthorized: 'UNAUTHORIZED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  /** A warm-pool server the platform retired (stopped, draining): it must exit. */
  Gone: 'GONE',
  RateLimited: 'RATE_LIMITED',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A protocol error as a value: what went wrong, in a form the client can act on. */
export interface ProtocolError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Result of parsing untrusted input: never throws, always one of these. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

/** Typed exception for use-cases; handlers map it to an `error` event or an HTTP status. */
export class MatchmakingError extends Error {
  override readonly name = 'MatchmakingError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
