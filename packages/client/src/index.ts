/**
 * @matchmaking/client: the typed client SDK of the matchmaking WebSocket API,
 * for browsers and Node. `const mm = await connect(url, { token })`.
 */
export type { BackoffSettings } from './backoff.js';
export { backoffDelay } from './backoff.js';
export type { AcceptAnswer } from './client.js';
export { connect, MatchmakingClient } from './client.js';
export type { ConnectionState } from './connection.js';
export { ClientErrorCode, MatchmakingClientError } from './errors.js';
export type { ListenerErrorHandler } from './event-hub.js';
export type {
  ClientEvent,
  ClientEventType,
  CloseReason,
  EventOf,
  LifecycleEvent,
  LostQueue,
} from './events.js';
export type { ConnectOptions, ReconnectSettings, TokenSource } from './options.js';
export type { Fetch, PingOptions } from './pings.js';
export { median } from './pings.js';
export type {
  ActionFields,
  ClientAction,
  ClientActionName,
  ErrorCode,
  JoinQueueRequest,
  Latencies,
  Outcome,
  PartyChange,
  PlayerStatus,
  PublicRating,
  QueueStats,
  QueueSummary,
  ServerEvent,
  ServerEventOf,
  ServerEventType,
  Team,
} from './protocol.js';
export { MAX_CLIENT_MESSAGE_BYTES } from './protocol.js';
export type { SocketLike, TokenTransport, WebSocketConstructor } from './socket.js';
