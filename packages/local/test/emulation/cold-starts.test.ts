import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGameServer, type InvocationReport, type LocalStack } from '../../src/index.js';
import { playFullMatch } from '../helpers/full-match.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * Every invocation of every function is a cold start (coldStartEvery: 1): a
 * fresh instance of its modules, SDK clients and lazy dependencies included.
 * The product must not care: the match forms, plays and is rated as without.
 */
let stack: LocalStack;
const reports: InvocationReport[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['us-east-1'],
    teamSize: 1,
    gameServer: defaultGameServer,
    emulate: { coldStartEvery: 1 },
  });
  stack.lambdas.on('invocation', (report) => reports.push(report));
});
afterAll(() => stack.stop());

describe('cold starts on every invocation', () => {
  it('a 1v1 match still forms, plays and finishes, rating both players once', async () => {
    const result = await playFullMatch(stack, ['cold-alice', 'cold-bob'], 'us-east-1');
    expect(new Set(result.finished.map((f) => f.outcome))).toEqual(new Set(['home']));
    const byTeam = Object.fromEntries(result.finished.map((f) => [f.team, f.rating as { rating: number }]));
    expect(byTeam.home?.rating).toBeGreaterThan(1500);
    expect(byTeam.away?.rating).toBeLessThan(1500);
    for (const [i, profile] of result.profiles.entries()) {
      expect(profile).toMatchObject({ status: 'idle', matchId: null, region: 'us-east-1' });
      const finished = result.finished[i] as unknown as { rating: { rating: number } };
      expect(profile.rating).toBe(finished.rating.rating);
    }
    const tables = tableReader(stack);
    await eventually(async () => {
      const match = (await tables.matches()).find((m) => m.matchId === result.matchId);
      expect(match).toMatchObject({ state: 'finished', outcome: 'home' });
    });
    expect(await tables.tickets()).toEqual([]);
    await stack.settled();

    // Every invocation ran on a module instance of its own...
    const names = new Set(reports.map((r) => r.name));
    for (const name of ['connect', 'joinQueue', 'matchmaker', 'serverReady', 'matchResult'])
      expect(names).toContain(name);
    expect(reports.filter((r) => !r.coldStart)).toEqual([]);
    expect(reports.filter((r) => r.name === 'matchmaker').length).toBeGreaterThan(1);
    // ...and none failed for it.
    expect(reports.filter((r) => r.outcome !== 'success')).toEqual([]);
    expect(stack.sqs.deadLetters(stack.queueUrl)).toEqual([]);
  });
});
