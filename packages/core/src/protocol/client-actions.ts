import { z } from 'zod';
import { ErrorCode, type ParseResult } from './errors.js';

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

const joinQueue = z
  .strictObject({
    action: z.literal('joinQueue'),
    queue: queueNameSchema.optional(),
    /** "That region only". */
    region: regionNameSchema.optional(),
    /** Any of these regions, chosen by the players' latencies. */
    latencies: latenciesSchema.optional(),
  })
  .refine((join) => join.region === undefined || join.latencies === undefined, {
    message: 'give either region (that region only) or latencies (any region you measured), not both',
  });
const getPingTargets = z.strictObject({ action: z.literal('getPingTargets') });
/** A match id as the matchmaker makes them. */
const matchIdSchema = z.string().min(1).max(128);
const acceptMatch = z.strictObject({
  action: z.literal('acceptMatch'),
  matchId: matchIdSchema,
  accept: z.boolean(),
});
const listQueues = z.strictObject({ action: z.literal('listQueues') });
/** A party's invite code: 8 characters of Crockford's base 32 (case and dashes ignored when typed). */
export const partyCodeSchema = z
  .string()
  .max(16)
  .transform((code) => code.toUpperCase().replace(/[-\s]/g, ''))
  .pipe(z.string().regex(/^[0-9A-HJKMNP-TV-Z]{8}$/, 'must be the 8-character invite code of a party'));

/** A member's latencies, kept for the party's tickets (a party queued with latencies uses each member's). */
const createParty = z.strictObject({
  action: z.literal('createParty'),
  latencies: latenciesSchema.optional(),
});
const joinParty = z.strictObject({
  action: z.literal('joinParty'),
  code: partyCodeSchema,
  latencies: latenciesSchema.optional(),
});
const leaveParty = z.strictObject({ action: z.literal('leaveParty') });
const kickFromParty = z.strictObject({
  action: z.literal('kickFromParty'),
  userId: z.string().min(1).max(128),
});
const getQueueStats = z.strictObject({
  action: z.literal('getQueueStats'),
  queue: queueNameSchema.optional(),
});
const leaveQueue = z.strictObject({ action: z.literal('leaveQueue') });
const tryCreateMatch = z.strictObject({ action: z.literal('tryCreateMatch') });
const getProfile = z.strictObject({ action: z.literal('getProfile') });

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
]);

/** Every message a client may send over the WebSocket API, routed on `action`. */
export type ClientAction = z.infer<typeof clientActionSchema>;
export type ClientActionName = ClientAction['action'];
export const CLIENT_ACTIONS: readonly ClientActionName[] = clientActionSchema.options.map(
  (option) => option.shape.action.value,
);

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
