import { describe, expect, it } from 'vitest';
import { FIGURES_FLUSH_MS, PendingFigures } from '../src/queues/pending-figures.js';

describe("a queue's pending figures", () => {
  it('are written at most every second while passes run back to back, with every match in between', () => {
    const figures = new PendingFigures();
    figures.add('r', 1, [1000, 2000]);
    expect(figures.take('r', 10, 5, 0, false)).toEqual({
      matches: 1,
      waits: [1000, 2000],
      waiting: { players: 10, tickets: 5 },
    });
    figures.add('r', 2, [300, 400, 500, 600]);
    expect(figures.take('r', 6, 3, 10, false)).toBeUndefined();
    figures.add('r', 1, [700, 800]);
    expect(figures.take('r', 4, 2, FIGURES_FLUSH_MS - 1, false)).toBeUndefined();
    expect(figures.take('r', 4, 2, FIGURES_FLUSH_MS, false)).toEqual({
      matches: 3,
      waits: [300, 400, 500, 600, 700, 800],
      waiting: { players: 4, tickets: 2 },
    });
  });

  it('are written at once when the pool empties or a tick asks, and not at all when nothing changed', () => {
    const figures = new PendingFigures();
    expect(figures.take('r', 2, 2, 0, false)?.waiting).toEqual({ players: 2, tickets: 2 });
    figures.add('r', 1, [100, 100]);
    expect(figures.take('r', 0, 0, 1, false)).toEqual({
      matches: 1,
      waits: [100, 100],
      waiting: { players: 0, tickets: 0 },
    });
    figures.add('r', 0, []);
    expect(figures.take('r', 0, 0, 5_000, true)).toBeUndefined();
    expect(figures.take('r', 1, 1, 5, true)?.waiting).toEqual({ players: 1, tickets: 1 });
    figures.forgetReported();
    expect(figures.take('r', 1, 1, 6, true)?.waiting).toEqual({ players: 1, tickets: 1 });
  });
});
