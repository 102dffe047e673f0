import { z } from 'zod';
import { describeIssues } from './client-actions.js';
import { ErrorCode, type ParseResult } from './errors.js';

/**
 * Bodies the game server posts to the callback HTTP API, with
 * `Authorization: Bearer <MATCH_TOKEN>`:
 *   POST /matches/{matchId}/ready   { port, ip? }  (ip defaults to the request's source address)
 *   POST /matches/{matchId}/result  { outcome }    (the roster comes from the stored match, never from here)
 */
export const readyCallbackSchema = z.strictObject({
  port: z.number().int().min(1).max(65535),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
});
export type ReadyCallback = z.infer<typeof readyCallbackSchema>;

export const resultCallbackSchema = z.strictObject({
  outcome: z.enum(['home', 'away', 'draw']),
});
export type ResultCallback = z.infer<typeof resultCallbackSchema>;

/** Largest callback body we read, in bytes. */
export const MAX_CALLBACK_BODY_BYTES = 1024;

export function parseReadyCallback(body: unknown): ParseResult<ReadyCallback> {
  return parseJsonBody(body, readyCallbackSchema);
}

export function parseResultCallback(body: unknown): ParseResult<ResultCallback> {
  return parseJsonBody(body, resultCallbackSchema);
}

function parseJsonBody<T>(body: unknown, schema: z.ZodType<T>): ParseResult<T> {
  if (typeof body !== 'string' || body.length === 0) {
    return { ok: false, error: { code: ErrorCode.InvalidJson, message: 'the body must be a JSON object' } };
  }
  if (body.length > MAX_CALLBACK_BODY_BYTES) {
    return { ok: false, error: { code: ErrorCode.MessageTooLarge, message: 'the body is too large' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: { code: ErrorCode.InvalidJson, message: 'the body is not valid JSON' } };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, error: { code: ErrorCode.InvalidMessage, message: describeIssues(parsed.error) } };
  }
  return { ok: true, value: parsed.data };
}
