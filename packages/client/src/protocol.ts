/*
 * The protocol's types, from @matchmaking/core (the schemas the server
 * validates with). Type imports only: the SDK's JavaScript imports nothing
 * from core, and the published d.ts carries them inlined (scripts/build.ts).
 */
import type { ClientAction, ErrorCode, ServerEvent, ServerEventType } from '@matchmaking/core';

export type {
  ClientAction,
  ClientActionName,
  ErrorCode,
  Outcome,
  PartyChange,
  PlayerStatus,
  PublicRating,
  QueueStats,
  QueueSummary,
  ServerEvent,
  ServerEventType,
  Team,
} from '@matchmaking/core';

/** The server event of one type, e.g. `ServerEventOf<'matchFound'>`. */
export type ServerEventOf<T extends ServerEventType> = Extract<ServerEvent, { type: T }>;

/** An action's fields besides `action` and `requestId` (the SDK adds both). */
export type ActionFields<A extends ClientAction['action']> = Omit<
  Extract<ClientAction, { action: A }>,
  'action' | 'requestId'
>;

/** One round trip (ms) per region, as joinQueue / createParty / joinParty take them. */
export type Latencies = NonNullable<ActionFields<'joinQueue'>['latencies']>;

/**
 * joinQueue's fields: a queue (default: the deployment's) and either a region
 * (that region only; default: the last one used) or the latencies measured
 * to each region (see measurePings), never both.
 */
export type JoinQueueRequest = Omit<ActionFields<'joinQueue'>, 'region' | 'latencies'> &
  (
    | { region?: ActionFields<'joinQueue'>['region']; latencies?: never }
    | { latencies: Latencies; region?: never }
  );

/**
 * The largest request frame the server reads, in UTF-8 bytes: core's
 * MAX_CLIENT_MESSAGE_BYTES, written out here because the SDK's JavaScript
 * imports nothing from core (a test checks the two agree). The server cannot
 * read the requestId of a larger frame, so the SDK refuses it before sending.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

/** The protocol's code for a frame over that limit (core's ErrorCode.MessageTooLarge). */
export const MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE' satisfies ErrorCode;

const encoder = new TextEncoder();

/** A frame's size on the wire: its UTF-8 bytes. */
export const utf8Bytes = (text: string): number => encoder.encode(text).length;
