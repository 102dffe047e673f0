import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { repoRoot } from '../../src/lambda.js';
import { MAX_TIMINGS_PER_PERIOD, MetricsSummary } from '../../src/metrics-summary.js';
import { type EmfRecord, emfRecordOf, tapEmf } from '../../src/metrics-summary-emf-tap.js';
import { devToken, freePort } from '../helpers/dev-cli.js';
import { TestPlayer } from '../helpers/player.js';

/*
 * Issue 14 locally: `pnpm dev` prints a one-line summary of the metrics the
 * handlers publish, computed from their EMF records (the lines CloudWatch
 * would read), every --metrics-summary-seconds; the records themselves stay
 * off the terminal unless --log-level DEBUG.
 */
let dev: ChildProcess | undefined;
afterAll(() => {
  if (dev && dev.exitCode === null) dev.kill('SIGKILL');
});

/** The summary lines printed so far, each parsed into its figures. */
function summaries(output: string) {
  const pattern =
    /^metrics \(last 1 s\): (\d+) joined, (\d+) matches created, (\d+) cancelled(?: \([^)]*\))?, (\d+) abandoned(?: \([^)]*\))?, time to match (-|p50 [\d.]+ s p95 [\d.]+ s), pass (-|p95 \d+ ms), (\d+) failed passes, time to play (-|p50 [\d.]+ s), (\d+) requeues(?: \([^)]*\))?$/gm;
  return [...output.matchAll(pattern)].map((m) => ({
    joined: Number(m[1]),
    created: Number(m[2]),
    cancelled: Number(m[3]),
    abandoned: Number(m[4]),
    timeToMatch: m[5],
    pass: m[6],
    failed: Number(m[7]),
    timeToPlay: m[8],
    requeues: Number(m[9]),
  }));
}

describe('pnpm dev --metrics-summary-seconds', () => {
  it('prints what the handlers published (joins, the match, its times) once a period, and no EMF line', async () => {
    const port = await freePort();
    dev = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'packages/local/src/cli/dev.ts'),
        ...['--port', String(port), '--tick-seconds', '0', '--team-size', '1', '--regions', 'eu-west-1'],
        ...['--metrics-summary-seconds', '1', '--log-level', 'INFO'],
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    dev.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    dev.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const until = async (what: string, done: () => boolean, ms = 25_000) => {
      const deadline = Date.now() + ms;
      while (!done()) {
        if (dev?.exitCode !== null || Date.now() > deadline) throw new Error(`${what}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await until('pnpm dev did not start', () => output.includes('matchmaking is running locally'));
    // An idle period is a line of zeros.
    await until('no summary line', () => summaries(output).length > 0);
    expect(summaries(output)[0]).toEqual({
      joined: 0,
      created: 0,
      cancelled: 0,
      abandoned: 0,
      timeToMatch: '-',
      pass: '-',
      failed: 0,
      timeToPlay: '-',
      requeues: 0,
    });

    const stack = { port, token: (userId: string) => devToken(port, userId) } as unknown as LocalStack;
    const players = await Promise.all(['ann', 'ben'].map((id) => TestPlayer.connect(stack, id)));
    for (const player of players) player.send({ action: 'joinQueue', region: 'eu-west-1' });
    await Promise.all(players.map((player) => player.next('serverReady', 0, 30_000)));

    // Added up over the periods: two joins, one match, both tickets' times to match, its time to play.
    const total = (field: 'joined' | 'created' | 'cancelled' | 'failed') =>
      summaries(output).reduce((sum, s) => sum + s[field], 0);
    await until('the match is not in the summaries', () =>
      summaries(output).some((s) => s.timeToPlay !== '-'),
    );
    expect(total('joined')).toBe(2);
    expect(total('created')).toBe(1);
    expect(total('cancelled')).toBe(0);
    expect(total('failed')).toBe(0);
    expect(summaries(output).filter((s) => s.timeToMatch !== '-')).toHaveLength(1);
    expect(summaries(output).some((s) => s.pass !== '-')).toBe(true);
    // The records themselves went to the summary, not to the terminal (the handlers' logs did).
    expect(output).toContain('"level":"INFO"');
    expect(output).not.toContain('{"_aws"');
    expect(output).not.toContain('CloudWatchMetrics');

    for (const player of players) player.socket.close();
    const exited = new Promise<number | null>((resolve) => dev?.once('exit', resolve));
    dev.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 60_000);
});

describe('pnpm dev --metrics-summary-seconds, bounds', () => {
  const run = (...args: string[]) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'packages/local/src/cli/dev.ts'), ...args],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        // Started: long enough for a 1 s summary, were there one; then Ctrl-C.
        if (output.includes('Ctrl-C stops everything') && !child.killed)
          setTimeout(() => child.kill('SIGINT'), 1500);
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.once('exit', (code) => resolve({ code, output }));
    });

  it('refuses more than a day (a timer past 2^31 ms would fire every millisecond), exit 2, naming the flag', async () => {
    for (const seconds of ['86401', '2147484']) {
      const refused = await run('--metrics-summary-seconds', seconds);
      expect(refused.code).toBe(2);
      expect(refused.output).toContain(
        `--metrics-summary-seconds must be at most 86400 (a day; 0 turns the summary off), got ${seconds}`,
      );
      expect(refused.output).not.toContain('matchmaking is running locally');
    }
  }, 60_000);

  it('0 turns the summary off, as the README says: the banner says so and no line comes', async () => {
    const port = await freePort();
    const off = await run(
      ...['--port', String(port), '--tick-seconds', '0', '--team-size', '1', '--regions', 'eu-west-1'],
      ...['--metrics-summary-seconds', '0', '--log-level', 'SILENT'],
    );
    expect(off.code).toBe(0);
    expect(off.output).toMatch(/^ {2}metrics summary {4}off \(--metrics-summary-seconds\)$/m);
    expect(off.output).not.toContain('metrics (last');
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toMatch(/--metrics-summary-seconds[^\n]*0: none/);
    // IAM is enforced unless --no-iam says otherwise.
    expect(off.output).toMatch(
      /^ {2}IAM {16}enforced: each function may do only what its deployed policy allows/m,
    );
  }, 60_000);

  it('--no-iam turns IAM enforcement off, and the banner says so', async () => {
    const port = await freePort();
    const open = await run(
      ...['--port', String(port), '--tick-seconds', '0', '--team-size', '1', '--regions', 'eu-west-1'],
      ...['--metrics-summary-seconds', '0', '--log-level', 'SILENT', '--no-iam'],
    );
    expect(open.code).toBe(0);
    expect(open.output).toMatch(/^ {2}IAM {16}off \(--no-iam\): every call allowed$/m);
  }, 60_000);
});

describe('the EMF tap', () => {
  const record = `${JSON.stringify({
    _aws: {
      Timestamp: 1,
      CloudWatchMetrics: [
        { Namespace: 'Matchmaking', Dimensions: [['service']], Metrics: [{ Name: 'PassFailed' }] },
      ],
    },
    service: 'matchmaking',
    PassFailed: 1,
  })}\n`;

  it('takes EMF records off stdout (shown only when asked: DEBUG) and lets every other line through', () => {
    const written: string[] = [];
    const real = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const taken: unknown[] = [];
      const quiet = tapEmf((r) => taken.push(r));
      process.stdout.write(record);
      process.stdout.write('{"level":"INFO","message":"hello"}\n');
      quiet.remove();
      expect(taken).toEqual([emfRecordOf(record)]);
      expect(written).toEqual(['{"level":"INFO","message":"hello"}\n']);

      const loud = tapEmf(() => undefined, { echo: true });
      process.stdout.write(record);
      loud.remove();
      expect(written.at(-1)).toBe(record);
      // Removed: stdout is itself again.
      process.stdout.write(record);
      expect(taken).toHaveLength(1);
    } finally {
      real.mockRestore();
    }
  });
});

describe('the EMF tap, per stack', () => {
  const recordOf = (deployment: string) =>
    `${JSON.stringify({
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          {
            Namespace: 'Matchmaking',
            Dimensions: [['service', 'deployment']],
            Metrics: [{ Name: 'PassFailed' }],
          },
        ],
      },
      service: 'matchmaking',
      deployment,
      PassFailed: 1,
    })}\n`;

  it("takes only its deployment's records; one nobody takes goes through to stdout", () => {
    const written: string[] = [];
    const real = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const a: unknown[] = [];
      const b: unknown[] = [];
      const tapA = tapEmf((r) => a.push(r), { deployment: 'local-1' });
      const tapB = tapEmf((r) => b.push(r), { deployment: 'local-2' });
      process.stdout.write(recordOf('local-1'));
      process.stdout.write(recordOf('local-2'));
      process.stdout.write(recordOf('local-2'));
      process.stdout.write(recordOf('matchmaking-prod'));
      tapA.remove();
      tapB.remove();
      expect(a).toHaveLength(1);
      expect(b).toHaveLength(2);
      expect(written).toEqual([recordOf('matchmaking-prod')]);
    } finally {
      real.mockRestore();
    }
  });

  it('leaves a patch of stdout made after it in place when removed, and takes nothing more', () => {
    const written: string[] = [];
    const real = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const taken: unknown[] = [];
      const tap = tapEmf((r) => taken.push(r), { deployment: 'local-1' });
      const ours = process.stdout.write;
      // Someone patches stdout on top of the tap (a test's spy, another tool).
      const later: string[] = [];
      const patched = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
        later.push(String(chunk));
        return ours.call(this, chunk as string, ...(rest as []));
      } as typeof process.stdout.write;
      process.stdout.write = patched;
      tap.remove();
      expect(process.stdout.write).toBe(patched);
      process.stdout.write(recordOf('local-1'));
      expect(taken).toEqual([]);
      expect(later).toEqual([recordOf('local-1')]);
      expect(written).toEqual([recordOf('local-1')]);
      // A new tap on top works as ever, and the old one does not take it twice.
      const again: unknown[] = [];
      const next = tapEmf((r) => again.push(r), { deployment: 'local-1' });
      process.stdout.write(recordOf('local-1'));
      next.remove();
      expect(again).toHaveLength(1);
      expect(taken).toEqual([]);
      expect(process.stdout.write).toBe(patched);
    } finally {
      real.mockRestore();
    }
  });
});

describe('the summary, however long its period', () => {
  it('keeps counts exact and at most twice MAX_TIMINGS_PER_PERIOD values of a timing, the latest', () => {
    const summary = new MetricsSummary();
    const record = (metrics: Record<string, number | number[]>): EmfRecord => ({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [
          {
            Namespace: 'Matchmaking',
            Dimensions: [['service', 'deployment', 'queue', 'region']],
            Metrics: Object.keys(metrics).map((Name) => ({ Name })),
          },
        ],
      },
      service: 'matchmaking',
      deployment: 'd',
      queue: 'duel',
      region: 'eu-west-1',
      ...metrics,
    });
    const records = Math.ceil((3 * MAX_TIMINGS_PER_PERIOD) / 99);
    for (let i = 0; i < records; i += 1) {
      const times = Array.from({ length: 99 }, (_, j) => i * 99 + j);
      summary.add(record({ PlayersJoined: 2, TimeToMatch: times }));
    }
    const figures = summary.figures();
    expect(figures.joined).toBe(2 * records);
    const kept = figures.timeToMatchSeconds;
    expect(kept.length).toBeGreaterThanOrEqual(MAX_TIMINGS_PER_PERIOD);
    expect(kept.length).toBeLessThanOrEqual(2 * MAX_TIMINGS_PER_PERIOD);
    // The latest values stay.
    expect(kept.at(-1)).toBe(records * 99 - 1);
    expect(summary.take().joined).toBe(2 * records);
    expect(summary.figures().timeToMatchSeconds).toEqual([]);
  });
});

describe('the summary line', () => {
  /** An EMF record as Powertools writes it: one dimension set, these metrics. */
  const emf = (
    dimensions: Record<string, string>,
    metrics: Record<string, number | number[]>,
  ): EmfRecord => ({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: 'Matchmaking',
          Dimensions: [['service', 'deployment', ...Object.keys(dimensions)]],
          Metrics: Object.keys(metrics).map((Name) => ({ Name })),
        },
      ],
    },
    service: 'matchmaking',
    deployment: 'matchmaking',
    ...dimensions,
    ...metrics,
  });

  it("adds up a period's records, by reason, with nearest-rank percentiles; the README shows its shape", () => {
    const summary = new MetricsSummary();
    const pool = { queue: 'duel', region: 'us-east-1' };
    summary.add(emf(pool, { PlayersJoined: 7, MatchesCreated: 2, TimeToMatch: [4, 1, 2, 3] }));
    summary.add(emf(pool, { PlayersJoined: 5, MatchesCreated: 3 }));
    summary.add(emf({ reason: 'noCapacity' }, { MatchesCancelled: 1, Requeued: 2 }));
    summary.add(emf({}, { PassDuration: [10, 40] }));
    summary.add(emf({ region: 'us-east-1' }, { TimeToPlay: 0.9, WarmServersIdle: 1 }));
    // Another namespace is not ours.
    summary.add({ ...emf({}, { PassFailed: 1 }), _aws: { Timestamp: 0, CloudWatchMetrics: [] } });

    const line = summary.line(60);

    expect(line).toBe(
      'metrics (last 60 s): 12 joined, 5 matches created, 1 cancelled (noCapacity 1), 0 abandoned, ' +
        'time to match p50 2.0 s p95 4.0 s, pass p95 40 ms, 0 failed passes, time to play p50 0.9 s, ' +
        '2 requeues (noCapacity 2), warm idle us-east-1 1',
    );
    // The next period starts empty; the pool's last report stays.
    expect(summary.line(60)).toMatch(/: 0 joined, 0 matches created, .* 0 requeues, warm idle us-east-1 1$/);
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const example = /^metrics \(last 60 s\): .*$/m.exec(readme)?.[0];
    const shape = (text: string) => text.replace(/\d+(\.\d+)?/g, 'N');
    expect(example && shape(example)).toBe(shape(line));
  });
});
