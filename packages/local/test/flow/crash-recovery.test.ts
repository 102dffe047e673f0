import {
  CLAIM_TIMEOUT_MS,
  cancelMatch,
  enforceDeadlines,
  type LifecycleDeps,
  lifecycleDeps,
  matchmakerState,
  matchStartQueue,
  queueStatsRepository,
  recordMatch,
  recoverStaleClaims,
  runMatchmakingPass,
  startMatch,
  type TicketItem,
  WaitingPool,
} from '@matchmaking/functions/lifecycle';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { queueDirectly } from '../helpers/direct-queue.js';
import type { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';

/*
 * A matchmaker killed between any two steps of match creation (claim ->
 * store -> mark players -> MATCH FOUND -> RunTask -> record the task) must
 * leave nothing stranded: within a bounded time (the claim timeout, the ready
 * deadline, both swept by the tick) every player is back in the queue and the
 * next pass matches them. The real use cases run against dynalite and the
 * emulators; one dependency call never returns, as when Lambda kills a run.
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;
let deps: LifecycleDeps;
let players: TestPlayer[] = [];
let counter = 0;
const REGION = 'eu-west-1';
const POOL = { queue: 'default', region: REGION };
const READY_TIMEOUT_SECONDS = 1;
const settings = { readyTimeoutSeconds: READY_TIMEOUT_SECONDS };
const timings = { callbackBaseUrl: 'http://127.0.0.1:1', maxMatchSeconds: 60, idleSeconds: 60 };
const budget = { maxMatches: 100, maxMilliseconds: 10_000 };
const matching = { teamSize: 1, windowInitial: 1000, windowGrowthPerSecond: 0, windowMax: 1000 };
const queue = { name: 'default', teamSize: 1, maxWaitSeconds: 3600, matching };

beforeAll(async () => {
  stack = await startTestStack({
    regions: [REGION],
    teamSize: 1,
    readyTimeoutSeconds: READY_TIMEOUT_SECONDS,
  });
  tables = tableReader(stack);
  deps = lifecycleDeps();
});
afterEach(async () => {
  await Promise.all(players.map((p) => p.close()));
  players = [];
  await stack.ecs.stopAll();
  await stack.settled();
});
afterAll(() => stack.stop());

/** Two connected players with waiting tickets, written the way joinQueue writes them (no pass is asked for). */
async function queuedPair(): Promise<Map<string, TicketItem>> {
  const items = new Map<string, TicketItem>();
  for (const side of ['a', 'b']) {
    counter += 1;
    const { player, ticket } = await queueDirectly(stack, deps, REGION, `crash-${side}${counter}`);
    players.push(player);
    items.set(ticket.ticketId, ticket);
  }
  return items;
}

const never = () => new Promise<never>(() => undefined);

/** deps whose `method` of `part` never returns from its `nth` call on (a run killed there). */
function killedAt(
  part: 'tickets' | 'matches' | 'players' | 'notifier' | 'launcher',
  method: string,
  nth = 1,
) {
  let calls = 0;
  const target = deps[part] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const wrapped = new Proxy(target, {
    get(object, name) {
      const value = Reflect.get(object, name) as unknown;
      if (name !== method || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(object) : value;
      return (...args: unknown[]) => {
        calls += 1;
        return calls >= nth ? never() : (value as (...a: unknown[]) => Promise<unknown>).apply(object, args);
      };
    },
  });
  return { ...deps, [part]: wrapped } as LifecycleDeps;
}

const later = (ms: number): LifecycleDeps => ({ ...deps, clock: { now: () => Date.now() + ms } });

/** What the tick does after the claim timeout and the ready deadline, then a pass. */
async function recoverAndPass() {
  await recoverStaleClaims(later(CLAIM_TIMEOUT_MS + 1000), [POOL]);
  await enforceDeadlines(
    { ...later(READY_TIMEOUT_SECONDS * 1000 + 1000), starts: matchStartQueue() },
    settings,
  );
  await stack.settled();
  await runMatchmakingPass(
    { ...deps, starts: matchStartQueue(), state: matchmakerState(), stats: queueStatsRepository() },
    queue,
    settings,
    budget,
    [REGION],
    { pool: new WaitingPool('default'), served: [REGION], changes: [] },
  );
  await stack.settled();
}

/** Where the run stops: the serial pass (record) or the match starter (start), and which call never returns. */
const crashPoints: [string, 'record' | 'start', () => LifecycleDeps][] = [
  ['the pass, after claiming one ticket of two', 'record', () => killedAt('tickets', 'claim', 2)],
  [
    'the pass, after claiming every ticket, before storing the match',
    'record',
    () => killedAt('matches', 'create'),
  ],
  ['the pass, after storing the match, before handing it to the starter', 'record', () => deps],
  ['the starter, before marking the players', 'start', () => killedAt('players', 'markMatched')],
  ['the starter, after marking the players, before MATCH FOUND', 'start', () => killedAt('notifier', 'send')],
  ['the starter, after MATCH FOUND, before RunTask', 'start', () => killedAt('launcher', 'start')],
  ['the starter, after RunTask, before recording the task', 'start', () => killedAt('matches', 'setTask')],
];

describe('a matchmaker killed during match creation', () => {
  it.each(crashPoints)(
    'in %s: the players are matched again within a bounded time',
    async (_, stage, crashed) => {
      const items = await queuedPair();
      const userIds = players.map((p) => p.userId);
      const formed = {
        queue: 'default',
        region: REGION,
        home: [{ ticketId: [...items.keys()][0] as string }],
        away: [{ ticketId: [...items.keys()][1] as string }],
      };
      if (stage === 'record') void recordMatch(crashed(), settings, formed as never, items);
      else {
        const recorded = await recordMatch(deps, settings, formed as never, items);
        if (recorded.kind !== 'recorded') throw new Error(`not recorded: ${recorded.kind}`);
        void startMatch(crashed(), timings, recorded.matchId);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      await stack.settled();

      await recoverAndPass();

      const mine = (await tables.tickets()).filter((t) => userIds.includes(t.players[0].userId));
      const matches = await tables.matches();
      // Nothing claimed by a match that does not exist, or by one that is over.
      for (const ticket of mine) {
        if (ticket.state !== 'claimed') continue;
        const match = matches.find((m) => m.matchId === ticket.matchId);
        expect(match?.state).toBe('starting');
      }
      // Both players are in the same live match again, with a task.
      const states = await Promise.all(userIds.map((id) => tables.player(id)));
      expect(states.map((p) => p?.status)).toEqual(['matched', 'matched']);
      expect(states[0]?.matchId).toBe(states[1]?.matchId);
      const live = matches.find((m) => m.matchId === states[0]?.matchId);
      expect(live).toMatchObject({ state: 'starting', taskArn: expect.any(String) });
      // MATCH FOUND at most once more than the players would have had anyway.
      expect(players[0]?.count('matchFound')).toBeGreaterThanOrEqual(1);
      expect(players[0]?.count('matchFound')).toBeLessThanOrEqual(2);
    },
  );
});

describe('a batch redelivered after its pass failed', () => {
  it('(the hand-over to the starter failed) hands over the match it recorded and makes no second one', async () => {
    const items = await queuedPair();
    const view = {
      pool: new WaitingPool('default'),
      served: [REGION],
      changes: [...items.values()],
      unstarted: new Set<string>(),
    };
    const failing = {
      requestStarts: async () => {
        throw new Error('SQS is unavailable');
      },
    };
    const pass = (starts: { requestStarts(ids: readonly string[]): Promise<void> }) =>
      runMatchmakingPass(
        { ...deps, starts, state: matchmakerState(), stats: queueStatsRepository() },
        queue,
        settings,
        budget,
        [REGION],
        view,
      );
    stack.metrics.take();
    await expect(pass(failing)).rejects.toThrow('SQS is unavailable');
    // The match and its tickets' times were published as soon as it was recorded, before the hand-over failed.
    expect(stack.metrics.figures()).toMatchObject({ created: 1 });
    expect(stack.metrics.figures().timeToMatchSeconds).toHaveLength(2);
    // The batch comes back to the same instance: the same changes, the same pool.
    await pass(matchStartQueue());
    await stack.settled();
    // Its re-run finds the match recorded: counted once.
    expect(stack.metrics.figures()).toMatchObject({ created: 1 });

    const states = await Promise.all(players.map((p) => tables.player(p.userId)));
    expect(states.map((p) => p?.status)).toEqual(['matched', 'matched']);
    expect(states[0]?.matchId).toBe(states[1]?.matchId);
    const theirs = (await tables.matches()).filter((m) =>
      [...m.home, ...m.away].some((member: { userId: string }) => member.userId === players[0]?.userId),
    );
    expect(theirs).toHaveLength(1);
    for (const player of players) expect(player.count('matchFound')).toBe(1);
  });
});

describe('a cancellation that runs twice', () => {
  it('(a re-run after a crash, or the deadline and a task event at once) keeps the requeued players queued, told once', async () => {
    const items = await queuedPair();
    const formed = {
      queue: 'default',
      region: REGION,
      home: [{ ticketId: [...items.keys()][0] as string }],
      away: [{ ticketId: [...items.keys()][1] as string }],
    };
    const recorded = await recordMatch(deps, settings, formed as never, items);
    if (recorded.kind !== 'recorded') throw new Error(recorded.kind);
    await startMatch(deps, timings, recorded.matchId);
    const match = await deps.matches.get(recorded.matchId);
    if (!match) throw new Error('no match');
    await cancelMatch(deps, match, 'first run');
    await Promise.all([cancelMatch(deps, match, 'second run'), cancelMatch(deps, match, 'third run')]);
    await stack.settled();
    for (const player of players) {
      // Back in the queue (or already matched again by the pass the requeue asked for), never idle.
      expect(['queued', 'matched']).toContain((await tables.player(player.userId))?.status);
      const cancels = player.events.filter((e) => e.type === 'matchCancelled' && e.matchId === match.matchId);
      expect(cancels.map((e) => e.requeued)).toEqual([true]);
    }
    // Both tickets still exist (waiting, or claimed by the new match).
    const mine = (await tables.tickets()).filter((t) => items.has(t.ticketId as string));
    expect(mine).toHaveLength(2);
  });
});

describe('the tick', () => {
  it('releases a claim older than the claim timeout whose match was never stored, and the pass matches the players', async () => {
    const items = await queuedPair();
    const long = Date.now() - CLAIM_TIMEOUT_MS - 1000;
    for (const ticket of items.values())
      await deps.tickets.claim({ ...POOL, ticketId: ticket.ticketId }, 'never-stored-match', long, 0);
    await stack.tick();
    await stack.settled();
    const states = await Promise.all(players.map((p) => tables.player(p.userId)));
    expect(states.map((p) => p?.status)).toEqual(['matched', 'matched']);
    expect(states[0]?.matchId).toBe(states[1]?.matchId);
  });

  it('leaves a fresh claim alone (its pass may still be running)', async () => {
    const items = await queuedPair();
    for (const ticket of items.values())
      await deps.tickets.claim({ ...POOL, ticketId: ticket.ticketId }, 'in-flight-match', Date.now(), 0);
    await stack.tick();
    await stack.settled();
    const mine = (await tables.tickets()).filter((t) => items.has(t.ticketId as string));
    expect(mine.map((t) => t.state)).toEqual(['claimed', 'claimed']);
  });
});
