import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { callback, sessionToken } from '../helpers/callbacks.js';
import { crashingGameServer, sleepingGameServer } from '../helpers/game-servers.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * The metrics the handlers publish on each failure path (issue 14), read as
 * CloudWatch would: from the EMF records they write, which the local stack
 * sums up (`stack.metrics`). Each test starts a new period.
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;
let players: TestPlayer[] = [];
let counter = 0;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    // `ranked` has a ready check of 2 s.
    queues: { duel: { teamSize: 1, default: true }, ranked: { teamSize: 1, readyCheckSeconds: 2 } },
    readyTimeoutSeconds: 1,
    maxMatchSeconds: 2,
    tickSeconds: 0,
  });
  tables = tableReader(stack);
});
beforeEach(() => {
  stack.metrics.take();
});
afterEach(async () => {
  await Promise.all(players.map((p) => p.close()));
  players = [];
  stack.ecs.gameServer = sleepingGameServer;
  stack.ecs.failNextRunTasks = 0;
  stack.management.faults.clear();
  await stack.ecs.stopAll();
  await stack.settled();
});
afterAll(() => stack.stop());

async function pair() {
  counter += 1;
  const a = await TestPlayer.connect(stack, `m-a${counter}`);
  const b = await TestPlayer.connect(stack, `m-b${counter}`);
  players.push(a, b);
  return [a, b] as const;
}

async function join(...list: TestPlayer[]) {
  for (const player of list)
    await player.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
}

/** Both join `ranked` and are proposed a match; its id. */
async function proposed(a: TestPlayer, b: TestPlayer): Promise<string> {
  for (const player of [a, b])
    await player.request({ action: 'joinQueue', queue: 'ranked', region: 'eu-west-1' }, 'joinedQueue');
  return (await a.next('matchProposed')).matchId as string;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the metrics of a match', () => {
  it('a played match: two joins, one match created, two times to match, a pass, its time to play', async () => {
    const [a, b] = await pair();
    await join(a, b);
    const found = await a.next('matchFound');
    await stack.settled();
    const token = await sessionToken(stack, found.matchId as string);
    await callback(stack, found.matchId as string, 'ready', { port: 4000 }, token);
    await stack.settled();

    const figures = stack.metrics.figures();
    expect(figures).toMatchObject({ joined: 2, created: 1, cancelled: {}, abandoned: {}, requeued: {} });
    expect(figures.timeToMatchSeconds).toHaveLength(2);
    expect(figures.passMs.length).toBeGreaterThan(0);
    expect(figures.timeToPlaySeconds).toHaveLength(1);
    // No pool in this stack: its tick reports no idle servers at all.
    await stack.tick();
    await stack.settled();
    expect(stack.metrics.figures().warmIdle).toEqual({});
    // A repeated ready call is not another match ready.
    await callback(stack, found.matchId as string, 'ready', { port: 4000 }, token);
    await stack.settled();
    expect(stack.metrics.figures().timeToPlaySeconds).toHaveLength(1);
  });
});

describe('time to play with a ready check', () => {
  it('starts at the last accept (its MATCH FOUND), not at the proposal', async () => {
    const [a, b] = await pair();
    const matchId = await proposed(a, b);
    await wait(1200);
    for (const player of [a, b]) player.send({ action: 'acceptMatch', matchId, accept: true });
    await a.next('matchFound');
    await stack.settled();
    const token = await sessionToken(stack, matchId);
    await callback(stack, matchId, 'ready', { port: 4000 }, token);
    await stack.settled();
    const [seconds] = stack.metrics.figures().timeToPlaySeconds;
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(seconds).toBeLessThan(1);
  });
});

describe('cancelled and abandoned matches, by reason', () => {
  it('a server that never becomes ready: cancelled readyTimeout, both tickets requeued readyTimeout', async () => {
    const [a, b] = await pair();
    await join(a, b);
    await a.next('matchFound');
    await stack.settled();
    await wait(1100);
    await stack.tick();
    await a.next('matchCancelled');
    await stack.settled();
    expect(stack.metrics.figures()).toMatchObject({
      cancelled: { readyTimeout: 1 },
      requeued: { readyTimeout: 2 },
    });
  });

  it('a server that stops before ready: cancelled serverStopped', async () => {
    stack.ecs.gameServer = crashingGameServer;
    const [a, b] = await pair();
    await join(a, b);
    await a.next('matchCancelled');
    await stack.settled();
    stack.ecs.gameServer = sleepingGameServer;
    expect(stack.metrics.figures().cancelled.serverStopped).toBeGreaterThanOrEqual(1);
    expect(stack.metrics.figures().requeued.serverStopped).toBeGreaterThanOrEqual(2);
  });

  it('RunTask without capacity: cancelled noCapacity, requeued noCapacity', async () => {
    stack.ecs.failNextRunTasks = 1;
    const [a, b] = await pair();
    await join(a, b);
    await a.next('matchCancelled');
    await stack.settled();
    expect(stack.metrics.figures()).toMatchObject({
      cancelled: { noCapacity: 1 },
      requeued: { noCapacity: 2 },
    });
  });

  it('a player gone at MATCH FOUND: cancelled playerLeft, the other requeued playerLeft', async () => {
    const [a, b] = await pair();
    await join(a);
    const gone = (await tables.player(b.userId))?.connectionId as string;
    stack.management.faults.set(gone, 410);
    b.send({ action: 'joinQueue', region: 'eu-west-1' });
    await a.next('matchCancelled');
    await stack.settled();
    expect(stack.metrics.figures()).toMatchObject({
      cancelled: { playerLeft: 1 },
      requeued: { playerLeft: 1 },
    });
  });

  it('a declined proposal: cancelled declined; a proposal nobody answered: cancelled acceptTimeout', async () => {
    const [a, b] = await pair();
    const matchId = await proposed(a, b);
    await a.request({ action: 'acceptMatch', matchId, accept: false }, 'matchDeclined');
    await stack.settled();
    expect(stack.metrics.take().cancelled).toEqual({ declined: 1 });

    const [c, d] = await pair();
    await proposed(c, d);
    await wait(2100);
    await stack.tick();
    await c.next('matchDeclined');
    await stack.settled();
    expect(stack.metrics.take().cancelled).toEqual({ acceptTimeout: 1 });
  });

  it('a server silent after ready past the maximum match time: abandoned maxMatchTime', async () => {
    const [a, b] = await pair();
    await join(a, b);
    const found = await a.next('matchFound');
    await stack.settled();
    const token = await sessionToken(stack, found.matchId as string);
    await callback(stack, found.matchId as string, 'ready', { port: 4000 }, token);
    await wait(2100);
    await stack.tick();
    await a.next('matchAbandoned');
    await stack.settled();
    await eventually(() => expect(stack.metrics.figures().abandoned).toEqual({ maxMatchTime: 1 }));
  });
});
