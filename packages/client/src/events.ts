import type { ServerEvent } from './protocol.js';

/** A queue place the client held when its connection dropped, and that the server no longer has. */
export interface LostQueue {
  queue: string;
  region: string;
  ticketId: string;
}

/** Why a client ended for good (no more reconnects). */
export type CloseReason =
  /** mm.close(). */
  | 'closed'
  /** The same player connected again elsewhere (`connectionReplaced`): the newest connection wins. */
  | 'replaced'
  /** A reconnect's token was refused (HTTP 401/403 on the upgrade). */
  | 'refused'
  /** The server was unreachable for every allowed reconnect attempt. */
  | 'gave-up'
  /** The connection dropped and reconnects are off (ConnectOptions.reconnect: false). */
  | 'dropped';

/**
 * The SDK's own events about its connection. Like server events they carry
 * `type` and a human `message`, so one log shows both.
 */
export type LifecycleEvent =
  | {
      type: 'disconnected';
      message: string;
      /** The WebSocket close code (1006: dropped without a close frame) and reason. */
      code: number;
      reason: string;
      /** False when the client ends instead of reconnecting (a `closed` event follows). */
      willReconnect: boolean;
    }
  | { type: 'reconnecting'; message: string; attempt: number; delayMs: number }
  | {
      type: 'reconnected';
      message: string;
      /** Connection attempts it took. */
      attempts: number;
      /** Set when the player was queued before the drop and the server took the ticket out meanwhile. */
      lostQueue?: LostQueue;
    }
  /** The queue place lost to a drop (also in `reconnected`): join again to keep looking. */
  | ({ type: 'queueLost'; message: string } & LostQueue)
  | { type: 'closed'; message: string; reason: CloseReason };

/** The lifecycle events' types: the SDK's alone (a server frame of one of these types is dropped). */
export const LIFECYCLE_TYPES = [
  'disconnected',
  'reconnecting',
  'reconnected',
  'queueLost',
  'closed',
] as const satisfies readonly LifecycleEvent['type'][];

// Every lifecycle type is in the list (a new one must be added to it).
const _allListed: Exclude<LifecycleEvent['type'], (typeof LIFECYCLE_TYPES)[number]> extends never
  ? true
  : never = true;

export const isLifecycleType = (type: string): boolean =>
  (LIFECYCLE_TYPES as readonly string[]).includes(type);

/** Everything `on`, `once` and `events` deliver: the server's events and the SDK's lifecycle events. */
export type ClientEvent = ServerEvent | LifecycleEvent;
export type ClientEventType = ClientEvent['type'];
/** The event of one type, e.g. `EventOf<'matchFound'>` or `EventOf<'reconnected'>`. */
export type EventOf<T extends ClientEventType> = Extract<ClientEvent, { type: T }>;
