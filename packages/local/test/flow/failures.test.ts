import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { callback, sessionToken, taskOf } from '../helpers/callbacks.js';
import { crashingGameServer, sleepingGameServer } from '../helpers/game-servers.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * Fault injection (issue 5) with real processes and the local runtime's
 * switches: misbehaving game servers, RunTask failures, @connections 410/500,
 * a redelivered SQS batch. Each test checks the end state: every player in a
 * live match or back in the queue (and told which), ratings changed at most
 * once, no orphan process, no ticket lost.
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;
let players: TestPlayer[] = [];
let counter = 0;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    teamSize: 1,
    readyTimeoutSeconds: 1,
    maxMatchSeconds: 2,
  });
  tables = tableReader(stack);
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
  const a = await TestPlayer.connect(stack, `a${counter}`);
  const b = await TestPlayer.connect(stack, `b${counter}`);
  players.push(a, b);
  return [a, b] as const;
}

async function join(...list: TestPlayer[]) {
  for (const player of list)
    await player.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
}

const ticket0Failures = (tickets: Record<string, unknown>[]) =>
  Math.max(...tickets.map((t) => Number(t.failedMatches ?? 0)));

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a game server that never becomes ready', () => {
  it('is stopped at the deadline; the match is cancelled and both players requeued with their queue time', async () => {
    const [a, b] = await pair();
    await join(a, b);
    const found = await a.next('matchFound');
    await stack.settled();
    const task = taskOf(stack, found.matchId as string);
    const queuedAt = (await tables.tickets()).map((t) => t.enqueuedAt).sort();
    stack.ecs.failNextRunTasks = 0;
    await wait(1100);
    stack.ecs.gameServer = sleepingGameServer;
    await stack.tick();
    const cancelled = await a.next('matchCancelled');
    expect(cancelled).toMatchObject({ matchId: found.matchId, requeued: true });
    expect(cancelled.message).toContain('ERROR: Error in match creation');
    await b.next('matchCancelled');
    await eventually(() => expect(task.lastStatus).toBe('STOPPED'));
    // Requeued with the original queue time, so they are served first: here they are matched again at once.
    const again = await a.next('matchFound', a.events.indexOf(cancelled));
    expect(again.matchId).not.toBe(found.matchId);
    await stack.settled();
    expect((await tables.tickets()).map((t) => t.enqueuedAt).sort()).toEqual(queuedAt);
  });
});

describe('a game server that crashes', () => {
  it('before ready: the task-stopped event cancels the match within seconds and requeues the players', async () => {
    stack.ecs.gameServer = crashingGameServer;
    const [a, b] = await pair();
    await join(a, b);
    const found = await a.next('matchFound');
    const cancelled = await a.next('matchCancelled');
    expect(cancelled).toMatchObject({ matchId: found.matchId, requeued: true });
    expect(cancelled.reason).toMatch(/stopped before it was ready.*exit code 3/);
    await b.next('matchCancelled');
  });

  it('after ready: the match is abandoned, nobody is rated, both are free', async () => {
    const [a, b] = await pair();
    await join(a, b);
    const found = await a.next('matchFound');
    await stack.settled();
    const task = taskOf(stack, found.matchId as string);
    const token = await sessionToken(stack, found.matchId as string);
    expect((await callback(stack, found.matchId as string, 'ready', { port: 4000 }, token)).status).toBe(200);
    await a.next('serverReady');
    task.process?.kill('SIGKILL');
    const abandoned = await a.next('matchAbandoned');
    expect(abandoned.message).toContain('no rating change');
    await b.next('matchAbandoned');
    for (const player of [a, b]) {
      expect(await tables.player(player.userId)).toMatchObject({ status: 'idle', rating: 1500, rd: 350 });
    }
    // A late result from the dead server changes nothing.
    expect(
      (await callback(stack, found.matchId as string, 'result', { outcome: 'home' }, token)).status,
    ).toBe(409);
    expect(await tables.player(a.userId)).toMatchObject({ rating: 1500 });
  });

  it('silent after ready past the maximum match time: abandoned by the tick', async () => {
    const [a, b] = await pair();
    await join(a, b);
    const found = await a.next('matchFound');
    await stack.settled();
    const token = await sessionToken(stack, found.matchId as string);
    await callback(stack, found.matchId as string, 'ready', { port: 4000 }, token);
    await wait(2100);
    await stack.tick();
    expect((await a.next('matchAbandoned')).reason).toMatch(/maximum match time/);
    await b.next('matchAbandoned');
    await eventually(() => expect(taskOf(stack, found.matchId as string).lastStatus).toBe('STOPPED'));
  });
});

describe('AWS failures', () => {
  it('RunTask finding no capacity keeps the players queued and backs off instead of retrying at once', async () => {
    stack.ecs.failNextRunTasks = 1;
    const [a, b] = await pair();
    await join(a, b);
    const cancelled = await a.next('matchCancelled');
    expect(cancelled).toMatchObject({
      requeued: true,
      reason: 'no game server capacity in eu-west-1 right now',
    });
    await stack.settled();
    const tickets = (await tables.waiting('eu-west-1')).filter((t) =>
      [a.userId, b.userId].includes(t.players[0].userId),
    );
    expect(tickets).toHaveLength(2);
    // Backing off: not matched again by the pass the requeue would have asked for, nor by a tick inside the back-off.
    for (const ticket of tickets) expect(ticket.retryAt).toBeGreaterThan(Date.now());
    expect(ticket0Failures(tickets)).toBe(0);
    await stack.tick();
    await stack.settled();
    expect(a.count('matchFound')).toBe(1);
    // After the back-off the tick's pass matches them again.
    await wait(Math.max(0, Math.max(...tickets.map((t) => t.retryAt as number)) - Date.now() + 50));
    await stack.tick();
    const second = await a.next('matchFound', a.events.indexOf(cancelled));
    await stack.settled();
    expect(taskOf(stack, second.matchId as string).lastStatus).toBe('RUNNING');
  });

  it('a fleet whose servers always crash: a ticket leaves the queue after three failed matches', async () => {
    stack.ecs.gameServer = crashingGameServer;
    const [a, b] = await pair();
    const tasksBefore = stack.ecs.tasks.size;
    await join(a, b);
    await eventually(() => expect(a.count('matchCancelled')).toBe(3), 20_000);
    await stack.settled();
    const cancels = a.events.filter((e) => e.type === 'matchCancelled');
    expect(cancels.map((e) => e.requeued)).toEqual([true, true, false]);
    expect(b.events.filter((e) => e.type === 'matchCancelled').map((e) => e.requeued)).toEqual([
      true,
      true,
      false,
    ]);
    expect(a.count('matchFound')).toBe(3);
    expect(stack.ecs.tasks.size - tasksBefore).toBe(3);
    expect(await tables.player(a.userId)).toMatchObject({ status: 'idle' });
    expect(
      (await tables.tickets()).filter((t) => [a.userId, b.userId].includes(t.players[0].userId)),
    ).toEqual([]);
    // And nothing more happens: no fourth match.
    await stack.tick();
    await stack.settled();
    expect(a.count('matchFound')).toBe(3);
  });

  it('a player gone at MATCH FOUND (410) leaves the queue; the other is requeued and told', async () => {
    const [a, b] = await pair();
    await join(a);
    const gone = (await tables.player(b.userId))?.connectionId as string;
    stack.management.faults.set(gone, 410);
    b.send({ action: 'joinQueue', region: 'eu-west-1' }); // its own answer is lost too
    const cancelled = await a.next('matchCancelled');
    expect(cancelled).toMatchObject({ requeued: true });
    await stack.settled();
    expect(await tables.player(b.userId)).toMatchObject({ status: 'idle' });
    expect(await tables.player(a.userId)).toMatchObject({ status: 'queued' });
    const left = (await tables.waiting('eu-west-1')).find((t) => t.players[0].userId === a.userId);
    expect(left).toBeDefined();
    // Not a failed match of the fleet: it does not count towards the requeue cap.
    expect(left?.failedMatches ?? 0).toBe(0);
    expect(await tables.connections()).not.toContainEqual(expect.objectContaining({ connectionId: gone }));
  });

  it('@connections failing (500) mid-creation: the batch is retried and finishes the same match once', async () => {
    const [a, b] = await pair();
    await join(a);
    const connection = (await tables.player(b.userId))?.connectionId as string;
    stack.management.faults.set(connection, 500);
    b.send({ action: 'joinQueue', region: 'eu-west-1' }); // its own answer fails too
    await eventually(async () => expect((await tables.player(a.userId))?.status).toBe('matched'));
    const matchId = (await tables.player(a.userId))?.matchId;
    stack.management.faults.delete(connection);
    const found = await b.next('matchFound');
    expect(found.matchId).toBe(matchId);
    await stack.settled();
    const theirs = (await tables.matches()).filter(
      (m) => m.home[0].userId === a.userId || m.away[0].userId === a.userId,
    );
    expect(theirs).toHaveLength(1);
    expect(taskOf(stack, matchId as string).lastStatus).toBe('RUNNING');
    expect([...stack.ecs.tasks.values()].filter((t) => t.environment.MATCH_ID === matchId)).toHaveLength(1);
  });

  it('a redelivered queue batch creates nothing twice', async () => {
    const [a, b] = await pair();
    stack.sqs.redeliverNextBatch = true;
    await join(a, b);
    await a.next('matchFound');
    await stack.settled();
    const mine = (await tables.matches()).filter((m) =>
      [m.home[0].userId, m.away[0].userId].includes(a.userId),
    );
    expect(mine).toHaveLength(1);
    expect(a.count('matchFound')).toBe(1);
  });
});
