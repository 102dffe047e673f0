import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functions } from '@matchmaking/functions/manifest';
import {
  ABANDON_REASONS,
  CANCEL_REASONS,
  METRICS,
  type MetricName,
  MetricNames,
  metricDimensions,
  REQUEUE_REASONS,
} from '@matchmaking/functions/metrics-names';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMocks, type Recorded, resourcesOf } from './mocks.js';

/*
 * What a studio watches (issue 14): the dashboard names exactly the metrics
 * the functions publish (the constants of @matchmaking/functions/metrics-names),
 * with the dimensions they are published with; the alarms page on what
 * matters, each with its metric, statistic, threshold and actions; all in
 * the home region, where every function runs; and the functions get no
 * permission for it (EMF goes through their logs).
 */
const recorded = installMocks();
const buildDir = mkdtempSync(join(tmpdir(), 'infra-metrics-build-'));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const QUEUES = { duel: { teamSize: 1, default: true }, squad: { teamSize: 4 } };
const PAGER = 'arn:aws:sns:us-east-1:123456789012:pager';
// The most queues a stack takes (MAX_QUEUES), in eleven regions, each with a warm pool.
const MANY_REGIONS = [
  ...['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3'],
  ...['eu-central-1', 'eu-north-1', 'ap-southeast-1', 'ap-southeast-2'],
];
const MANY_QUEUES = Array.from({ length: 20 }, (_, i) => `q${i}`);
const base = {
  homeRegion: 'us-east-1',
  regions: ['us-east-1'],
  jwtIssuer: 'i',
  jwtAudience: 'a',
  jwksUrl: 'https://x/jwks.json',
};

beforeAll(async () => {
  const { createMatchmaking } = await import('../src/program.js');
  const { parseSettings } = await import('../src/settings.js');
  // As infra/index.ts passes it: `alarms` an object (config.getObject), its numbers maybe strings.
  const settings = parseSettings({
    ...base,
    regions: REGIONS,
    queues: QUEUES,
    // Idle servers kept in us-east-1 only: eu-west-1 has a pool that may be empty, ap-southeast-2 none.
    warmPool: {
      default: { idle: 2, max: 10 },
      regions: { 'eu-west-1': { idle: 0, max: 4 }, 'ap-southeast-2': { idle: 0, max: 0 } },
    },
    alarms: { timeToMatchP95Seconds: '45', email: 'ops@example.com', topicArn: PAGER },
  });
  createMatchmaking(settings, { prefix: 'mm-m', repoRoot, buildDir });
  // The same program with nothing configured: the defaults.
  createMatchmaking(parseSettings(base), { prefix: 'mm-d', repoRoot, buildDir });
  // Many queues in many regions: more alarms than one alarm widget takes.
  const { createMonitoring } = await import('../src/home/monitoring.js');
  const aws = await import('@pulumi/aws');
  const many = parseSettings({
    ...base,
    regions: MANY_REGIONS,
    queues: Object.fromEntries(MANY_QUEUES.map((q, i) => [q, { teamSize: 1, default: i === 0 }])),
    warmPool: { default: { idle: 1, max: 2 } },
  });
  createMonitoring(
    {
      prefix: 'mm-x',
      homeRegion: 'us-east-1',
      queues: MANY_QUEUES,
      regions: MANY_REGIONS,
      warmPool: many.warmPool,
      deadLetterQueues: ['matchmaking', 'match-starts'].map((of) => ({
        of,
        queue: new aws.sqs.Queue(`mm-x-${of}-dlq`, { name: `mm-x-${of}-dlq.fifo` }),
      })),
      workQueues: [],
      errorsOf: [{ alarm: 'matchmaker-errors', what: 'failed', functionName: 'mm-x-matchmaker' }],
      alarms: many.alarms,
    },
    {},
  );
  // Let every apply() settle so the dashboard body and policies are recorded.
  await new Promise((resolve) => setTimeout(resolve, 300));
}, 120_000);
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

const { named, variablesOf, statementsOf } = resourcesOf(recorded, 'mm-m');
const ALARM = 'aws:cloudwatch/metricAlarm:MetricAlarm';
const alarmsOf = (prefix: string) =>
  recorded.filter((r) => r.type === ALARM && r.name.startsWith(`${prefix}-`));
const alarm = (name: string) => named(ALARM, `mm-m-${name}`).inputs;
const topicArn = () => named('aws:sns/topic:Topic', 'mm-m-alarms').state.arn;

/** The dashboard's body, parsed, and every metric line of its widgets. */
function dashboard(prefix: string) {
  const resource = named('aws:cloudwatch/dashboard:Dashboard', `${prefix}-dashboard`);
  const body = JSON.parse(String(resource.inputs.dashboardBody)) as {
    widgets: {
      type: string;
      properties: { title?: string; metrics?: unknown[][]; region?: string; alarms?: string[] };
    }[];
  };
  const lines = body.widgets
    .flatMap((w) => w.properties.metrics ?? [])
    .map((line) => {
      const options = line.at(-1) as Record<string, string>;
      const [namespace, name, ...pairs] = line.slice(0, -1) as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
      return { namespace, name, dimensions, options };
    });
  return { resource, body, lines };
}

describe('the dashboard', () => {
  it('is one CloudWatch dashboard per deployment, in the home region, every widget on that region', () => {
    const { resource, body } = dashboard('mm-m');
    expect(resource.inputs.dashboardName).toBe('mm-m');
    expect(resource.provider).toContain('::mm-m-home::');
    for (const widget of body.widgets.filter((w) => w.type === 'metric'))
      expect(widget.properties.region).toBe('us-east-1');
  });

  it('shows exactly the metrics the functions publish, each with the dimensions it is published with', () => {
    const { lines } = dashboard('mm-m');
    const ours = lines.filter((l) => l.namespace === 'Matchmaking');
    expect(new Set(ours.map((l) => l.name))).toEqual(new Set(Object.keys(METRICS)));
    for (const line of ours) {
      const own = METRICS[line.name as MetricName].dimensions;
      const ownValues = Object.fromEntries(own.map((d) => [d, line.dimensions[d] as string]));
      expect(line.dimensions, line.name).toEqual(metricDimensions('mm-m', ownValues));
      expect(Object.keys(line.dimensions).sort(), line.name).toEqual(
        ['deployment', 'service', ...own].sort(),
      );
    }
  });

  it('charts every queue and region, every reason, and each pool region', () => {
    const { lines } = dashboard('mm-m');
    const of = (name: string) => lines.filter((l) => l.name === name);
    const pools = (name: string) =>
      new Set(of(name).map((l) => `${l.dimensions.queue}/${l.dimensions.region}`));
    const everyPool = new Set(['duel', 'squad'].flatMap((q) => REGIONS.map((r) => `${q}/${r}`)));
    for (const name of [MetricNames.PlayersJoined, MetricNames.MatchesCreated, MetricNames.TimeToMatch])
      expect(pools(name), name).toEqual(everyPool);
    expect(new Set(of('TimeToMatch').map((l) => l.options.stat))).toEqual(new Set(['p50', 'p95']));
    const reasons = (name: string) => of(name).map((l) => l.dimensions.reason);
    expect(reasons('MatchesCancelled')).toEqual([...CANCEL_REASONS]);
    expect(reasons('MatchesAbandoned')).toEqual([...ABANDON_REASONS]);
    expect(reasons('Requeued')).toEqual([...REQUEUE_REASONS]);
    expect(of('TimeToPlay').map((l) => l.dimensions.region)).toEqual(REGIONS.flatMap((r) => [r, r]));
    // Only regions with a pool report idle servers.
    expect(of('WarmServersIdle').map((l) => [l.dimensions.region, l.options.stat])).toEqual([
      ['us-east-1', 'Minimum'],
      ['eu-west-1', 'Minimum'],
    ]);
  });

  it('has at least one metric in every metric widget (CloudWatch refuses an empty one), with and without a pool', () => {
    for (const prefix of ['mm-m', 'mm-d', 'mm-x']) {
      const metricWidgets = dashboard(prefix).body.widgets.filter((w) => w.type === 'metric');
      expect(metricWidgets.length, prefix).toBeGreaterThan(0);
      for (const widget of metricWidgets)
        expect(widget.properties.metrics?.length, `${prefix}: ${widget.properties.title}`).toBeGreaterThan(0);
    }
    // No pool anywhere (the default): no idle-servers chart at all.
    const titles = dashboard('mm-d').body.widgets.map((w) => w.properties.title);
    expect(titles.some((t) => String(t).startsWith('Warm servers idle'))).toBe(false);
    expect(dashboard('mm-m').body.widgets.map((w) => w.properties.title)).toContain(
      'Warm servers idle (lowest in the minute)',
    );
  });

  it('draws a chart of more than 100 lines as several (many queues in many regions), losing none', () => {
    const widgets = dashboard('mm-x').body.widgets.filter((w) => w.type === 'metric');
    for (const widget of widgets) expect(widget.properties.metrics?.length).toBeLessThanOrEqual(100);
    const parts = widgets.filter((w) =>
      String(w.properties.title).startsWith('Time to match (s), p50 and p95'),
    );
    // 20 queues x 11 regions x (p50, p95) = 440 lines: five graphs.
    expect(parts.map((w) => w.properties.title)).toEqual(
      [1, 2, 3, 4, 5].map((i) => `Time to match (s), p50 and p95 (${i} of 5)`),
    );
    expect(parts.flatMap((w) => w.properties.metrics ?? [])).toHaveLength(440);
  });

  it('shows every alarm in alarm widgets of at most 100 each (many queues in many regions)', () => {
    const all = alarmsOf('mm-x');
    expect(all.length).toBeGreaterThan(200);
    const widgets = dashboard('mm-x').body.widgets.filter((w) => w.type === 'alarm');
    expect(widgets.map((w) => w.properties.alarms?.length)).toEqual([100, 100, all.length - 200]);
    const shown = widgets.flatMap((w) => w.properties.alarms ?? []);
    expect(shown).toHaveLength(all.length);
    expect(new Set(shown)).toEqual(new Set(all.map((a) => a.state.arn)));
  });

  it('shows both dead-letter queues and the state of every alarm', () => {
    const { lines, body } = dashboard('mm-m');
    expect(lines.filter((l) => l.namespace === 'AWS/SQS').map((l) => l.dimensions.QueueName)).toEqual([
      'mm-m-matchmaking-dlq.fifo',
      'mm-m-match-starts-dlq.fifo',
    ]);
    const shown = body.widgets.find((w) => w.type === 'alarm')?.properties.alarms;
    expect(new Set(shown)).toEqual(new Set(alarmsOf('mm-m').map((a) => a.state.arn)));
  });
});

describe('the alarms', () => {
  it('pages when either dead-letter queue holds a message', () => {
    for (const of of ['matchmaking', 'match-starts']) {
      expect(alarm(`${of}-dead-letters`), of).toMatchObject({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: `mm-m-${of}-dlq.fifo` },
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('pages on a failed pass (PassFailed) and on the matchmaker failing (its Errors)', () => {
    expect(alarm('pass-failed')).toMatchObject({
      namespace: 'Matchmaking',
      metricName: MetricNames.PassFailed,
      dimensions: { service: 'matchmaking', deployment: 'mm-m' },
      statistic: 'Sum',
      period: 60,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    });
    expect(alarm('matchmaker-errors')).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: 'mm-m-matchmaker' },
      statistic: 'Sum',
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('pages when a queue p95 time to match goes over matchmaking:alarms.timeToMatchP95Seconds, per queue and region', () => {
    const found = alarmsOf('mm-m').filter((a) => a.inputs.metricName === MetricNames.TimeToMatch);
    expect(found).toHaveLength(2 * REGIONS.length);
    for (const queue of ['duel', 'squad']) {
      for (const region of REGIONS) {
        const inputs = alarm(`time-to-match-${queue}-${region}`);
        expect(inputs).toMatchObject({
          namespace: 'Matchmaking',
          dimensions: { service: 'matchmaking', deployment: 'mm-m', queue, region },
          extendedStatistic: 'p95',
          threshold: 45,
          comparisonOperator: 'GreaterThanThreshold',
          period: 300,
          evaluationPeriods: 2,
          // Too few values for a p95 (a quiet queue, one slow match) change nothing.
          evaluateLowSampleCountPercentiles: 'ignore',
          treatMissingData: 'notBreaching',
        });
        expect(inputs.statistic).toBeUndefined();
      }
    }
  });

  it('pages when a region whose pool keeps idle servers has none idle in four minutes of five (or the tick stops reporting)', () => {
    const found = alarmsOf('mm-m').filter((a) => a.inputs.metricName === MetricNames.WarmServersIdle);
    expect(found.map((a) => a.name)).toEqual(['mm-m-warm-idle-us-east-1']);
    expect(alarm('warm-idle-us-east-1')).toMatchObject({
      namespace: 'Matchmaking',
      dimensions: { service: 'matchmaking', deployment: 'mm-m', region: 'us-east-1' },
      statistic: 'Minimum',
      period: 60,
      // Not a deploy or a refill (a minute or two with none idle while servers start).
      evaluationPeriods: 5,
      datapointsToAlarm: 4,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
    });
  });

  it('pages on work left waiting in a queue, and on any throttled Lambda invocation in the home region', () => {
    expect(alarm('matchmaking-oldest-message')).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: 'mm-m-matchmaking.fifo' },
      statistic: 'Maximum',
      threshold: 120,
      comparisonOperator: 'GreaterThanThreshold',
    });
    // Well before a start's ready deadline (120 s by default).
    expect(alarm('match-starts-oldest-message')).toMatchObject({
      dimensions: { QueueName: 'mm-m-match-starts.fifo' },
      threshold: 60,
    });
    expect(alarm('lambda-throttles')).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      statistic: 'Sum',
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm('lambda-throttles').dimensions).toBeUndefined();
  });

  it('pages on the tick and the task-state function failing (asynchronous invocations: retried, then dropped)', () => {
    for (const [name, fn] of [
      ['tick-errors', 'mm-m-tick'],
      ['task-state-change-errors', 'mm-m-taskStateChange'],
    ]) {
      expect(alarm(name as string), name).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: fn },
        statistic: 'Sum',
        period: 60,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      });
    }
    // Each names a function of the program, by its trigger.
    const names = (type: string) => recorded.filter((r) => r.type === type).map((r) => r.inputs.name);
    const functionNames = names('aws:lambda/function:Function');
    for (const fn of ['mm-m-matchmaker', 'mm-m-tick', 'mm-m-taskStateChange'])
      expect(functionNames).toContain(fn);
  });

  it('sends every alarm, when it fires and when it clears, to the stack topic and the configured one, from the home region', () => {
    const all = alarmsOf('mm-m');
    // Dead letters (2), oldest messages (2), throttles, pass failed, function errors (3), time to
    // match (2 queues x 3 regions), warm idle (1).
    expect(all).toHaveLength(2 + 2 + 1 + 1 + 3 + 6 + 1);
    for (const { inputs, provider, name } of all) {
      expect(inputs.alarmActions, name).toEqual([topicArn(), PAGER]);
      expect(inputs.okActions, name).toEqual([topicArn(), PAGER]);
      expect(provider, name).toContain('::mm-m-home::');
      expect(inputs.alarmDescription, name).toEqual(expect.any(String));
    }
    expect(named('aws:sns/topic:Topic', 'mm-m-alarms').provider).toContain('::mm-m-home::');
    expect(named('aws:sns/topicSubscription:TopicSubscription', 'mm-m-alarms-email').inputs).toMatchObject({
      topic: topicArn(),
      protocol: 'email',
      endpoint: 'ops@example.com',
    });
  });

  it('unconfigured: a 60 s limit, the stack topic only, no e-mail, no warm-pool alarm', () => {
    const all = alarmsOf('mm-d');
    const topic = named('aws:sns/topic:Topic', 'mm-d-alarms').state.arn;
    for (const { inputs } of all) expect(inputs.alarmActions).toEqual([topic]);
    expect(
      all.filter((a) => a.inputs.metricName === 'TimeToMatch').map((a) => [a.name, a.inputs.threshold]),
    ).toEqual([['mm-d-time-to-match-duel-us-east-1', 60]]);
    expect(all.some((a) => a.inputs.metricName === 'WarmServersIdle')).toBe(false);
    expect(recorded.some((r: Recorded) => r.name === 'mm-d-alarms-email')).toBe(false);
    expect(dashboard('mm-d').lines.some((l) => l.name === 'WarmServersIdle')).toBe(false);
  });
});

describe('the functions publish through their logs', () => {
  it('sets METRICS_DEPLOYMENT to the stack prefix on every function: the dimension the dashboard and alarms select', () => {
    for (const definition of functions) expect(variablesOf(definition.name).METRICS_DEPLOYMENT).toBe('mm-m');
  });

  it('grants no function any CloudWatch permission: EMF needs only its log group', () => {
    for (const definition of functions) {
      const actions = statementsOf(definition.name).flatMap((s) => s.Action);
      expect(actions.filter((a) => !a.startsWith('logs:')).some((a) => a.startsWith('cloudwatch:'))).toBe(
        false,
      );
      expect(actions.filter((a) => a.startsWith('logs:'))).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ]);
    }
  });
});

describe('matchmaking:alarms', () => {
  const parse = async (alarms: unknown) => {
    const { parseSettings } = await import('../src/settings.js');
    return () => parseSettings({ ...base, alarms });
  };

  it('refuses a time-to-match limit that is not a positive number, naming the key', async () => {
    for (const bad of ['0', '-5', 'soon'])
      expect(await parse({ timeToMatchP95Seconds: bad })).toThrow(
        /matchmaking:alarms\.timeToMatchP95Seconds: /,
      );
  });

  it('refuses a bad e-mail or topic ARN, a topic of another region, and unknown keys, naming them', async () => {
    expect(await parse({ email: 'ops' })).toThrow(/matchmaking:alarms\.email: must be an e-mail address/);
    expect(await parse({ topicArn: 'pager' })).toThrow(
      /matchmaking:alarms\.topicArn: must be an SNS topic ARN/,
    );
    expect(await parse({ topicArn: 'arn:aws:sns:eu-west-1:123456789012:pager' })).toThrow(
      /matchmaking:alarms\.topicArn is in eu-west-1: alarms can only notify a topic of the home region/,
    );
    expect(await parse({ timeToMatchP95: 60 })).toThrow(/matchmaking:alarms\.timeToMatchP95: not a setting/);
  });

  it('defaults to a 60 s limit and no e-mail or extra topic', async () => {
    const { parseSettings } = await import('../src/settings.js');
    expect(parseSettings(base).alarms).toEqual({ timeToMatchP95Seconds: 60 });
  });
});
