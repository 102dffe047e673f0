import { afterEach, describe, expect, it } from 'vitest';
import { defaultGameServer, type LocalStack, type LocalStackOptions } from '../../src/index.js';
import { playFullMatch } from '../helpers/full-match.js';
import { faultyPoolServer, sleepingGameServer } from '../helpers/game-servers.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * The warm pool end to end: real game-server processes launched ahead of
 * matches by the tick's keeper, assigned by the match starter, and every
 * way a pool server can fail (ignores its assignment, goes silent, crashes
 * after taking it, is interrupted), each with the same functions as on AWS.
 */
const REGION = 'eu-west-1';
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;
let players: TestPlayer[] = [];

async function start(options: Partial<LocalStackOptions> = {}): Promise<void> {
  stack = await startTestStack({
    regions: [REGION],
    teamSize: 1,
    readyTimeoutSeconds: 10,
    gameServer: defaultGameServer,
    warmServers: 1,
    ...options,
    warmPool: { heartbeatSeconds: 0.3, assignTimeoutSeconds: 0.5, registerSeconds: 20, ...options.warmPool },
  });
  tables = tableReader(stack);
}

afterEach(async () => {
  await Promise.all(players.map((p) => p.close()));
  players = [];
  await stack?.stop();
});

type Server = { serverId: string; state: string; taskArn?: string; stopReason?: string; matchId?: string };
const servers = async () => (await tables.servers()) as unknown as Server[];
const matchOf = async (matchId: string) => (await tables.matches()).find((m) => m.matchId === matchId);
const taskStartedBy = (startedBy: string) =>
  [...stack.ecs.tasks.values()].filter((task) => task.startedBy === startedBy);

/** Waits until the stack's start-up keep has `count` servers idle; returns them. */
async function idleServers(count: number): Promise<Server[]> {
  let idle: Server[] = [];
  await eventually(async () => {
    idle = (await servers()).filter((server) => server.state === 'idle');
    expect(idle).toHaveLength(count);
  }, 20_000);
  return idle;
}

async function matchFound(userIds: string[]): Promise<string> {
  const joined = await Promise.all(userIds.map((id) => TestPlayer.connect(stack, id)));
  players.push(...joined);
  for (const player of joined) await player.request({ action: 'joinQueue', region: REGION }, 'joinedQueue');
  const found = await Promise.all(joined.map((p) => p.next('matchFound')));
  return found[0]?.matchId as string;
}

describe('the warm pool', () => {
  it('gives a match an idle server (no RunTask for the match), which exits after it; the pool refills', async () => {
    await start();
    const [idle] = await idleServers(1);
    const result = await playFullMatch(stack, ['wp-alice', 'wp-bob'], REGION);
    expect(result.finished.map((f) => f.outcome)).toEqual(['home', 'home']);
    const match = await matchOf(result.matchId as string);
    expect(match).toMatchObject({ state: 'finished', serverId: idle?.serverId, taskArn: idle?.taskArn });
    expect(taskStartedBy(result.matchId as string)).toEqual([]);
    await eventually(async () => {
      const all = await servers();
      // The server played its one match (WARM_SERVER_MATCHES 1), then exited; a replacement took its place.
      expect(all.find((s) => s.serverId === idle?.serverId)?.state).toBe('stopped');
      expect(all.filter((s) => s.state === 'idle')).toHaveLength(1);
    }, 20_000);
  });

  it('returns a server to the pool after its match when WARM_SERVER_MATCHES allows: two matches, one process', async () => {
    await start({ warmPool: { matchesPerServer: 2 } });
    const [idle] = await idleServers(1);
    const first = await playFullMatch(stack, ['wp-carol', 'wp-dave'], REGION);
    await eventually(async () => {
      const server = (await servers()).find((s) => s.serverId === idle?.serverId);
      expect(server).toMatchObject({ state: 'idle', matchesPlayed: 1 });
    });
    const second = await playFullMatch(stack, ['wp-erin', 'wp-frank'], REGION);
    for (const { matchId } of [first, second])
      expect(await matchOf(matchId as string)).toMatchObject({ state: 'finished', serverId: idle?.serverId });
    await eventually(async () => {
      expect((await servers()).find((s) => s.serverId === idle?.serverId)?.state).toBe('stopped');
    });
  });

  it('marks a server that does not take its assignment bad, stops it, and starts the match cold', async () => {
    await start({ gameServer: faultyPoolServer('ignores') });
    const [bad] = await idleServers(1);
    stack.ecs.gameServer = sleepingGameServer;
    const matchId = await matchFound(['wp-gina', 'wp-hank']);
    await eventually(async () => {
      expect(taskStartedBy(matchId)).toHaveLength(1);
      const server = (await servers()).find((s) => s.serverId === bad?.serverId);
      expect(server).toMatchObject({ state: 'stopped', stopReason: expect.stringMatching(/did not take/) });
      expect(stack.ecs.tasks.get(bad?.taskArn as string)?.lastStatus).toBe('STOPPED');
    });
    const match = await matchOf(matchId);
    expect(match).toMatchObject({ state: 'starting', taskArn: taskStartedBy(matchId)[0]?.taskArn });
    expect(match?.serverId).toBeUndefined();
  });

  it('never fails a match because the pool is empty: it starts cold', async () => {
    // The pool's servers never register: none is ever idle.
    await start({ gameServer: sleepingGameServer });
    await stack.tick();
    const matchId = await matchFound(['wp-ivy', 'wp-jack']);
    await eventually(() => expect(taskStartedBy(matchId)).toHaveLength(1));
    expect((await servers()).filter((s) => s.state === 'launching')).not.toHaveLength(0);
  });

  it('never assigns a silent server; the tick stops it', async () => {
    await start({ gameServer: faultyPoolServer('silent') });
    const [silent] = await idleServers(1);
    stack.ecs.gameServer = sleepingGameServer;
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // three heartbeats of 0.3 s, and more
    const matchId = await matchFound(['wp-kate', 'wp-liam']);
    await eventually(() => expect(taskStartedBy(matchId)).toHaveLength(1));
    expect((await matchOf(matchId))?.serverId).toBeUndefined();
    await stack.tick();
    await eventually(async () => {
      const server = (await servers()).find((s) => s.serverId === silent?.serverId);
      expect(server).toMatchObject({ state: 'stopped', stopReason: expect.stringMatching(/silent/) });
      expect(stack.ecs.tasks.get(silent?.taskArn as string)?.lastStatus).toBe('STOPPED');
      // ... and the same keep refilled the pool (the new server is launching).
      expect((await servers()).filter((s) => s.state === 'launching')).toHaveLength(1);
    });
  });

  it('cancels the match and requeues its players when the server crashes after taking it', async () => {
    await start({ gameServer: faultyPoolServer('crashes-after-take') });
    const [server] = await idleServers(1);
    stack.ecs.gameServer = sleepingGameServer;
    const matchId = await matchFound(['wp-mia', 'wp-noah']);
    const cancelled = await Promise.all(players.map((p) => p.next('matchCancelled', 0, 10_000)));
    expect(cancelled.map((event) => event.requeued)).toEqual([true, true]);
    const match = await matchOf(matchId);
    expect(match).toMatchObject({ state: 'cancelled', serverId: server?.serverId });
    expect(match?.tickets.map((t: { failedMatches?: number }) => t.failedMatches ?? 0)).toEqual([0, 0]);
    expect((await servers()).find((s) => s.serverId === server?.serverId)?.state).toBe('stopped');
  });

  it('cancels the match at the ready deadline when the server took it and never reported ready; stops it', async () => {
    await start({ gameServer: faultyPoolServer('never-ready'), readyTimeoutSeconds: 1 });
    const [server] = await idleServers(1);
    stack.ecs.gameServer = sleepingGameServer;
    const matchId = await matchFound(['wp-p1', 'wp-p2']);
    await eventually(async () => expect((await matchOf(matchId))?.sessionOpenedAt).toBeDefined());
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await stack.tick();
    const cancelled = await Promise.all(players.map((p) => p.next('matchCancelled', 0, 10_000)));
    expect(cancelled.map((event) => event.requeued)).toEqual([true, true]);
    await eventually(async () => {
      expect(stack.ecs.tasks.get(server?.taskArn as string)?.lastStatus).toBe('STOPPED');
      expect((await servers()).find((s) => s.serverId === server?.serverId)?.state).toBe('stopped');
    });
  });

  it('abandons the match when the server crashes after ready: no rating change, players freed', async () => {
    await start({ gameServer: faultyPoolServer('crashes-after-ready') });
    const [server] = await idleServers(1);
    stack.ecs.gameServer = sleepingGameServer;
    const matchId = await matchFound(['wp-q1', 'wp-q2']);
    const abandoned = await Promise.all(players.map((p) => p.next('matchAbandoned', 0, 10_000)));
    expect(abandoned.map((event) => event.matchId)).toEqual([matchId, matchId]);
    expect(await matchOf(matchId)).toMatchObject({ state: 'abandoned', serverId: server?.serverId });
    for (const userId of ['wp-q1', 'wp-q2'])
      expect(await tables.player(userId)).toMatchObject({ status: 'idle', rating: 1500 });
  });

  it('gives two matches found at once two different servers (one idle, one cold)', async () => {
    await start();
    await idleServers(1);
    const joined = await Promise.all(
      ['wp-a1', 'wp-a2', 'wp-a3', 'wp-a4'].map((id) => TestPlayer.connect(stack, id)),
    );
    players.push(...joined);
    for (const player of joined) await player.request({ action: 'joinQueue', region: REGION }, 'joinedQueue');
    const ready = await Promise.all(joined.map((p) => p.next('serverReady', 0, 20_000)));
    const byMatch = new Map(ready.map((event) => [event.matchId, `${event.ip}:${event.port}`]));
    expect(byMatch.size).toBe(2);
    expect(new Set(byMatch.values()).size).toBe(2);
    const matches = (await tables.matches()).filter((m) => byMatch.has(m.matchId));
    const taskArns = matches.map((m) => m.taskArn);
    expect(new Set(taskArns).size).toBe(2);
    const assigned = (await servers()).filter((s) => s.matchId !== undefined);
    expect(new Set(assigned.map((s) => s.matchId)).size).toBe(assigned.length);
  });

  it('replaces an idle server interrupted by SIGTERM (a Spot reclaim) at once, and never assigns it', async () => {
    await start();
    const [idle] = await idleServers(1);
    await stack.ecs.stopAll();
    await eventually(async () => {
      const all = await servers();
      expect(all.find((s) => s.serverId === idle?.serverId)?.state).toBe('stopped');
      expect(all.filter((s) => s.state === 'idle' && s.serverId !== idle?.serverId)).toHaveLength(1);
    }, 20_000);
  });
});

describe("a pool server's calls", () => {
  /** Plays a pool server by hand: the stack launches it (a process that never calls), the test calls as it. */
  async function launched() {
    await start({ gameServer: sleepingGameServer });
    await stack.tick();
    let task: { environment: Record<string, string> } | undefined;
    await eventually(() => {
      task = [...stack.ecs.tasks.values()].find((t) => t.environment.SERVER_ID);
      expect(task).toBeDefined();
    });
    const env = (task as { environment: Record<string, string> }).environment;
    const call = async (action: string, token: string, body: unknown = {}, serverId = env.SERVER_ID) => {
      const response = await fetch(`http://127.0.0.1:${stack.port}/servers/${serverId}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    return { call, registration: env.SERVER_REGISTRATION_TOKEN as string };
  }

  it('register once with the task token, then only the server token opens the server', async () => {
    const { call, registration } = await launched();
    const registered = await call('register', registration, { port: 7777 });
    expect(registered).toMatchObject({ status: 200, body: { heartbeatSeconds: 0.3 } });
    const token = registered.body.token as string;
    expect(token).not.toBe(registration);
    expect((await call('register', registration, { port: 7777 })).status).toBe(409);
    expect((await call('heartbeat', token)).body).toEqual({ state: 'idle', assigned: false });
    expect((await call('heartbeat', registration)).status).toBe(403);
    expect((await call('heartbeat', 'forged')).status).toBe(403);
    expect((await call('heartbeat', token, {}, 'f'.repeat(32))).status).toBe(403);
    expect((await call('heartbeat', token, {}, '../../matches/x')).status).toBe(404);
    expect((await call('reboot', token)).status).toBe(404);
    expect((await call('assignment', token)).status).toBe(404);
    // A release that finds the server idle (a retry whose answer was lost) answers its state.
    expect((await call('release', token)).body).toEqual({ state: 'idle', assigned: false });
    expect((await call('register', registration, { port: 'x' })).status).toBe(400);
  });

  it('a deregistered server gets 410 from then on and is never assigned', async () => {
    const { call, registration } = await launched();
    const token = (await call('register', registration, { port: 7777 })).body.token as string;
    expect(await call('deregister', token)).toMatchObject({ status: 200, body: { state: 'draining' } });
    expect((await call('heartbeat', token)).status).toBe(410);
    expect((await call('assignment', token)).status).toBe(410);
    const matchId = await matchFound(['wp-o1', 'wp-o2']);
    await eventually(() => expect(taskStartedBy(matchId)).toHaveLength(1));
  });
});
