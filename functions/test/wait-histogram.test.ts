import { describe, expect, it } from 'vitest';
import { bucketOf, histogramOf, quantileSeconds, WAIT_BUCKETS } from '../src/queues/wait-histogram.js';

function counts(waitsMs: number[]): number[] {
  const histogram = histogramOf(waitsMs);
  return Array.from({ length: WAIT_BUCKETS }, (_, bucket) => histogram.get(bucket) ?? 0);
}

describe('the time-to-match histogram', () => {
  it('puts each wait in the bucket whose upper edge holds it; an hour or more in the last', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(500)).toBe(0);
    expect(bucketOf(501)).toBe(1);
    expect(bucketOf(4_000)).toBe(4);
    expect(bucketOf(3_600_001)).toBe(WAIT_BUCKETS - 1);
    expect(bucketOf(-5)).toBe(0);
  });

  it('reads quantiles within a bucket width of the exact ones, and nothing from no matches', () => {
    const waits = Array.from({ length: 200 }, (_, i) => 100 + i * 150); // 0.1 s .. 29.95 s, even
    const median = quantileSeconds(counts(waits), 0.5) as number;
    const p95 = quantileSeconds(counts(waits), 0.95) as number;
    expect(Math.abs(median - 15)).toBeLessThanOrEqual(5); // the 10-15 s and 15-20 s buckets
    expect(Math.abs(p95 - 28.5)).toBeLessThanOrEqual(10);
    expect(p95).toBeGreaterThan(median);
    expect(quantileSeconds(counts([]), 0.5)).toBeUndefined();
    expect(quantileSeconds(counts([2_000, 2_000, 2_000]), 0.5)).toBeGreaterThan(1);
    expect(quantileSeconds(counts([2_000, 2_000, 2_000]), 0.5)).toBeLessThanOrEqual(2);
  });
});
