/** How a callback ended: accepted, or already done before (409: a retry of ours that had landed). */
export type CallbackOutcome = 'accepted' | 'already-done';

export class CallbackRejected extends Error {
  override readonly name = 'CallbackRejected';
}

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, firstDelayMs: 200, maxDelayMs: 5000 };

/**
 * POSTs a callback with the match's bearer token. Network errors and 5xx are
 * retried with capped exponential backoff (the API makes repeats harmless);
 * 409 means an earlier attempt landed; any other 4xx is final.
 */
export async function postCallback(
  url: string,
  token: string,
  body: unknown,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<CallbackOutcome> {
  let delay = retry.firstDelayMs;
  let lastProblem = '';
  for (let attempt = 1; attempt <= retry.attempts; attempt += 1) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return 'accepted';
      if (response.status === 409) return 'already-done';
      const text = await response.text();
      if (response.status < 500) throw new CallbackRejected(`${url} answered ${response.status}: ${text}`);
      lastProblem = `${response.status} ${text}`;
    } catch (error) {
      if (error instanceof CallbackRejected) throw error;
      lastProblem = (error as Error).message;
    }
    if (attempt < retry.attempts) await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(retry.maxDelayMs, delay * 2);
  }
  throw new Error(`${url} failed after ${retry.attempts} attempts: ${lastProblem}`);
}
