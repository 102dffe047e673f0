import { ClientErrorCode, MatchmakingClientError } from './errors.js';

/** The middle value (the mean of the two middle ones for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface PingOptions {
  /** Timed GETs per region (default 3); the first pays DNS, TCP and TLS, so the median is kept. */
  tries?: number;
  /** A try slower than this counts as failed (default 2000 ms). */
  timeoutMs?: number;
}

/** What a ping's GET asks of fetch. */
export interface PingInit {
  mode: 'no-cors';
  cache: 'no-store';
  signal: AbortSignal;
}

/** fetch, or a stand-in: only the answer's status is read. */
export type Fetch = (url: string, init: PingInit) => Promise<unknown>;

/**
 * Times `tries` GETs of each target's URL, regions in parallel and each
 * region's tries one after the other, and answers each region's median in
 * ms. Regions whose every try failed are left out; none answering rejects
 * with PING_FAILED. `no-cors` and `no-store`: a browser may then time any
 * ping URL, and never from its cache.
 */
export async function timeTargets(
  targets: readonly { region: string; url: string }[],
  options: PingOptions & { fetch: Fetch; now?: () => number },
): Promise<Record<string, number>> {
  const tries = Math.max(1, options.tries ?? 3);
  const timeoutMs = options.timeoutMs ?? 2000;
  const now = options.now ?? (() => performance.now());
  const timeOne = async (url: string): Promise<number | undefined> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const start = now();
    try {
      const response = (await options.fetch(url, {
        mode: 'no-cors',
        cache: 'no-store',
        signal: controller.signal,
      })) as { status?: number };
      // An opaque (no-cors) answer has status 0; a visible error status (503: the endpoint is busy) is no time.
      return (response.status ?? 0) >= 400 ? undefined : now() - start;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
  const measured = await Promise.all(
    targets.map(async ({ region, url }) => {
      const times: number[] = [];
      for (let i = 0; i < tries; i += 1) {
        const ms = await timeOne(url);
        if (ms !== undefined) times.push(ms);
      }
      return [region, median(times)] as const;
    }),
  );
  const answered = measured.filter((entry): entry is readonly [string, number] => entry[1] !== undefined);
  if (answered.length === 0) {
    const regions = targets.map((t) => t.region).join(', ') || 'none';
    throw new MatchmakingClientError(
      ClientErrorCode.PingFailed,
      `no ping target answered (regions: ${regions})`,
    );
  }
  return Object.fromEntries(answered.map(([region, ms]) => [region, Math.round(ms * 10) / 10]));
}
