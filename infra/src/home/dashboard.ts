import {
  ABANDON_REASONS,
  CANCEL_REASONS,
  METRICS_NAMESPACE,
  type MetricName,
  metricDimensions,
  REQUEUE_REASONS,
} from '@matchmaking/functions/metrics-names';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** What the dashboard shows, with every name resolved. */
export interface DashboardInput {
  /** The metrics' `deployment` dimension (the resource prefix). */
  deployment: string;
  region: string;
  queues: readonly string[];
  regions: readonly string[];
  /** Regions with a warm pool (max above 0): the only ones reporting idle servers. */
  poolRegions: readonly string[];
  deadLetterQueueNames: readonly string[];
  alarmArns: readonly string[];
}

/** One line of a CloudWatch metric widget: namespace, name, dimension pairs, then its options. */
type MetricLine = (string | Record<string, string>)[];
type Widget = { type: 'metric' | 'alarm'; properties: Record<string, unknown> };

/** The most alarms one alarm status widget takes (CloudWatch's dashboard body structure). */
export const MAX_ALARMS_PER_WIDGET = 100;
/**
 * The most lines one graph of ours shows: CloudWatch draws at most 500 metrics
 * per graph, and a hundred lines are already more than anyone reads. A chart
 * with more (every queue in every region: 30 queues in 20 regions are 600) is
 * drawn as several, "(1 of 6)".
 */
export const MAX_METRICS_PER_WIDGET = 100;

/**
 * The dashboard's JSON body (CloudWatch's dashboard body structure): one
 * widget per question an operator asks, each metric named by the constants
 * the functions publish it with. A pure function, so a test reads it whole.
 */
export function dashboardBody(input: DashboardInput): { widgets: object[] } {
  const line = (
    name: MetricName,
    own: Record<string, string>,
    options: Record<string, string>,
  ): MetricLine => [
    METRICS_NAMESPACE,
    name,
    ...Object.entries(metricDimensions(input.deployment, own)).flat(),
    options,
  ];
  const pools = input.queues.flatMap((queue) => input.regions.map((region) => ({ queue, region })));
  const byReason = (name: MetricName, reasons: readonly string[]) =>
    reasons.map((reason) => line(name, { reason }, { stat: 'Sum', label: reason }));
  const chart = (title: string, metrics: MetricLine[], stacked = false): Widget => ({
    type: 'metric',
    properties: { title, metrics, view: 'timeSeries', stacked, region: input.region, period: 60 },
  });
  const widgets: Widget[] = [
    chart(
      'Players joined (per minute)',
      pools.map((p) => line('PlayersJoined', p, { stat: 'Sum', label: `${p.queue} ${p.region}` })),
      true,
    ),
    chart(
      'Time to match (s), p50 and p95',
      pools.flatMap((p) =>
        ['p50', 'p95'].map((stat) =>
          line('TimeToMatch', p, { stat, label: `${p.queue} ${p.region} ${stat}` }),
        ),
      ),
    ),
    chart(
      'Matches created (per minute)',
      pools.map((p) => line('MatchesCreated', p, { stat: 'Sum', label: `${p.queue} ${p.region}` })),
      true,
    ),
    chart('Matches cancelled, by reason', byReason('MatchesCancelled', CANCEL_REASONS), true),
    chart('Matches abandoned, by reason', byReason('MatchesAbandoned', ABANDON_REASONS), true),
    chart('Tickets requeued, by reason', byReason('Requeued', REQUEUE_REASONS), true),
    chart('Matchmaking pass (ms) and failed passes', [
      ...['p50', 'p95', 'Maximum'].map((stat) =>
        line('PassDuration', {}, { stat, label: `duration ${stat}` }),
      ),
      line('PassFailed', {}, { stat: 'Sum', label: 'failed', yAxis: 'right' }),
    ]),
    chart(
      'Time to play (s): MATCH FOUND to server ready',
      input.regions.flatMap((region) =>
        ['p50', 'p95'].map((stat) => line('TimeToPlay', { region }, { stat, label: `${region} ${stat}` })),
      ),
    ),
    chart(
      'Warm servers idle (lowest in the minute)',
      input.poolRegions.map((region) =>
        line('WarmServersIdle', { region }, { stat: 'Minimum', label: region }),
      ),
    ),
    chart(
      'Dead-letter queues: messages',
      input.deadLetterQueueNames.map((name) => [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        name,
        { stat: 'Maximum', label: name },
      ]),
    ),
    ...alarmWidgets(input.alarmArns),
  ];
  // CloudWatch refuses a metric widget without a metric (PutDashboard validation): no pool, no idle chart.
  const shown = widgets
    .filter((widget) => widget.type !== 'metric' || (widget.properties.metrics as MetricLine[]).length > 0)
    .flatMap(splitChart);
  // Two widgets per row, each half the dashboard's 24 columns.
  return {
    widgets: shown.map((widget, i) => ({
      ...widget,
      x: (i % 2) * 12,
      y: Math.floor(i / 2) * 6,
      width: 12,
      height: 6,
    })),
  };
}

/** A chart with more than MAX_METRICS_PER_WIDGET lines, as several (the others as they are). */
function splitChart(widget: Widget): Widget[] {
  const metrics = widget.properties.metrics as MetricLine[] | undefined;
  if (widget.type !== 'metric' || !metrics || metrics.length <= MAX_METRICS_PER_WIDGET) return [widget];
  const parts = Math.ceil(metrics.length / MAX_METRICS_PER_WIDGET);
  return Array.from({ length: parts }, (_, i) => ({
    ...widget,
    properties: {
      ...widget.properties,
      title: `${String(widget.properties.title)} (${i + 1} of ${parts})`,
      metrics: metrics.slice(i * MAX_METRICS_PER_WIDGET, (i + 1) * MAX_METRICS_PER_WIDGET),
    },
  }));
}

/** The alarms' states, in as many widgets as it takes (at most MAX_ALARMS_PER_WIDGET each). */
function alarmWidgets(alarmArns: readonly string[]): Widget[] {
  const parts = Math.ceil(alarmArns.length / MAX_ALARMS_PER_WIDGET);
  return Array.from({ length: parts }, (_, i) => ({
    type: 'alarm',
    properties: {
      title: parts > 1 ? `Alarms (${i + 1} of ${parts})` : 'Alarms',
      alarms: alarmArns.slice(i * MAX_ALARMS_PER_WIDGET, (i + 1) * MAX_ALARMS_PER_WIDGET),
    },
  }));
}

/** The CloudWatch dashboard `<prefix>` in the home region, where the functions publish. */
export function createDashboard(
  input: Omit<DashboardInput, 'deadLetterQueueNames' | 'alarmArns'> & {
    deadLetterQueues: readonly aws.sqs.Queue[];
    alarms: readonly aws.cloudwatch.MetricAlarm[];
  },
  opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.Dashboard {
  const { deadLetterQueues, alarms, ...shown } = input;
  const body = pulumi
    .all([pulumi.all(deadLetterQueues.map((q) => q.name)), pulumi.all(alarms.map((a) => a.arn))])
    .apply(([deadLetterQueueNames, alarmArns]) =>
      JSON.stringify(dashboardBody({ ...shown, deadLetterQueueNames, alarmArns })),
    );
  return new aws.cloudwatch.Dashboard(
    `${input.deployment}-dashboard`,
    { dashboardName: input.deployment, dashboardBody: body },
    opts,
  );
}
