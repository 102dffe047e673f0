import { describe, expect, it } from 'vitest';
import { rate } from '../../src/rating/glicko2.js';

describe('rate (Glicko-2)', () => {
  it("reproduces the worked example of Glickman's paper", () => {
    const result = rate({ rating: 1500, rd: 200, vol: 0.06 }, [
      { opponent: { rating: 1400, rd: 30 }, score: 1 },
      { opponent: { rating: 1550, rd: 100 }, score: 0 },
      { opponent: { rating: 1700, rd: 300 }, score: 0 },
    ]);
    // The paper rounds its intermediate values, so it prints 1464.06 where exact arithmetic gives 1464.0507.
    expect(Math.abs(result.rating - 1464.06)).toBeLessThan(0.01);
    expect(Math.abs(result.rd - 151.52)).toBeLessThan(0.005);
    expect(Math.abs(result.vol - 0.05999)).toBeLessThan(0.00001);
  });

  it('grows only the RD of a player who did not play', () => {
    const result = rate({ rating: 1500, rd: 200, vol: 0.06 }, []);
    // sqrt((200/173.7178)^2 + 0.06^2) * 173.7178
    expect(result.rating).toBe(1500);
    expect(result.vol).toBe(0.06);
    expect(result.rd).toBeCloseTo(200.27142, 4);
  });

  it('uses the deviation, not the rating, in the volatility function (the seed defect)', () => {
    // With the seed's mu^2 a player far from 1500 got a very different volatility;
    // with the paper's phi^2 shifting everyone by the same amount changes nothing.
    const games = [{ opponent: { rating: 2400, rd: 30 }, score: 1 }];
    const far = rate({ rating: 2500, rd: 200, vol: 0.06 }, games);
    const near = rate({ rating: 1600, rd: 200, vol: 0.06 }, [
      { opponent: { rating: 1500, rd: 30 }, score: 1 },
    ]);
    expect(far.vol).toBeCloseTo(near.vol, 12);
    expect(far.rating - 900).toBeCloseTo(near.rating, 9);
  });

  it('rejects impossible input with a clear error', () => {
    expect(() => rate({ rating: 1500, rd: 0, vol: 0.06 }, [])).toThrow(/rd and vol positive/);
    expect(() =>
      rate({ rating: 1500, rd: 100, vol: 0.06 }, [{ opponent: { rating: 1500, rd: 50 }, score: 2 }]),
    ).toThrow(/score/);
    expect(() => rate({ rating: Number.NaN, rd: 100, vol: 0.06 }, [])).toThrow(/invalid rating/);
  });
});
