import type {
  AbandonReason,
  CancelReason,
  MetricDimension,
  MetricName,
  RequeueReason,
} from './metric-names.js';

/**
 * What the use cases tell the operators, as a port: each call is one event
 * or one measurement. The real one buffers them and publishes them as EMF at
 * the end of the invocation (powertools-metrics.ts), or at `flush()`; tests
 * pass a recorder.
 */
export interface MatchmakingMetrics {
  playerJoined(queue: string, region: string, players: number): void;
  timeToMatch(queue: string, region: string, seconds: number): void;
  matchCreated(queue: string, region: string): void;
  matchCancelled(reason: CancelReason): void;
  matchAbandoned(reason: AbandonReason): void;
  passDuration(milliseconds: number): void;
  passFailed(): void;
  timeToPlay(region: string, seconds: number): void;
  warmServersIdle(region: string, servers: number): void;
  requeued(reason: RequeueReason, tickets: number): void;
  /**
   * Publishes what was recorded so far, now. A use case calls it right after
   * counting a one-time state change (a conditional write only one run
   * makes): a function that dies in a later step would otherwise lose the
   * count, and its re-run, finding the change made, would not count it.
   */
  flush(): void;
}

/** One value of one metric with its own dimensions (service and deployment are added on publishing). */
export interface MetricRecord {
  name: MetricName;
  dimensions: Partial<Record<MetricDimension, string>>;
  value: number;
}

/** The port over a sink of records: the one place that maps each call to its metric and dimensions. */
export function metricsTo(
  record: (entry: MetricRecord) => void,
  flush: () => void = () => undefined,
): MatchmakingMetrics {
  const put = (name: MetricName, dimensions: MetricRecord['dimensions'], value: number) =>
    record({ name, dimensions, value });
  return {
    playerJoined: (queue, region, players) => put('PlayersJoined', { queue, region }, players),
    timeToMatch: (queue, region, seconds) => put('TimeToMatch', { queue, region }, seconds),
    matchCreated: (queue, region) => put('MatchesCreated', { queue, region }, 1),
    matchCancelled: (reason) => put('MatchesCancelled', { reason }, 1),
    matchAbandoned: (reason) => put('MatchesAbandoned', { reason }, 1),
    passDuration: (milliseconds) => put('PassDuration', {}, milliseconds),
    passFailed: () => put('PassFailed', {}, 1),
    timeToPlay: (region, seconds) => put('TimeToPlay', { region }, seconds),
    warmServersIdle: (region, servers) => put('WarmServersIdle', { region }, servers),
    requeued: (reason, tickets) => put('Requeued', { reason }, tickets),
    flush,
  };
}

/** A port that keeps what it is told (for tests and tools that read the figures in-process); flush does nothing. */
export function recordingMetrics(): MatchmakingMetrics & { records: MetricRecord[] } {
  const records: MetricRecord[] = [];
  return { ...metricsTo((entry) => records.push(entry)), records };
}
