/**
 * The one definition of the metrics the functions publish (CloudWatch embedded
 * metric format, through Powertools Metrics): their names, units and
 * dimensions. The Pulumi program builds the dashboard and the alarms from
 * these constants (`@matchmaking/functions/metrics-names`), so what is
 * published and what is watched cannot drift apart. Dimensions stay few and
 * bounded (queue, region, a reason from a fixed list): never a user or match id.
 */

/** The CloudWatch namespace of every metric. */
export const METRICS_NAMESPACE = 'Matchmaking';
/** Powertools' `service` dimension, on every metric. */
export const METRICS_SERVICE = 'matchmaking';

/** Why a match was cancelled: a low-cardinality `reason` dimension (the words players read stay in logs). */
export const CANCEL_REASONS = [
  /** A player's connection was gone when the match was found (the others are requeued). */
  'playerLeft',
  /** RunTask found no capacity (placement, Fargate quota, throttling): the tickets back off. */
  'noCapacity',
  /** RunTask failed otherwise. */
  'launchFailed',
  /** The game-server task stopped before it was ready. */
  'serverStopped',
  /** The game server did not call ready within READY_TIMEOUT_SECONDS. */
  'readyTimeout',
  /** A player declined the proposed match (the ready check). */
  'declined',
  /** Not every player accepted the proposed match in time (the ready check). */
  'acceptTimeout',
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** Why a match that was ready ended without a result. */
export const ABANDON_REASONS = [
  /** Its task stopped (a crash, a Spot reclaim). */
  'serverStopped',
  /** No result within MAX_MATCH_SECONDS. */
  'maxMatchTime',
  /** Nobody connected to the game server, or everybody left (GAME_SERVER_IDLE_SECONDS). */
  'noPlayers',
  /** The platform retired the server. */
  'serverRetired',
] as const;
export type AbandonReason = (typeof ABANDON_REASONS)[number];

/** Why tickets went back to the queue: their match was cancelled for one of CANCEL_REASONS, or a crashed pass left them claimed. */
export const REQUEUE_REASONS = [...CANCEL_REASONS, 'staleClaim'] as const;
export type RequeueReason = (typeof REQUEUE_REASONS)[number];

export type MetricDimension = 'queue' | 'region' | 'reason';
export type MetricUnitName = 'Count' | 'Seconds' | 'Milliseconds';

export interface MetricDefinition {
  unit: MetricUnitName;
  /** Dimensions besides `service` and `deployment` (which every metric has). */
  dimensions: readonly MetricDimension[];
  /** What one value means (the README's table says the same). */
  meaning: string;
}

export const METRICS = {
  PlayersJoined: {
    unit: 'Count',
    dimensions: ['queue', 'region'],
    meaning:
      'players who joined a queue (a party counts each member), in the region their ticket is stored in',
  },
  TimeToMatch: {
    unit: 'Seconds',
    dimensions: ['queue', 'region'],
    meaning:
      'one value per ticket matched: from its queue time (a requeued ticket keeps its first) to the pass that matched it',
  },
  MatchesCreated: {
    unit: 'Count',
    dimensions: ['queue', 'region'],
    meaning: 'matches a pass recorded',
  },
  MatchesCancelled: {
    unit: 'Count',
    dimensions: ['reason'],
    meaning: 'matches that ended before their server was ready (or were declined in the ready check)',
  },
  MatchesAbandoned: {
    unit: 'Count',
    dimensions: ['reason'],
    meaning: 'matches that ended without a result after their server was ready',
  },
  PassDuration: {
    unit: 'Milliseconds',
    dimensions: [],
    meaning:
      "one value per matchmaking pass: the serial section's time, from the pool's update to the hand-over",
  },
  PassFailed: {
    unit: 'Count',
    dimensions: [],
    meaning: 'matchmaking passes that failed (their messages are redelivered, then dead-lettered)',
  },
  TimeToPlay: {
    unit: 'Seconds',
    dimensions: ['region'],
    meaning:
      "one value per match: from MATCH FOUND (the match's creation, or the last accept of a ready check) to its server's ready call",
  },
  WarmServersIdle: {
    unit: 'Count',
    dimensions: ['region'],
    meaning: "idle warm servers in the region's pool, as the tick's keep saw them (only regions with a pool)",
  },
  Requeued: {
    unit: 'Count',
    dimensions: ['reason'],
    meaning: 'tickets put back in the queue, with their queue time',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
/** Every metric name, e.g. for a dashboard: `MetricNames.TimeToMatch === 'TimeToMatch'`. */
export const MetricNames = Object.fromEntries(Object.keys(METRICS).map((name) => [name, name])) as {
  readonly [N in MetricName]: N;
};

/**
 * The dimensions a metric value carries in CloudWatch: `service` and
 * `deployment` (every metric), then its own. An alarm or a dashboard
 * widget must name exactly these to find the metric.
 */
export function metricDimensions(
  deployment: string,
  own: Partial<Record<MetricDimension, string>> = {},
): Record<string, string> {
  return { service: METRICS_SERVICE, deployment, ...own };
}
