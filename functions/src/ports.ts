import type { ServerEvent } from '@matchmaking/core';
import { z } from 'zod';

/**
 * What the use cases need from the outside world, as interfaces, so that they
 * are tested with real adapters (dynalite, the local emulators) or plain
 * in-memory ones, and built once per cold start by each handler.
 */

/** Whether a message reached its connection; 'gone' is the management API's 410. */
export type SendOutcome = 'sent' | 'gone';

/** Sends events to players' WebSocket connections (PostToConnection). */
export interface Notifier {
  send(connectionId: string, event: ServerEvent): Promise<SendOutcome>;
  /** Closes a connection from the server side (DeleteConnection; one already gone counts as closed). */
  close(connectionId: string): Promise<void>;
}

/** Why a matchmaking pass was requested. */
export const passReasonSchema = z.enum([
  'joined',
  'left',
  'disconnected',
  'tryCreateMatch',
  'tick',
  'requeued',
  'reconnected',
  /** The previous pass stopped at its budget with matches still to make. */
  'continuation',
]);
export type PassReason = z.infer<typeof passReasonSchema>;

/** Body of a message on the matchmaking FIFO queue: run a pass over these regions. */
export const passRequestSchema = z.strictObject({
  reason: passReasonSchema,
  regions: z.array(z.string().min(1)).min(1),
  /** Epoch ms when it was requested (for the flow benchmark and logs). */
  requestedAt: z.number().int().nonnegative(),
  /** reconnected: players in a match who connected again and should get its state. */
  userIds: z.array(z.string().min(1).max(128)).max(100).optional(),
});
export type PassRequest = z.infer<typeof passRequestSchema>;

/** Puts pass requests on the FIFO queue; `deduplicationId` makes a retried send harmless. */
export interface MatchmakingQueue {
  requestPass(request: PassRequest, deduplicationId: string): Promise<void>;
}

/** Hands recorded matches to the match starter (parallel, outside the serial section). */
export interface MatchStartQueue {
  requestStarts(matchIds: readonly string[]): Promise<void>;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface IdGenerator {
  /** A new unique id (UUID v4 on AWS and locally). */
  next(): string;
}
