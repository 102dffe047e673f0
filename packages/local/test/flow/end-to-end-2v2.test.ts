import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { playFullMatch } from '../helpers/full-match.js';
import { startTestStack } from '../helpers/stack.js';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    teamSize: 2,
    gameServer: defaultGameServer,
  });
});
afterAll(() => stack.stop());

describe('end to end, 2v2, with a real game-server process', () => {
  it('forms two teams of two, runs the match and moves each team the same way', async () => {
    const result = await playFullMatch(stack, ['p1', 'p2', 'p3', 'p4'], 'eu-west-1');
    const teams = result.found[0]?.teams as { home: string[]; away: string[] };
    expect(teams.home).toHaveLength(2);
    expect(teams.away).toHaveLength(2);
    expect(new Set([...teams.home, ...teams.away])).toEqual(new Set(['p1', 'p2', 'p3', 'p4']));
    for (const finished of result.finished) {
      const rating = (finished.rating as { rating: number }).rating;
      if (finished.team === 'home') expect(rating).toBeGreaterThan(1500);
      else expect(rating).toBeLessThan(1500);
    }
  });
});
