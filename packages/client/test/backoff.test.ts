import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.js';

const settings = { baseMs: 100, capMs: 1000 };

describe('backoffDelay (exponential, full jitter)', () => {
  it('doubles the ceiling with each attempt up to the cap', () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => backoffDelay(attempt, settings, top))).toEqual([
      99, 199, 399, 799, 999, 999, 999,
    ]);
  });

  it('waits a uniform share of the ceiling: anything from 0, never the same for every client', () => {
    expect(backoffDelay(3, settings, () => 0)).toBe(0);
    expect(backoffDelay(3, settings, () => 0.5)).toBe(400);
    expect(backoffDelay(3, settings, () => 0.25)).toBe(200);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(6, settings, Math.random)));
    expect(spread.size).toBeGreaterThan(40);
    for (const delay of spread) expect(delay).toBeGreaterThanOrEqual(0);
    for (const delay of spread) expect(delay).toBeLessThan(1000);
  });
});
