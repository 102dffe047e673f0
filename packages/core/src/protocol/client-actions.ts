import { z } from 'zod';
import { ErrorCode, type ParseResult } from './errors.js';
import type { ServerEvent } from './server-events.js';

/** Largest client frame we accept, in bytes. API Gateway allows 128 KiB; nothing we take needs more than this. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

/** A region name as AWS spells them (us-east-1, ap-southeast-2, ...). */
export const regionNameSchema = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region name such as us-east-1');

/** A queue (game mode) name as `matchmaking:queues` spells them (duel, squad-5v5, ...). */
export const queueNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,31}$/,
    'must be 1-32 lowercase letters, digits or dashes, starting with a letter',
  );

/** The most regions a client may report latencies for (AWS has about 35). */
export const MAX_REPORTED_REGIONS = 40;

/**
 * The round trips (ms) a client measured to each region (see getPingTargets):
 * at most MAX_REPORTED_REGIONS regions, each a number from 0 to 10,000.
 */
export const latenciesSchema = z
  .record(regionNameSchema, z.number().min(0).max(10_000))
  .refine((latencies) => Object.keys(latencies).length > 0, { message: 'must report at least one region' })
  .refine((latencies) => Object.keys(latencies).length <= MAX_REPORTED_REGIONS, {
    message: `at most ${MAX_REPORTED_REGIONS} regions`,
  });

/**
 * A client's own id for one request (1-64 characters of letters, digits and
 * `._:-`): the answer to the caller carries it back, an `error` too, so a
 * client with several requests in flight knows which one an answer settles.
 * Events pushed to the player (and other members' copies) carry none.
 */
export const requestIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 letters, digits or ._:- characters');

/** Every action may carry a requestId. */
const tag = { requestId: requestIdSchema.optional() };

const joinQueue = z
  .strictObject({
    action: z.literal('joinQueue'),
    ...tag,
    queue: queueNameSchema.optional(),
    /** "That region only". */
    region: regionNameSchema.optional(),
    /** Any of these regions, chosen by the players' latencies. */
    latencies: latenciesSchema.optional(),
  })
  .refine((join) => join.region === undefined || join.latencies === undefined, {
    message: 'give either region (that region only) or latencies (any region you measured), not both',
  });
const getPingTargets = z.strictObject({ action: z.literal('getPingTargets'), ...tag });
/** A match id as the matchmaker makes them. */
const matchIdSchema = z.string().min(1).max(128);
const acceptMatch = z.strictObject({
  action: z.literal('acceptMatch'),
  ...tag,
  matchId: matchIdSchema,
  accept: z.boolean(),
});
const listQueues = z.strictObject({ action: z.literal('listQueues'), ...tag });
/** A party's invite code: 8 characters of Crockford's base 32 (case and dashes ignored when typed). */
export const partyCodeSchema = z
  .string()
  .max(16)
  .transform((code) => code.toUpperCase().replace(/[-\s]/g, ''))
  .pipe(z.string().regex(/^[0-9A-HJKMNP-TV-Z]{8}$/, 'must be the 8-character invite code of a party'));

/** A member's latencies, kept for the party's tickets (a party queued with latencies uses each member's). */
const createParty = z.strictObject({
  action: z.literal('createParty'),
  ...tag,
  latencies: latenciesSchema.optional(),
});
const joinParty = z.strictObject({
  action: z.literal('joinParty'),
  ...tag,
  code: partyCodeSchema,
  latencies: latenciesSchema.optional(),
});
const leaveParty = z.strictObject({ action: z.literal('leaveParty'), ...tag });
const kickFromParty = z.strictObject({
  action: z.literal('kickFromParty'),
  ...tag,
  userId: z.string().min(1).max(128),
});
const getQueueStats = z.strictObject({
  action: z.literal('getQueueStats'),
  ...tag,
  queue: queueNameSchema.optional(),
});
const leaveQueue = z.strictObject({ action: z.literal('leaveQueue'), ...tag });
const tryCreateMatch = z.strictObject({ action: z.literal('tryCreateMatch'), ...tag });
const getProfile = z.strictObject({ action: z.literal('getProfile'), ...tag });
/**
 * Keeps the connection open: API Gateway closes a WebSocket the client sent
 * nothing on for 10 minutes, and browsers cannot send ping frames. Answered
 * (keptAlive) only when it carries a requestId: an answer costs an
 * @connections call, and the SDK's keepalives need none.
 */
const keepAlive = z.strictObject({ action: z.literal('keepAlive'), ...tag });

export const clientActionSchema = z.discriminatedUnion('action', [
  joinQueue,
  leaveQueue,
  tryCreateMatch,
  getProfile,
  listQueues,
  getQueueStats,
  createParty,
  joinParty,
  leaveParty,
  kickFromParty,
  getPingTargets,
  acceptMatch,
  keepAlive,
]);

/** Every message a client may send over the WebSocket API, routed on `action`. */
export type ClientAction = z.infer<typeof clientActionSchema>;
export type ClientActionName = ClientAction['action'];
export const CLIENT_ACTIONS: readonly ClientActionName[] = clientActionSchema.options.map(
  (option) => option.shape.action.value,
);

/** An answer to the caller's request: the event, with the request's id when it carried one. */
export type Answer = ServerEvent & { requestId?: string };

/** `event` tagged with the request's id (unchanged without one). */
export function answerTo(event: ServerEvent, requestId: string | undefined): Answer {
  return requestId === undefined ? event : { ...event, requestId };
}

/**
 * The valid requestId of a raw frame, also of one that fails validation (an
 * unknown action, a bad field), so the client can reject the right request;
 * undefined when the frame is not a JSON object within the size limit or
 * carries no valid id.
 */
export function requestIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || utf8Length(raw) > MAX_CLIENT_MESSAGE_BYTES)
    return undefined;
  try {
    const id = (JSON.parse(raw) as { requestId?: unknown } | null)?.requestId;
    return requestIdSchema.safeParse(id).success ? (id as string) : undefined;
  } catch {
    return undefined;
  }
}

/** Parses one client frame. Never throws: bad input becomes a typed error. */
export function parseClientAction(raw: unknown): ParseResult<ClientAction> {
  if (typeof raw !== 'string' || raw.length === 0) {
    return fail(ErrorCode.InvalidJson, 'the message must be a JSON object such as {"action":"getProfile"}');
  }
  if (utf8Length(raw) > MAX_CLIENT_MESSAGE_BYTES) {
    return fail(ErrorCode.MessageTooLarge, `the message is larger than ${MAX_CLIENT_MESSAGE_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail(ErrorCode.InvalidJson, 'the message is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(ErrorCode.InvalidJson, 'the message must be a JSON object');
  }
  const action = (json as { action?: unknown }).action;
  if (typeof action !== 'string' || !CLIENT_ACTIONS.includes(action as ClientActionName)) {
    return fail(ErrorCode.UnknownAction, `unknown action; expected one of ${CLIENT_ACTIONS.join(', ')}`);
  }
  const parsed = clientActionSchema.safeParse(json);
  if (!parsed.success) return fail(ErrorCode.InvalidMessage, describeIssues(parsed.error));
  return { ok: true, value: parsed.data };
}

/** One line naming each bad field, for error events and HTTP 400 bodies. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function fail(code: ErrorCode, message: string): ParseResult<never> {
  return { ok: false, error: { code, message } };
}

const encoder = new TextEncoder();
function utf8Length(text: string): number {
  // A UTF-16 unit is at least one UTF-8 byte: long strings are rejected without encoding them.
  return text.length > MAX_CLIENT_MESSAGE_BYTES ? text.length : encoder.encode(text).length;
}
