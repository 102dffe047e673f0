import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { playFullMatch } from '../helpers/full-match.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1', 'us-east-1'],
    teamSize: 1,
    gameServer: defaultGameServer,
  });
});
afterAll(() => stack.stop());

describe('end to end, 1v1, with a real game-server process', () => {
  it('connects, joins, matches, starts the server, plays HOME and rates both players once', async () => {
    const result = await playFullMatch(stack, ['alice', 'bob'], 'us-east-1');
    const [alice, bob] = result.finished;
    const winner = result.found.find((f) => f.team === 'home')?.teams as { home: string[] };
    expect(result.homeTeam).toEqual(winner);
    for (const event of [alice, bob]) expect(event?.outcome).toBe('home');
    const byTeam = Object.fromEntries(result.finished.map((f) => [f.team, f.rating as { rating: number }]));
    expect(byTeam.home?.rating).toBeGreaterThan(1500);
    expect(byTeam.away?.rating).toBeLessThan(1500);
    for (const [i, profile] of result.profiles.entries()) {
      expect(profile).toMatchObject({ status: 'idle', matchId: null, region: 'us-east-1' });
      const finished = result.finished[i] as unknown as { rating: { rating: number } };
      expect(profile.rating).toBe(finished.rating.rating);
    }
    expect(result.gameMessages).toContain('match finished: HOME wins');
    // The server exits after the result; ECS reports it stopped, which changes nothing for a finished match.
    const tables = tableReader(stack);
    await eventually(async () => {
      const match = (await tables.matches()).find((m) => m.matchId === result.matchId);
      expect(match).toMatchObject({ state: 'finished', outcome: 'home' });
      expect([...stack.ecs.tasks.values()].every((t) => t.lastStatus === 'STOPPED')).toBe(true);
    });
    expect(await tables.tickets()).toEqual([]);
  });
});
