import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordingMetrics } from '../src/metrics/matchmaking-metrics.js';
import { METRICS, METRICS_NAMESPACE } from '../src/metrics/metric-names.js';
import { powertoolsMetrics } from '../src/metrics/powertools-metrics.js';

/*
 * What CloudWatch receives: Powertools writes each record as one JSON line on
 * stdout (the embedded metric format), which CloudWatch Logs turns into
 * metrics. These tests read those lines as written.
 */
interface EmfRecord {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** The EMF records written to stdout while `act` runs. */
async function emfWrittenBy(act: () => Promise<unknown> | unknown): Promise<EmfRecord[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest) => {
    const text = String(chunk);
    if (text.startsWith('{"_aws"')) {
      lines.push(text);
      return true;
    }
    return write(chunk, ...(rest as []));
  }) as typeof process.stdout.write);
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as EmfRecord);
}

/** Each record as `{name: [unit, value], dimension names, dimension values}`. */
function readable(record: EmfRecord) {
  const [directive] = record._aws.CloudWatchMetrics;
  const dimensionNames = directive?.Dimensions[0] ?? [];
  return {
    namespace: directive?.Namespace,
    dimensions: Object.fromEntries(dimensionNames.map((name) => [name, record[name]])),
    metrics: Object.fromEntries(
      (directive?.Metrics ?? []).map((metric) => [
        metric.Name,
        { unit: metric.Unit, value: record[metric.Name] },
      ]),
    ),
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the published metrics (EMF on stdout)', () => {
  it('a failed matchmaking pass, from the real matchmaker handler: PassFailed in Matchmaking with the deployment', async () => {
    // A DynamoDB nobody answers: the pass's first read fails, as a throttled or broken table would.
    const env: Record<string, string> = {
      CONNECTIONS_TABLE: 'connections',
      PLAYERS_TABLE: 'players',
      TICKETS_TABLE: 'tickets',
      MATCHES_TABLE: 'matches',
      PARTIES_TABLE: 'parties',
      MATCHMAKER_TABLE: 'matchmaker',
      MATCHMAKING_QUEUE_URL: 'http://127.0.0.1:9/q.fifo',
      MATCH_START_QUEUE_URL: 'http://127.0.0.1:9/s.fifo',
      WEBSOCKET_MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9',
      MATCHMAKING_REGIONS: 'eu-west-1',
      METRICS_DEPLOYMENT: 'matchmaking-test',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const { handler } = await import('../src/handlers/matchmaker.js');
    const body = { reason: 'tick', queue: 'duel', regions: ['eu-west-1'], requestedAt: Date.now() };
    const event = { Records: [{ messageId: 'm1', body: JSON.stringify(body) }] } as unknown as SQSEvent;

    let result: unknown;
    const records = await emfWrittenBy(async () => {
      result = await handler(event);
    });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(records.map(readable)).toEqual([
      {
        namespace: METRICS_NAMESPACE,
        dimensions: { service: 'matchmaking', deployment: 'matchmaking-test' },
        metrics: { PassFailed: { unit: 'Count', value: 1 } },
      },
    ]);
    expect(records[0]?._aws.Timestamp).toBeGreaterThan(Date.now() - 60_000);
  });

  it('one record per dimension set, with each metric in its unit; counts summed, timings value by value', async () => {
    const metrics = powertoolsMetrics('matchmaking-prod');
    metrics.playerJoined('duel', 'eu-west-1', 1);
    metrics.playerJoined('duel', 'eu-west-1', 2);
    metrics.matchCreated('duel', 'eu-west-1');
    metrics.timeToMatch('duel', 'eu-west-1', 1.5);
    metrics.timeToMatch('duel', 'eu-west-1', 3);
    metrics.timeToMatch('squad', 'us-east-1', 7);
    metrics.matchCancelled('noCapacity');
    metrics.matchAbandoned('maxMatchTime');
    metrics.requeued('noCapacity', 2);
    metrics.passDuration(42);
    metrics.timeToPlay('eu-west-1', 0.8);
    metrics.warmServersIdle('eu-west-1', 3);

    const records = (await emfWrittenBy(() => metrics.publish())).map(readable);

    const deployment = { service: 'matchmaking', deployment: 'matchmaking-prod' };
    expect(records).toEqual([
      {
        namespace: 'Matchmaking',
        dimensions: { ...deployment, queue: 'duel', region: 'eu-west-1' },
        metrics: {
          PlayersJoined: { unit: 'Count', value: 3 },
          MatchesCreated: { unit: 'Count', value: 1 },
          TimeToMatch: { unit: 'Seconds', value: [1.5, 3] },
        },
      },
      {
        namespace: 'Matchmaking',
        dimensions: { ...deployment, queue: 'squad', region: 'us-east-1' },
        metrics: { TimeToMatch: { unit: 'Seconds', value: 7 } },
      },
      {
        namespace: 'Matchmaking',
        dimensions: { ...deployment, reason: 'noCapacity' },
        metrics: { MatchesCancelled: { unit: 'Count', value: 1 }, Requeued: { unit: 'Count', value: 2 } },
      },
      {
        namespace: 'Matchmaking',
        dimensions: { ...deployment, reason: 'maxMatchTime' },
        metrics: { MatchesAbandoned: { unit: 'Count', value: 1 } },
      },
      {
        namespace: 'Matchmaking',
        dimensions: deployment,
        metrics: { PassDuration: { unit: 'Milliseconds', value: 42 } },
      },
      {
        namespace: 'Matchmaking',
        dimensions: { ...deployment, region: 'eu-west-1' },
        metrics: {
          TimeToPlay: { unit: 'Seconds', value: 0.8 },
          WarmServersIdle: { unit: 'Count', value: 3 },
        },
      },
    ]);
    // Published once: the next invocation starts empty.
    expect(await emfWrittenBy(() => metrics.publish())).toEqual([]);
  });

  it('keeps the dimensions past 100 values of a timing (EMF takes at most 100 per record), with the counts of the group', async () => {
    const metrics = powertoolsMetrics('d');
    for (let i = 0; i < 250; i += 1) {
      metrics.timeToMatch('duel', 'eu-west-1', i);
      if (i % 2 === 0) metrics.matchCreated('duel', 'eu-west-1');
    }

    const records = (await emfWrittenBy(() => metrics.publish())).map(readable);

    expect(records.map((r) => (r.metrics.TimeToMatch?.value as number[] | undefined)?.length)).toEqual([
      99, 99, 52,
    ]);
    for (const record of records)
      expect(record.dimensions).toMatchObject({ queue: 'duel', region: 'eu-west-1' });
    expect(records.reduce((sum, r) => sum + Number(r.metrics.MatchesCreated?.value ?? 0), 0)).toBe(125);
  });

  it('names every metric of the definitions, with the dimensions they declare', () => {
    const recorder = recordingMetrics();
    recorder.playerJoined('q', 'r', 1);
    recorder.timeToMatch('q', 'r', 1);
    recorder.matchCreated('q', 'r');
    recorder.matchCancelled('declined');
    recorder.matchAbandoned('noPlayers');
    recorder.passDuration(1);
    recorder.passFailed();
    recorder.timeToPlay('r', 1);
    recorder.warmServersIdle('r', 1);
    recorder.requeued('staleClaim', 1);

    expect(recorder.records.map((r) => r.name).sort()).toEqual(Object.keys(METRICS).sort());
    for (const record of recorder.records)
      expect(Object.keys(record.dimensions).sort(), record.name).toEqual(
        [...METRICS[record.name].dimensions].sort(),
      );
  });
});
