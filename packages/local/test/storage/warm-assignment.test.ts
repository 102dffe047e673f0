import {
  assignWarmServer,
  keepPools,
  lifecycleDeps,
  type MatchItem,
  type PoolDeps,
  poolDeps,
  type ServerItem,
  serverStopped,
  takeAssignment,
} from '@matchmaking/functions/lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';

/*
 * The warm pool's conditional writes under contention, against dynalite with
 * no processes: matches started side by side over fewer idle servers, a
 * redelivered start, and the keeper's demand scaling. The "server" takes its
 * assignment when nudged, as the real one does.
 */
const REGION = 'eu-west-1';
let stack: LocalStack;
let deps: PoolDeps;
let launches = 0;
let serial = 0;
/** The task definition launches run now (a deploy changes it). */
let currentTaskDefinition = 'game-server:1';
const stoppedTasks: string[] = [];
/** One fixed instant, 1 s into a minute: the demand counters of every test fall in the same minute. */
const NOW = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;

beforeAll(async () => {
  // No pool in the stack itself (its tick would keep it): these tests run the pool's use cases by hand.
  stack = await startTestStack({ regions: [REGION], teamSize: 1 });
  const real = poolDeps();
  deps = {
    ...real,
    clock: { now: () => NOW },
    settings: { ...real.settings, pool: { default: { idle: 2, max: 6 }, regions: {}, leadSeconds: 60 } },
    launcher: {
      start: async ({ startedBy }) => {
        launches += 1;
        return `arn:aws:ecs:${REGION}:000000000000:task/test/${startedBy}`;
      },
      stop: async (_region, taskArn) => {
        stoppedTasks.push(taskArn);
      },
      taskDefinitionOf: () => currentTaskDefinition,
    },
    // The nudged server takes its match at once (what the real server does on a nudge).
    nudge: async (address) => {
      const server = await real.servers.get(address.ip);
      if (server) await takeAssignment(deps, server).catch(() => undefined);
    },
  };
});
afterAll(() => stack.stop());

/** An idle, registered server (its "address" is its id, so the nudge above finds it). */
async function idleServer(region = REGION): Promise<string> {
  serial += 1;
  const serverId = serial.toString(16).padStart(32, '0');
  const now = NOW;
  await deps.servers.create({
    serverId,
    region,
    registrationHash: 'r',
    launchedAt: now,
    taskDefinition: currentTaskDefinition,
  });
  await deps.servers.setTask(serverId, `arn:aws:ecs:${REGION}:000000000000:task/test/${serverId}`);
  await deps.servers.register(serverId, 'r', 'c', { ip: serverId, port: 1 }, now);
  return serverId;
}

async function startingMatch(): Promise<MatchItem> {
  serial += 1;
  const player = (side: string) => ({
    userId: `${side}-${serial}`,
    connectionId: `c-${side}-${serial}`,
    rating: 1500,
    rd: 350,
    vol: 0.06,
    joinKey: `key-${side}-${serial}`,
  });
  const match: MatchItem = {
    matchId: `match-${serial}`,
    queue: 'default',
    region: REGION,
    state: 'starting',
    home: [player('h')],
    away: [player('a')],
    tickets: [],
    bootstrapHash: 'b',
    createdAt: Date.now(),
  };
  await deps.matches.create(match);
  return match;
}

const serverOf = async (matchId: string) => (await deps.matches.get(matchId))?.serverId;

describe('warm-server assignment under contention', () => {
  it('gives 12 matches started at once over 4 idle servers 4 distinct servers, and starts the other 8 cold', async () => {
    const idle = await Promise.all([1, 2, 3, 4].map(() => idleServer()));
    const matches = await Promise.all(Array.from({ length: 12 }, () => startingMatch()));
    launches = 0;
    const outcomes = await Promise.all(matches.map((match) => assignWarmServer(deps, match)));
    expect(outcomes.filter((o) => o === 'taken')).toHaveLength(4);
    expect(outcomes.filter((o) => o === 'none')).toHaveLength(8);
    const assigned = await Promise.all(matches.map((match) => serverOf(match.matchId)));
    expect(new Set(assigned.filter(Boolean))).toEqual(new Set(idle));
    for (const serverId of idle) {
      const server = await deps.servers.get(serverId);
      expect(server?.state).toBe('busy');
      expect(assigned.filter((id) => id === serverId)).toHaveLength(1);
      expect(assigned.indexOf(serverId)).toBe(matches.findIndex((m) => m.matchId === server?.matchId));
    }
    // Each server taken for its last match (WARM_SERVER_MATCHES 1) was replaced at once.
    expect(launches).toBe(4);
  });

  it('gives a match started twice at once (a redelivered start) one server; the other goes back to idle', async () => {
    const idle = await Promise.all([1, 2].map(() => idleServer()));
    const match = await startingMatch();
    const outcomes = await Promise.all([assignWarmServer(deps, match), assignWarmServer(deps, match)]);
    expect(outcomes.sort()).toEqual(['done-before', 'taken']);
    const serverId = await serverOf(match.matchId);
    const states = await Promise.all(idle.map(async (id) => (await deps.servers.get(id))?.state));
    expect(states.sort()).toEqual(['busy', 'idle']);
    expect((await deps.servers.get(serverId as string))?.state).toBe('busy');
  });

  it('grows the buffer with demand, up to its max: servers taken in the last minute over the lead time', async () => {
    const tables = tableReader(stack);
    const spare = async () =>
      ((await tables.servers()) as { region: string; state: string }[]).filter(
        (s) => s.region === REGION && (s.state === 'idle' || s.state === 'launching'),
      ).length;
    // The tests above took 5 servers this minute; lead 60 s: the target is min(max 6, max(idle 2, 5)) = 5.
    expect(await spare()).toBe(6); // their 5 replacements and the idle server the second test left
    expect((await keepPools(deps, [REGION]))[0]).toMatchObject({ target: 5, stopped: 1, launched: 0 });
    expect(await spare()).toBe(5);
    // Five minutes on: demand gone (target idle 2), and the launching servers never registered
    // (WARM_SERVER_REGISTER_SECONDS 180): they are stopped; the refill launches at most 20 per keep.
    const later = { ...deps, clock: { now: () => NOW + 5 * 60_000 } };
    expect((await keepPools(later, [REGION]))[0]).toMatchObject({ target: 2, spare: 0, launched: 2 });
    const never = ((await tables.servers()) as { stopReason?: string }[]).filter((s) =>
      /did not register within 180 s/.test(s.stopReason ?? ''),
    );
    expect(never).toHaveLength(5);
    const big = {
      ...later,
      settings: { ...deps.settings, pool: { ...deps.settings.pool, default: { idle: 50, max: 50 } } },
    };
    expect((await keepPools(big, [REGION]))[0]).toMatchObject({ target: 50, launched: 20 });
  });
});

describe('a deploy', () => {
  it('replaces idle servers of the earlier image: new ones first, then each old one gives way', async () => {
    const region = 'eu-central-1'; // a pool of its own: no demand, target = idle 2
    const tables = tableReader(stack);
    const inRegion = async () =>
      ((await tables.servers()) as ServerItem[]).filter((s) => s.region === region && s.state !== 'stopped');
    const old = await Promise.all([1, 2].map(() => idleServer(region)));
    expect((await keepPools(deps, [region]))[0]).toMatchObject({ target: 2, launched: 0, stopped: 0 });

    currentTaskDefinition = 'game-server:2'; // the deploy: a new revision, a new image
    expect((await keepPools(deps, [region]))[0]).toMatchObject({ launched: 2, stopped: 0 });
    // The old ones still serve until the new ones can.
    expect((await inRegion()).filter((s) => old.includes(s.serverId)).map((s) => s.state)).toEqual([
      'idle',
      'idle',
    ]);
    const launched = (await inRegion()).filter((s) => s.state === 'launching');
    expect(launched.map((s) => s.taskDefinition)).toEqual(['game-server:2', 'game-server:2']);
    for (const server of launched)
      await deps.servers.register(
        server.serverId,
        server.registrationHash,
        'c',
        { ip: server.serverId, port: 1 },
        NOW,
      );

    stoppedTasks.length = 0;
    expect((await keepPools(deps, [region]))[0]).toMatchObject({ launched: 0, stopped: 2 });
    const left = await inRegion();
    expect(left.map((s) => s.taskDefinition)).toEqual(['game-server:2', 'game-server:2']);
    expect(stoppedTasks.sort()).toEqual(
      old.map((id) => `arn:aws:ecs:${REGION}:000000000000:task/test/${id}`).sort(),
    );
    const retired = ((await tables.servers()) as ServerItem[]).filter((s) => old.includes(s.serverId));
    for (const server of retired) expect(server.stopReason).toMatch(/an earlier deploy's image/);
    currentTaskDefinition = 'game-server:1';
  });
});

describe('a deploy, with the pool above its target', () => {
  it('never retires the last idle server: an old one gives way only to a current one still idle after the trim', async () => {
    const region = 'eu-north-1';
    const tables = tableReader(stack);
    const one = {
      ...deps,
      settings: { ...deps.settings, pool: { default: { idle: 1, max: 1 }, regions: {}, leadSeconds: 60 } },
    };
    const old = await idleServer(region);
    currentTaskDefinition = 'game-server:3';
    const current = await idleServer(region); // idle, of the current deploy
    serial += 1;
    const launching = serial.toString(16).padStart(32, '0');
    await deps.servers.create({
      serverId: launching,
      region,
      registrationHash: 'r',
      launchedAt: NOW,
      taskDefinition: currentTaskDefinition,
    });
    // Current: one idle and one launching, over a target of 1: the trim retires the idle one...
    await keepPools(one, [region]);
    const idle = ((await tables.servers()) as ServerItem[]).filter(
      (s) => s.region === region && s.state === 'idle',
    );
    // ... so the old one stays until the launching one is idle: never none idle.
    expect(idle.map((s) => s.serverId)).toEqual([old]);
    expect((await deps.servers.get(current))?.state).toBe('stopped');
    currentTaskDefinition = 'game-server:1';
  });
});

describe("a pool server's end", () => {
  const arnOf = (serverId: string) => `arn:aws:ecs:${REGION}:000000000000:task/test/${serverId}`;
  const stopped = (serverId: string) =>
    serverStopped({ ...lifecycleDeps(), ...deps }, serverId, {
      taskArn: arnOf(serverId),
      reason: 'Essential container in task exited',
      exitCode: 1,
    });

  it('leaves alone a match that was withdrawn from the server before its task stopped', async () => {
    const serverId = await idleServer();
    const match = await startingMatch();
    expect(await deps.servers.assign(serverId, match.matchId, NOW, NOW - 1)).toBe(true);
    expect(await deps.matches.assignServer(match.matchId, serverId, arnOf(serverId))).toBe(true);
    expect(await deps.matches.withdrawServer(match.matchId, serverId)).toBe(true); // the starter gave up
    expect(await stopped(serverId)).toBe('retired');
    expect((await deps.matches.get(match.matchId))?.state).toBe('starting');
  });

  it('ends the match a draining server had taken when its task stops (cancelled before ready)', async () => {
    const serverId = await idleServer();
    const match = await startingMatch();
    await deps.servers.assign(serverId, match.matchId, NOW, NOW - 1);
    await deps.matches.assignServer(match.matchId, serverId, arnOf(serverId));
    expect(await deps.matches.takeByServer(match.matchId, serverId, 'h', NOW)).toBe(true);
    expect((await deps.servers.drain(serverId))?.state).toBe('assigned'); // SIGTERM just after the take
    expect(await stopped(serverId)).toBe('cancelled');
    expect((await deps.matches.get(match.matchId))?.state).toBe('cancelled');
  });

  it('replaces at once a spare that deregistered, not one that died within a minute of registering', async () => {
    const draining = await idleServer();
    await deps.servers.drain(draining);
    const young = await idleServer();
    launches = 0;
    expect(await stopped(young)).toBe('retired');
    expect(launches).toBe(0);
    expect(await stopped(draining)).toBe('retired');
    expect(launches).toBe(1);
  });

  it('retires a silent server only if no heartbeat came after the one it was judged by', async () => {
    const serverId = await idleServer();
    await deps.servers.heartbeat(serverId, NOW + 10);
    const judged = { heartbeatBefore: NOW, from: ['idle'] as const };
    expect(await deps.servers.retire(serverId, 'silent', NOW + 20, judged)).toBeUndefined();
    expect((await deps.servers.get(serverId))?.state).toBe('idle');
  });

  it('stops an idle server whose task was never recorded (its launcher died after RunTask)', async () => {
    serial += 1;
    const serverId = serial.toString(16).padStart(32, '0');
    await deps.servers.create({ serverId, region: REGION, registrationHash: 'r', launchedAt: NOW });
    await deps.servers.register(serverId, 'r', 'c', { ip: serverId, port: 1 }, NOW);
    const later = NOW + 200_000; // past WARM_SERVER_REGISTER_SECONDS, heartbeating all along
    await deps.servers.heartbeat(serverId, later);
    await keepPools({ ...deps, clock: { now: () => later } }, [REGION]);
    expect(await deps.servers.get(serverId)).toMatchObject({
      state: 'stopped',
      stopReason: 'its task was never recorded',
    });
  });
});

describe('claiming an idle server', () => {
  it('lists the spare servers again when every one it tried was taken meanwhile: no cold start while one is idle', async () => {
    // Six servers another starter took a moment ago, still listed as idle (what this starter read),
    // and the one still idle, which only the next listing shows.
    const taken = await Promise.all([1, 2, 3, 4, 5, 6].map(() => idleServer()));
    const stale = await Promise.all(taken.map(async (id) => (await deps.servers.get(id)) as ServerItem));
    for (const id of taken) await deps.servers.assign(id, `elsewhere-${id}`, NOW, NOW - 1);
    const idle = await idleServer();
    let listings = 0;
    const racing: PoolDeps = {
      ...deps,
      servers: Object.assign(Object.create(deps.servers), {
        listSpare: async (region: string) => {
          listings += 1;
          return listings === 1 ? stale : deps.servers.listSpare(region);
        },
      }),
    };
    const match = await startingMatch();
    expect(await assignWarmServer(racing, match)).toBe('taken');
    expect(await serverOf(match.matchId)).toBe(idle);
  });
});
