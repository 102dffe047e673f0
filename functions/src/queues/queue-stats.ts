import type { QueueStats } from '@matchmaking/core';
import type { QueueStatsRepository } from '../data/queue-stats-repository.js';
import type { PoolRef, Queue } from './queue-config.js';
import { quantileSeconds } from './wait-histogram.js';

/** The estimate in joinedQueue covers the matches of the last few minutes. */
export const ESTIMATE_MINUTES = 5;
/** getQueueStats's window. */
export const STATS_MINUTES = 10;

/** How long a function instance reuses a pool's estimate: joins of one pool then read its figures about once per 5 s per instance, not once each. */
export const ESTIMATE_CACHE_MS = 5_000;

/** Recent estimates per pool, kept by a function instance (built once per cold start). */
export type EstimateCache = Map<string, { at: number; seconds: number }>;

/** The median time to match of the pool's recent matches, in whole seconds; undefined without any. */
export async function estimateWait(
  stats: Pick<QueueStatsRepository, 'read'>,
  pool: PoolRef,
  now: number,
  cache?: EstimateCache,
): Promise<number | undefined> {
  const key = `${pool.queue}:${pool.region}`;
  const cached = cache?.get(key);
  if (cached && now - cached.at < ESTIMATE_CACHE_MS) return cached.seconds;
  const recent = await stats.read(pool, now, ESTIMATE_MINUTES);
  const median = quantileSeconds(recent.waits, 0.5);
  const seconds = median === undefined ? undefined : Math.max(1, Math.round(median));
  // Only a figure is kept: a pool's first matches show in the next join's estimate.
  if (seconds !== undefined) cache?.set(key, { at: now, seconds });
  return seconds;
}

/** getQueueStats: players waiting, matches and p50/p95 time to match over STATS_MINUTES, per region. */
export async function queueStats(
  stats: Pick<QueueStatsRepository, 'read'>,
  queue: Queue,
  regions: readonly string[],
  now: number,
): Promise<QueueStats> {
  const perRegion = await Promise.all(
    regions.map((region) => stats.read({ queue: queue.name, region }, now, STATS_MINUTES)),
  );
  const round = (value: number | undefined) => (value === undefined ? null : Math.round(value * 10) / 10);
  return {
    queue: queue.name,
    minutes: STATS_MINUTES,
    regions: Object.fromEntries(
      regions.map((region, i) => {
        const figures = perRegion[i] as (typeof perRegion)[number];
        return [
          region,
          {
            playersWaiting: figures.playersWaiting,
            matches: figures.matches,
            timeToMatchP50: round(quantileSeconds(figures.waits, 0.5)),
            timeToMatchP95: round(quantileSeconds(figures.waits, 0.95)),
          },
        ];
      }),
    ),
  };
}
