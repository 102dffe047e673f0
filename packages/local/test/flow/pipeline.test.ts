import {
  type LifecycleDeps,
  lifecycleDeps,
  matchmakerState,
  matchStartQueue,
  queueStatsRepository,
  runMatchmakingPass,
  type TicketItem,
  WaitingPool,
} from '@matchmaking/functions/lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { queueDirectly } from '../helpers/direct-queue.js';
import type { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * The pipeline: the serial pass only claims and records matches and hands
 * them to the match starter (it never marks players, sends, or calls
 * RunTask), and a pass past its budget stops and asks for a continuation.
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;
let deps: LifecycleDeps;
let counter = 0;
const REGION = 'eu-west-1';
const matching = { teamSize: 1, windowInitial: 1000, windowGrowthPerSecond: 0, windowMax: 1000 };
const queue = { name: 'default', teamSize: 1, maxWaitSeconds: 3600, matching };
const settings = { readyTimeoutSeconds: 30 };

beforeAll(async () => {
  stack = await startTestStack({ regions: [REGION], teamSize: 1 });
  tables = tableReader(stack);
  deps = lifecycleDeps();
});
afterAll(() => stack.stop());

/** `count` connected players with waiting tickets, written the way joinQueue writes them (no pass asked for). */
async function queued(count: number) {
  const players: TestPlayer[] = [];
  const items = new Map<string, TicketItem>();
  for (let i = 0; i < count; i += 1) {
    counter += 1;
    const { player, ticket } = await queueDirectly(stack, deps, REGION, `pipe-${counter}`);
    players.push(player);
    items.set(ticket.ticketId, ticket);
  }
  return { players, items };
}

describe('the serial pass', () => {
  it('only claims and records matches and hands them over: no player is marked, told or given a server by it', async () => {
    const { players } = await queued(6);
    const handed: string[] = [];
    const starts = { requestStarts: async (ids: readonly string[]) => void handed.push(...ids) };
    const [summary] = await runMatchmakingPass(
      { ...deps, starts, state: matchmakerState(), stats: queueStatsRepository() },
      queue,
      settings,
      { maxMatches: 100, maxMilliseconds: 10_000 },
      [REGION],
      { pool: new WaitingPool('default'), served: [REGION], changes: [] },
    );
    expect(summary).toMatchObject({ recorded: 3, cut: false });
    expect(new Set(handed).size).toBe(3);
    const matches = (await tables.matches()).filter((m) => handed.includes(m.matchId as string));
    expect(matches.map((m) => m.state)).toEqual(['starting', 'starting', 'starting']);
    expect(matches.every((m) => m.taskArn === undefined)).toBe(true);
    for (const player of players) {
      expect(await tables.player(player.userId)).toMatchObject({ status: 'queued' });
      expect(player.count('matchFound')).toBe(0);
    }
    // The match starter does the rest.
    await matchStartQueue().requestStarts(handed);
    await stack.settled();
    for (const player of players) await player.next('matchFound');
    await Promise.all(players.map((p) => p.close()));
  });

  it('stops at its budget and asks for a continuation, which matches everyone else', async () => {
    await stack.settled();
    const { players } = await queued(10);
    const [summary] = await runMatchmakingPass(
      { ...deps, starts: matchStartQueue(), state: matchmakerState(), stats: queueStatsRepository() },
      queue,
      settings,
      { maxMatches: 2, maxMilliseconds: 10_000 },
      [REGION],
      { pool: new WaitingPool('default'), served: [REGION], changes: [] },
    );
    expect(summary).toMatchObject({ recorded: 2, cut: true });
    // The continuation (the stack's own matchmaker, default budget) records the other three.
    await stack.settled();
    await eventually(async () => {
      for (const player of players)
        expect(await tables.player(player.userId)).toMatchObject({ status: 'matched' });
    });
    await Promise.all(players.map((p) => p.close()));
  });
});
