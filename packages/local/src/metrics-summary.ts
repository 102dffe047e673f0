import { METRICS, METRICS_NAMESPACE, type MetricName } from '@matchmaking/functions/metrics-names';
import type { EmfRecord } from './metrics-summary-emf-tap.js';

/** Values of one timing kept per period at least; past twice this the oldest go (percentiles over the latest). */
export const MAX_TIMINGS_PER_PERIOD = 100_000;

/** What the functions reported since the last summary, added up as CloudWatch would. */
export interface SummaryFigures {
  joined: number;
  created: number;
  cancelled: Record<string, number>;
  abandoned: Record<string, number>;
  requeued: Record<string, number>;
  passFailed: number;
  /** Sorted values, for percentiles (the latest MAX_TIMINGS_PER_PERIOD at least, if there were more). */
  timeToMatchSeconds: number[];
  passMs: number[];
  timeToPlaySeconds: number[];
  /** The last count each pool region reported (the tick's), however old. */
  warmIdle: Record<string, number>;
}

type Timing = 'TimeToMatch' | 'PassDuration' | 'TimeToPlay';

/** A period's figures as they arrive: counts summed, timings kept (bounded). */
function emptyPeriod() {
  return {
    counts: { PlayersJoined: 0, MatchesCreated: 0, PassFailed: 0 },
    byReason: { MatchesCancelled: {}, MatchesAbandoned: {}, Requeued: {} } as Record<
      'MatchesCancelled' | 'MatchesAbandoned' | 'Requeued',
      Record<string, number>
    >,
    timings: { TimeToMatch: [], PassDuration: [], TimeToPlay: [] } as Record<Timing, number[]>,
  };
}

/**
 * The local stand-in for the dashboard: it reads the EMF records the
 * handlers publish (the same lines CloudWatch turns into metrics) and sums
 * up each period's, e.g. `pnpm dev`'s one line a minute. A period is what
 * arrived since the last summary, so no record is counted twice or missed.
 * Its memory is bounded however long a period lasts: counts are summed as
 * they arrive, and each timing keeps at most 2 x MAX_TIMINGS_PER_PERIOD values.
 */
export class MetricsSummary {
  private period = emptyPeriod();
  private readonly warmIdle = new Map<string, number>();

  /** Takes the Matchmaking metrics of one record. */
  add(record: EmfRecord): void {
    for (const directive of record._aws.CloudWatchMetrics) {
      if (directive.Namespace !== METRICS_NAMESPACE) continue;
      const dimensions = Object.fromEntries(
        (directive.Dimensions[0] ?? []).map((name) => [name, String(record[name])]),
      );
      for (const { Name } of directive.Metrics) {
        if (!(Name in METRICS)) continue;
        const raw = record[Name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number');
        this.note(Name as MetricName, dimensions, values);
      }
    }
  }

  private note(name: MetricName, dimensions: Record<string, string>, values: number[]): void {
    const { counts, byReason, timings } = this.period;
    switch (name) {
      case 'PlayersJoined':
      case 'MatchesCreated':
      case 'PassFailed':
        counts[name] += total0(values);
        return;
      case 'MatchesCancelled':
      case 'MatchesAbandoned':
      case 'Requeued': {
        const reason = dimensions.reason ?? 'unknown';
        byReason[name][reason] = (byReason[name][reason] ?? 0) + total0(values);
        return;
      }
      case 'TimeToMatch':
      case 'PassDuration':
      case 'TimeToPlay': {
        const kept = timings[name];
        kept.push(...values);
        if (kept.length > 2 * MAX_TIMINGS_PER_PERIOD) kept.splice(0, kept.length - MAX_TIMINGS_PER_PERIOD);
        return;
      }
      case 'WarmServersIdle':
        if (dimensions.region !== undefined) this.warmIdle.set(dimensions.region, values.at(-1) ?? 0);
        return;
    }
  }

  /** The figures of what arrived since the last summary, and a new period starts. */
  take(): SummaryFigures {
    const figures = this.figures();
    this.period = emptyPeriod();
    return figures;
  }

  /** The figures of what arrived since the last summary. */
  figures(): SummaryFigures {
    const { counts, byReason, timings } = this.period;
    const sorted = (name: Timing) => [...timings[name]].sort((a, b) => a - b);
    return {
      joined: counts.PlayersJoined,
      created: counts.MatchesCreated,
      cancelled: { ...byReason.MatchesCancelled },
      abandoned: { ...byReason.MatchesAbandoned },
      requeued: { ...byReason.Requeued },
      passFailed: counts.PassFailed,
      timeToMatchSeconds: sorted('TimeToMatch'),
      passMs: sorted('PassDuration'),
      timeToPlaySeconds: sorted('TimeToPlay'),
      warmIdle: Object.fromEntries(this.warmIdle),
    };
  }

  /**
   * One line of the period that ends now (a period of `seconds`), and the
   * next period starts: `metrics (last 60 s): 12 joined, 5 matches created, 1
   * cancelled (noCapacity 1), 0 abandoned, time to match p50 1.2 s p95 3.4 s,
   * pass p95 40 ms, 0 failed passes, time to play p50 0.9 s, 2 requeues
   * (noCapacity 2), warm idle us-east-1 1`.
   */
  line(seconds: number): string {
    const f = this.take();
    const parts = [
      `${f.joined} joined`,
      `${f.created} matches created`,
      counted(f.cancelled, 'cancelled'),
      counted(f.abandoned, 'abandoned'),
      `time to match ${percentiles(f.timeToMatchSeconds, 's', [50, 95])}`,
      `pass ${percentiles(f.passMs, 'ms', [95])}`,
      `${f.passFailed} failed passes`,
      `time to play ${percentiles(f.timeToPlaySeconds, 's', [50])}`,
      counted(f.requeued, 'requeues'),
    ];
    const pools = Object.entries(f.warmIdle);
    if (pools.length > 0) parts.push(`warm idle ${pools.map(([region, n]) => `${region} ${n}`).join(', ')}`);
    return `metrics (last ${seconds} s): ${parts.join(', ')}`;
  }
}

function total0(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** `0 cancelled`, or `3 cancelled (noCapacity 2, playerLeft 1)`. */
function counted(byReason: Record<string, number>, what: string): string {
  const entries = Object.entries(byReason).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (entries.length === 0) return `${total} ${what}`;
  return `${total} ${what} (${entries.map(([reason, n]) => `${reason} ${n}`).join(', ')})`;
}

/** `p50 1.2 s p95 3.4 s` (nearest rank), or `-` when nothing was measured. */
export function percentiles(sorted: readonly number[], unit: 's' | 'ms', ranks: readonly number[]): string {
  if (sorted.length === 0) return '-';
  return ranks
    .map((p) => {
      const value = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
      return `p${p} ${unit === 's' ? value.toFixed(1) : Math.round(value)} ${unit}`;
    })
    .join(' ');
}
