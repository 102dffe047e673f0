/** How long to wait between reconnect attempts (ConnectOptions.reconnect). */
export interface BackoffSettings {
  /** The first attempt's ceiling, ms (default 500). */
  baseMs: number;
  /** No wait longer than this, ms (default 30 s). */
  capMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform random wait between 0 and
 * min(cap, base * 2^attempt) (attempt 0 is the first retry). The jitter
 * spreads the clients a server restart dropped all at once, so they do not
 * come back in lockstep (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"). `random` is Math.random's contract: [0, 1).
 */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = Math.min(settings.capMs, settings.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
