/** How often a busy pool's figures are written at most: the serial pass must not pay for them on every run. */
export const FIGURES_FLUSH_MS = 1_000;

interface Pending {
  matches: number;
  waits: number[];
  flushedAt: number;
  /** `players/tickets` last written. */
  reported?: string;
}

/** What a pass writes for a pool now. */
export interface FiguresToWrite {
  matches: number;
  waits: number[];
  /** Set when the waiting counts changed since they were last written. */
  waiting?: { players: number; tickets: number };
}

/**
 * A queue's figures per region that its passes have not written yet. Under
 * a burst, passes run back to back: writing after each would add a DynamoDB
 * round trip to every pass of the serial section, so they are written at
 * most every FIGURES_FLUSH_MS, at once when the pool empties (so a quiet
 * queue shows its true figures) and on every tick's pass. Kept with the
 * waiting pool, across invocations; a figure lost with an instance costs a
 * little accuracy, never a match.
 */
export class PendingFigures {
  private readonly byRegion = new Map<string, Pending>();

  /** Matches a pass formed and the waits (ms) of their tickets. */
  add(region: string, matches: number, waitsMs: readonly number[]): void {
    const pending = this.of(region);
    pending.matches += matches;
    pending.waits.push(...waitsMs);
  }

  /** What to write now for the region (undefined: nothing, or not yet), given what waits after the pass. */
  take(
    region: string,
    players: number,
    tickets: number,
    now: number,
    force: boolean,
  ): FiguresToWrite | undefined {
    const pending = this.of(region);
    const key = `${players}/${tickets}`;
    const changed = pending.reported !== key;
    if (!changed && pending.matches === 0) return undefined;
    const due = force || (changed && players === 0) || now - pending.flushedAt >= FIGURES_FLUSH_MS;
    if (!due) return undefined;
    const figures: FiguresToWrite = {
      matches: pending.matches,
      waits: pending.waits,
      ...(changed ? { waiting: { players, tickets } } : {}),
    };
    this.byRegion.set(region, { matches: 0, waits: [], flushedAt: now, reported: key });
    return figures;
  }

  /** Figures whose write failed: written with the next ones (and the counts again). */
  putBack(region: string, figures: FiguresToWrite): void {
    const pending = this.of(region);
    pending.matches += figures.matches;
    pending.waits.unshift(...figures.waits);
    pending.reported = undefined;
  }

  /** Another instance may have written the counts since: write them again next time. */
  forgetReported(): void {
    for (const pending of this.byRegion.values()) pending.reported = undefined;
  }

  private of(region: string): Pending {
    let pending = this.byRegion.get(region);
    if (!pending) {
      pending = { matches: 0, waits: [], flushedAt: Number.NEGATIVE_INFINITY };
      this.byRegion.set(region, pending);
    }
    return pending;
  }
}
