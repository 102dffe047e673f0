import {
  cancelMatch,
  type LifecycleDeps,
  lifecycleDeps,
  matchmakerState,
  newTicketId,
  POOL_RESYNC_MS,
  queueStatsRepository,
  recordMatch,
  runMatchmakingPass,
  type TicketItem,
  WaitingPool,
} from '@matchmaking/functions/lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { queueDirectly } from '../helpers/direct-queue.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * The matchmaker's in-memory pool against the real tables: a full read only
 * on a cold start, after another instance's pass, or when the resync is due;
 * otherwise the queue changes are enough. A lost change costs at most one
 * resync period; a ticket that left costs one failed claim.
 */
let stack: LocalStack;
let deps: LifecycleDeps;
let counter = 0;
const REGION = 'eu-west-1';
const POOL = { queue: 'default', region: REGION };
const matching = { teamSize: 1, windowInitial: 1000, windowGrowthPerSecond: 0, windowMax: 1000 };
const queue = { name: 'default', teamSize: 1, maxWaitSeconds: 3600, matching };
const settings = { readyTimeoutSeconds: 30 };
const budget = { maxMatches: 100, maxMilliseconds: 10_000 };
const handed: string[] = [];
const starts = { requestStarts: async (ids: readonly string[]) => void handed.push(...ids) };

beforeAll(async () => {
  stack = await startTestStack({ regions: [REGION], teamSize: 1 });
  deps = lifecycleDeps();
});
afterAll(() => stack.stop());

/** A waiting ticket in the table (the stack's own matchmaker is never asked for a pass). */
async function ticket(): Promise<TicketItem> {
  counter += 1;
  return (await queueDirectly(stack, deps, REGION, `pool-${counter}`)).ticket;
}

function pass(
  pool: WaitingPool,
  changes: TicketItem[],
  clockShiftMs = 0,
  more: { onlyChanges?: boolean } = {},
) {
  const clock = { now: () => Date.now() + clockShiftMs };
  return runMatchmakingPass(
    { ...deps, clock, starts, state: matchmakerState(), stats: queueStatsRepository() },
    queue,
    settings,
    budget,
    [REGION],
    { pool, served: [REGION], changes, ...more },
  );
}

/** Only the tickets a test makes wait (earlier tests leave partners behind). */
async function emptyQueue() {
  for (const t of await deps.tickets.listWaiting(POOL))
    await deps.tickets.deleteWaiting({ ...POOL, ticketId: t.ticketId });
}

describe('the waiting pool', () => {
  it('reads the table on a cold start, then only applies the queue changes', async () => {
    const pool = new WaitingPool('default');
    await pool.prepare({ ...deps, state: matchmakerState() }, [REGION]);
    const before = pool.resyncs;
    const [a, b] = [await ticket(), await ticket()];
    const [summary] = await pass(pool, [a, b]);
    expect(summary?.recorded).toBe(1);
    expect(pool.resyncs).toBe(before);
    expect(pool.waiting(REGION).map((t) => t.ticketId)).not.toContain(a.ticketId);
  });

  it('rebuilds itself when another instance ran a pass in between', async () => {
    const pool = new WaitingPool('default');
    await pass(pool, []);
    const resyncs = pool.resyncs;
    await pass(new WaitingPool('default'), []); // another instance
    const lost = await ticket(); // its change never reaches this pool...
    const partner = await ticket();
    const [summary] = await pass(pool, [partner]);
    // ...but the pool knew it missed a pass and read the table: both are matched.
    expect(pool.resyncs).toBe(resyncs + 1);
    expect(summary?.recorded).toBe(1);
    expect(pool.waiting(REGION).map((t) => t.ticketId)).not.toContain(lost.ticketId);
  });

  it('takes in every ticket that joined since its last read, not only those its batch carries', async () => {
    await emptyQueue();
    const pool = new WaitingPool('default');
    await pass(pool, []);
    const joined = [];
    for (let i = 0; i < 6; i += 1) joined.push(await ticket());
    // The batch carries one join; the other five messages are still queued (or lost).
    const [summary] = await pass(pool, [joined[0] as TicketItem]);
    expect(summary?.recorded).toBe(3);
  });

  it('finds a requeued ticket whose queue change was lost within one resync period', async () => {
    await emptyQueue();
    const pool = new WaitingPool('default');
    await pass(pool, []);
    // It joined a while ago; then it was claimed and released again without a message (a crash
    // between the release and the send): waiting under its old id, so no catch-up read sees it.
    const joinedAt = Date.now() - 60_000;
    const lost: TicketItem = {
      queue: 'default',
      region: REGION,
      ticketId: newTicketId(joinedAt, `lost-${counter}`),
      enqueuedAt: joinedAt,
      state: 'waiting',
      players: [{ userId: `lost-${counter}`, connectionId: 'gone', rating: 1500, rd: 350 }],
    };
    await deps.tickets.create(lost);
    await deps.tickets.claim({ ...POOL, ticketId: lost.ticketId }, 'lost-match', Date.now(), 0);
    await deps.tickets.release({ ...POOL, ticketId: lost.ticketId }, 'lost-match');
    await pass(pool, []);
    const partner = await ticket();
    const [early] = await pass(pool, [partner]);
    expect(early?.recorded).toBe(0);
    const [later] = await pass(pool, [], POOL_RESYNC_MS + 1000);
    expect(later?.recorded).toBe(1);
    expect(pool.waiting(REGION).map((t) => t.ticketId)).not.toContain(lost.ticketId);
  });

  it('skips a batch of join messages whose tickets it took in already: no DynamoDB call at all', async () => {
    await emptyQueue();
    const pool = new WaitingPool('default');
    await pass(pool, []);
    const [a, b] = [await ticket(), await ticket()];
    expect((await pass(pool, [a]))[0]?.recorded).toBe(1); // the catch-up read brought `b` too
    const calls = async () => Object.values(await stack.dynamoCalls()).reduce((x, y) => x + y, 0);
    const before = await calls();
    expect(await pass(pool, [b], 0, { onlyChanges: true })).toEqual([]);
    expect(await calls()).toBe(before);
    // A batch with anything else (a tick, a continuation...) always runs.
    expect(await pass(pool, [b])).toHaveLength(1);
  });

  it('drops a ticket that left after one failed claim, and keeps its partner waiting', async () => {
    const pool = new WaitingPool('default');
    await pass(pool, []);
    const left = await ticket();
    const partner = await ticket();
    await deps.tickets.deleteWaiting({ ...POOL, ticketId: left.ticketId }); // left the queue; no change message
    const [summary] = await pass(pool, [left, partner]);
    expect(summary).toMatchObject({ recorded: 0, conflicts: 1 });
    const view = pool.waiting(REGION);
    expect(view.map((t) => t.ticketId)).not.toContain(left.ticketId);
    // The partner is still waiting, with the counter its release gave it (its next match is a new id).
    expect(view.find((t) => t.ticketId === partner.ticketId)?.attempts).toBe(1);
  });

  it('after a lost claim, matches the others again in the same pass', async () => {
    // Only these three wait (earlier tests leave partners behind).
    for (const t of await deps.tickets.listWaiting(POOL))
      await deps.tickets.deleteWaiting({ ...POOL, ticketId: t.ticketId });
    const pool = new WaitingPool('default');
    await pass(pool, []);
    const [left, second, third] = [await ticket(), await ticket(), await ticket()];
    await deps.tickets.deleteWaiting({ ...POOL, ticketId: left.ticketId }); // left the queue; no change message
    const [summary] = await pass(pool, [left, second, third]);
    // The first round paired `left` with one of the others and lost the claim; the second paired the two left.
    expect(summary).toMatchObject({ recorded: 1, conflicts: 1, cut: false });
    const ids = pool.waiting(REGION).map((t) => t.ticketId);
    expect(ids).not.toContain(second.ticketId);
    expect(ids).not.toContain(third.ticketId);
  });

  it('ignores a late change for a ticket it saw claimed, and an older version of one it holds', async () => {
    const pool = new WaitingPool('default');
    await pass(pool, []);
    const [a, b] = [await ticket(), await ticket()];
    expect((await pass(pool, [a, b]))[0]?.recorded).toBe(1);
    await pass(pool, [a]); // the join message for `a` again, late (a redelivery, or after a resync saw it)
    expect(pool.waiting(REGION).map((t) => t.ticketId)).not.toContain(a.ticketId);

    const c = await ticket();
    pool.put({ ...c, attempts: 2 }); // requeued twice, and the message said so
    pool.put(c); // its join message, late
    expect(pool.waiting(REGION).find((t) => t.ticketId === c.ticketId)?.attempts).toBe(2);
  });

  it('leaves out of a resync a ticket it claimed that the lagging waiting index still lists', async () => {
    const pool = new WaitingPool('default');
    await pass(pool, []);
    const [a, b] = [await ticket(), await ticket()];
    expect((await pass(pool, [a, b]))[0]?.recorded).toBe(1);
    // The index is eventually consistent: right after the claim it may still list `a` as waiting.
    const lagging = {
      get: deps.tickets.get.bind(deps.tickets),
      listWaiting: async () => [a],
      listWaitingSince: async () => [a],
    };
    const later = { now: () => Date.now() + POOL_RESYNC_MS + 1000 };
    await pool.prepare({ tickets: lagging, state: matchmakerState(), clock: later }, [REGION]);
    expect(pool.waiting(REGION).map((t) => t.ticketId)).not.toContain(a.ticketId);
  });

  it('claims a ticket only at the version it saw: a stale view never revives a cancelled match', async () => {
    const pool = new WaitingPool('default');
    await pass(pool, []);
    const [a, b] = [await ticket(), await ticket()];
    handed.length = 0;
    await pass(pool, [a, b]);
    const [matchId] = handed;
    const match = await deps.matches.get(matchId as string);
    // A capacity failure: the requeued tickets back off, so the stack's own matchmaker leaves them alone.
    await cancelMatch(deps, match as NonNullable<typeof match>, 'no capacity', new Set(), { capacity: true });
    expect((await deps.tickets.get({ ...POOL, ticketId: a.ticketId }))?.attempts).toBe(1);

    // A view still holding the versions from before the cancellation forms the same pair: same match id.
    const stale = new Map([a, b].map((t) => [t.ticketId, t]));
    const formed = { region: REGION, home: [toTicket(a)], away: [toTicket(b)] };
    const outcome = await recordMatch(deps, settings, formed, stale);
    expect(outcome.kind).toBe('conflict');
    for (const t of [a, b])
      expect((await deps.tickets.get({ ...POOL, ticketId: t.ticketId }))?.state).toBe('waiting');
  });
});

function toTicket(item: TicketItem) {
  return { ticketId: item.ticketId, region: item.region, enqueuedAt: item.enqueuedAt, players: item.players };
}
