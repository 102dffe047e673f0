import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';

/*
 * The real game server, matched players who never connect to it: after its
 * idle time it ends the match unplayed (instead of running for
 * MAX_MATCH_SECONDS), and the players are told, free, and not rated.
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    teamSize: 1,
    gameServer: defaultGameServer,
    gameServerIdleSeconds: 1,
  });
  tables = tableReader(stack);
});
afterAll(() => stack.stop());

describe('a game server nobody connects to', () => {
  it('ends the match unplayed after its idle time: abandoned, no rating change', async () => {
    const a = await TestPlayer.connect(stack, 'idle-a');
    const b = await TestPlayer.connect(stack, 'idle-b');
    await a.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
    await b.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
    const ready = await a.next('serverReady', 0, 20_000);
    const abandoned = await a.next('matchAbandoned', 0, 20_000);
    expect(abandoned).toMatchObject({
      matchId: ready.matchId,
      reason: 'the game server stopped (no player connected to the game server)',
    });
    await b.next('matchAbandoned');
    await stack.settled();
    for (const id of ['idle-a', 'idle-b'])
      expect(await tables.player(id)).toMatchObject({ status: 'idle', rating: 1500, rd: 350 });
    const task = [...stack.ecs.tasks.values()].find((t) => t.environment.MATCH_ID === ready.matchId);
    expect(task?.lastStatus).toBe('STOPPED');
    expect(task?.exitCode).toBe(4);
    await Promise.all([a.close(), b.close()]);
  });
});
