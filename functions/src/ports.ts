import type { ServerEvent } from '@matchmaking/core';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { queueNameSchema } from './queues/queue-config.js';

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

/** A waiting ticket as a queue change carries it (the matchmaker's in-memory pool takes it as is). */
export const waitingTicketSchema = z.object({
  queue: queueNameSchema,
  region: z.string().min(1).max(64),
  ticketId: z.string().min(1).max(128),
  players: z
    .array(
      z.object({
        userId: z.string().min(1).max(128),
        connectionId: z.string().max(128),
        rating: z.number(),
        rd: z.number(),
        vol: z.number().optional(),
        latencies: z.record(z.string().max(64), z.number()).optional(),
      }),
    )
    .min(1)
    .max(100),
  enqueuedAt: z.number().int().nonnegative(),
  state: z.literal('waiting'),
  attempts: z.number().int().nonnegative().optional(),
  failedMatches: z.number().int().nonnegative().optional(),
  retryAt: z.number().int().nonnegative().optional(),
  partyId: z.string().min(1).max(64).optional(),
  requeuedAt: z.number().int().nonnegative().optional(),
});

export type WaitingTicket = z.infer<typeof waitingTicketSchema>;

/** Body of a message on the matchmaking FIFO queue: run a pass of this queue over these regions. */
export const passRequestSchema = z.strictObject({
  reason: passReasonSchema,
  /** The queue (game mode): each has its own message group, so its passes never wait behind another's. */
  queue: queueNameSchema,
  regions: z.array(z.string().min(1)).min(1),
  /** Epoch ms when it was requested (for the flow benchmark and logs). */
  requestedAt: z.number().int().nonnegative(),
  /** reconnected: players in a match who connected again and should get its state. */
  userIds: z.array(z.string().min(1).max(128)).max(100).optional(),
  /** Tickets that became waiting (joined, or requeued after a failed match): the pool applies them without a read. */
  waiting: z.array(waitingTicketSchema).max(100).optional(),
  /** left: tickets taken out of the queue (left, disconnected, the party changed): the pool drops them. */
  left: z
    .array(z.strictObject({ region: z.string().min(1).max(64), ticketId: z.string().min(1).max(128) }))
    .max(100)
    .optional(),
});
export type PassRequest = z.infer<typeof passRequestSchema>;

/** Puts pass requests on the FIFO queue; `deduplicationId` makes a retried send harmless. */
export interface MatchmakingQueue {
  requestPass(request: PassRequest, deduplicationId: string): Promise<void>;
}

/** A queue consumer's failed records, handed back to their queue for another try soon. */
export interface RecordRetry {
  retrySoon(records: readonly SQSRecord[]): Promise<void>;
}

/** Hands recorded matches to the match starter (parallel, outside the serial section). */
export interface MatchStartQueue {
  /**
   * Asks the match starter to start these matches. A match's start is asked
   * for once per stage: 'formed' by the pass, 'accepted' when the ready check
   * passed (the queue deduplicates by match id and stage).
   */
  requestStarts(matchIds: readonly string[], stage?: 'formed' | 'accepted'): Promise<void>;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface IdGenerator {
  /** A new unique id (UUID v4 on AWS and locally). */
  next(): string;
}
