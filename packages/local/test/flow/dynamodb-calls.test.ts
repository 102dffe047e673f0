import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { callback, openSession } from '../helpers/callbacks.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * What one 1v1 costs in DynamoDB calls, counted by dynalite, from the two
 * joins to both players rated and the tickets gone (the game server's part
 * played by the test), once the matchmaker is warm (its cold start reads the
 * pool once: 16 Queries, one per shard). A guard: a change that adds calls
 * to the path every match takes fails here, and has to say why in this budget.
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({ regions: ['eu-west-1'], teamSize: 1 });
});
afterAll(() => stack.stop());

async function callsDuring(work: () => Promise<void>): Promise<Record<string, number>> {
  const before = await stack.dynamoCalls();
  await work();
  await stack.settled();
  const after = await stack.dynamoCalls();
  return Object.fromEntries(
    Object.entries(after)
      .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

describe('DynamoDB calls per match', () => {
  it('a 1v1 from the joins to both players rated', async () => {
    await playOneMatch(['warm-a', 'warm-b']); // the matchmaker's cold start (its one full read) is not per match
    const players = await Promise.all(['calls-a', 'calls-b'].map((id) => TestPlayer.connect(stack, id)));
    const match = await callsDuring(() => playOneMatch(players));
    // Joins 2 x 6 (message limit 2, player read, markQueued, ticket, the wait estimate's one BatchGetItem),
    // passes up to 2 x 1 (epoch) + 2 claims + the match + the queue's figures (the minute's matches: one
    // ADD; players waiting: one SET per pass that changed them, so up to 2), the starter 5 (match, 2 players,
    // bootstrap, task), the session 2, ready 6 (match read and update, 2 players, 2 tickets deleted), the
    // result 4 (match read and update, 2 ratings).
    expect(total(match)).toBeLessThanOrEqual(37);
    // No read of the pool per pass or per match: every call names its item.
    expect(match.Query ?? 0).toBe(0);
    expect(match.Scan ?? 0).toBe(0);
  });
});

async function playOneMatch(who: string[] | TestPlayer[]): Promise<void> {
  const players = await Promise.all(
    who.map((p) => (typeof p === 'string' ? TestPlayer.connect(stack, p) : Promise.resolve(p))),
  );
  let matchId = '';
  {
    for (const player of players) player.send({ action: 'joinQueue', region: 'eu-west-1' });
    const found = await Promise.all(players.map((p) => p.next('matchFound')));
    matchId = String(found[0]?.matchId);
    await stack.settled();
    const { token } = await openSession(stack, matchId);
    expect((await callback(stack, matchId, 'ready', { port: 5000 }, token)).status).toBe(200);
    expect((await callback(stack, matchId, 'result', { outcome: 'home' }, token)).status).toBe(200);
    await Promise.all(players.map((p) => p.next('matchFinished')));
  }
}
