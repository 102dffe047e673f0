/**
 * Times to match as a histogram of fixed buckets, so that every matchmaking
 * pass adds its samples with one atomic ADD per bucket (no read, no list
 * that grows) and a reader merges minutes by adding counts. Percentiles are
 * read by interpolating inside the bucket that holds them: at most one
 * bucket's width off, and the buckets are narrow where waits usually are.
 */

/** Upper edges of the buckets, in seconds; a last bucket holds everything longer. */
export const WAIT_BUCKET_EDGES_SECONDS = [
  0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600, 900, 1200, 1800, 3600,
] as const;
export const WAIT_BUCKETS = WAIT_BUCKET_EDGES_SECONDS.length + 1;

/** The bucket of one wait. */
export function bucketOf(waitMs: number): number {
  const seconds = Math.max(0, waitMs) / 1000;
  const index = WAIT_BUCKET_EDGES_SECONDS.findIndex((edge) => seconds <= edge);
  return index === -1 ? WAIT_BUCKET_EDGES_SECONDS.length : index;
}

/** Counts per bucket of these waits (only the buckets that have any). */
export function histogramOf(waitsMs: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const wait of waitsMs) {
    const bucket = bucketOf(wait);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  return counts;
}

/** The q-quantile (0..1) in seconds of a histogram (counts per bucket), undefined when it is empty. */
export function quantileSeconds(counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let bucket = 0; bucket < counts.length; bucket += 1) {
    const count = counts[bucket] ?? 0;
    if (count > 0 && below + count >= rank) {
      const low = bucket === 0 ? 0 : (WAIT_BUCKET_EDGES_SECONDS[bucket - 1] as number);
      // The open last bucket is read as its lower edge: "an hour or more".
      const high = WAIT_BUCKET_EDGES_SECONDS[bucket] ?? low;
      return low + ((high - low) * Math.max(0, rank - below)) / count;
    }
    below += count;
  }
  return WAIT_BUCKET_EDGES_SECONDS[WAIT_BUCKET_EDGES_SECONDS.length - 1];
}
