/** How a callback ended: accepted, or already done before (409: a retry of ours that had landed). */
export type CallbackOutcome = 'accepted' | 'already-done';

/** The API answered a final refusal (a 4xx other than a 409 where 409 means "done"): no point retrying. */
export class CallbackRejected extends Error {
  override readonly name = 'CallbackRejected';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, firstDelayMs: 200, maxDelayMs: 5000 };

export interface PostOptions {
  retry: RetryPolicy;
  /** A 409 ends the call as done (a retry of ours that had landed) instead of being a final refusal. */
  conflictIsDone?: boolean;
  /** Each attempt's time limit. */
  timeoutMs?: number;
}

/**
 * POSTs JSON with a bearer token. Network errors and 5xx are retried with
 * capped exponential backoff (the API makes repeats harmless); a 2xx, or a 409
 * when `conflictIsDone`, ends the call; any other 4xx is final (`CallbackRejected`,
 * whose `status` callers may read: for the pool's calls a 404 or 410 is an answer).
 */
export async function postJson(
  url: string,
  token: string,
  body: unknown,
  { retry, conflictIsDone = false, timeoutMs = 10_000 }: PostOptions,
): Promise<{ status: number; text: string }> {
  let delay = retry.firstDelayMs;
  let lastProblem = '';
  for (let attempt = 1; attempt <= retry.attempts; attempt += 1) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (response.ok || (conflictIsDone && response.status === 409))
        return { status: response.status, text };
      if (response.status < 500) {
        throw new CallbackRejected(
          `${url} answered ${response.status}: ${text.slice(0, 500)}`,
          response.status,
        );
      }
      lastProblem = `${response.status} ${text.slice(0, 500)}`;
    } catch (error) {
      if (error instanceof CallbackRejected) throw error;
      lastProblem = (error as Error).message;
    }
    if (attempt < retry.attempts) await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(retry.maxDelayMs, delay * 2);
  }
  throw new Error(`${url} failed after ${retry.attempts} attempts: ${lastProblem}`);
}

/**
 * POSTs a callback (`/ready`, `/result`) with the match's session token.
 * 409 means an earlier attempt landed (or the match was already decided).
 */
export async function postCallback(
  url: string,
  token: string,
  body: unknown,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<CallbackOutcome> {
  const { status } = await postJson(url, token, body, { retry, conflictIsDone: true });
  return status === 409 ? 'already-done' : 'accepted';
}

/**
 * Exchanges the one-time bootstrap token at `POST /matches/{matchId}/session`
 * and returns the answer's body (unchecked: see `parseSession`). 409 (already
 * exchanged) and any other 4xx are final: they throw `CallbackRejected`.
 */
export async function requestSession(
  url: string,
  bootstrapToken: string,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<string> {
  const { text } = await postJson(url, bootstrapToken, {}, { retry });
  return text;
}
