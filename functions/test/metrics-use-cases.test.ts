import { describe, expect, it } from 'vitest';
import { GameServerLaunchError } from '../src/aws/game-servers.js';
import type { MatchItem, ServerItem, TicketItem } from '../src/data/items.js';
import { abandonMatch } from '../src/lifecycle/abandon-match.js';
import { type CancelDeps, type CancelOptions, cancelMatch } from '../src/lifecycle/cancel-match.js';
import type { LifecycleDeps } from '../src/lifecycle/lifecycle-deps.js';
import { finishDecline } from '../src/lifecycle/ready-check.js';
import { recoverStaleClaims } from '../src/lifecycle/recover-claims.js';
import { taskStopped } from '../src/lifecycle/task-stopped.js';
import { startMatch } from '../src/match/start-match.js';
import { type MetricRecord, recordingMetrics } from '../src/metrics/matchmaking-metrics.js';
import type { CancelReason } from '../src/metrics/metric-names.js';
import { keepPools } from '../src/pool/keep-pool.js';
import type { PoolDeps } from '../src/pool/pool-deps.js';
import { queueCatalog, queuesSchema } from '../src/queues/queue-config.js';
import { joinQueue } from '../src/use-cases/join-queue.js';
import { partyWorld } from './helpers/party-world.js';

/*
 * What the use cases report through the metrics port, with a recording
 * port and in-memory stand-ins for the tables: the reason of each
 * cancellation and abandonment, counted once (by the run that made the
 * transition), requeued tickets, idle warm servers, players joined.
 */
const NOW = 1_000_000;

function match(extra: Partial<MatchItem> = {}): MatchItem {
  const member = (userId: string) => ({
    userId,
    connectionId: `c-${userId}`,
    rating: 1500,
    rd: 350,
    vol: 0.06,
    joinKey: 'k',
  });
  return {
    matchId: 'm1',
    queue: 'duel',
    region: 'eu-west-1',
    state: 'starting',
    home: [member('a')],
    away: [member('b')],
    tickets: ['a', 'b'].map((id) => ({
      ticketId: `t-${id}`,
      enqueuedAt: 0,
      userIds: [id],
      attempts: 0,
      failedMatches: 0,
    })),
    bootstrapHash: 'h',
    createdAt: 0,
    ...extra,
  };
}

/** Lifecycle deps over one match: its transitions succeed (`moved`) or were made before (a re-run). */
function lifecycle(current: MatchItem, moved = true) {
  const metrics = recordingMetrics();
  const deps = {
    clock: { now: () => NOW },
    metrics,
    matches: {
      get: async () => current,
      transition: async () => moved,
      replaceBootstrap: async () => true,
    },
    players: {
      get: async (userId: string) => ({
        userId,
        matchId: current.matchId,
        connectionId: `c-${userId}`,
        status: 'matched',
      }),
      requeue: async (userId: string) => ({ userId }),
      freeFromMatch: async () => undefined,
      leaveQueue: async () => undefined,
      markMatched: async (userId: string) => ({ userId, connectionId: `c-${userId}` }),
    },
    connections: { get: async (connectionId: string) => ({ connectionId }) },
    tickets: {
      release: async (ref: { ticketId: string }) =>
        ({ ...ref, queue: 'duel', region: 'eu-west-1', state: 'waiting' }) as TicketItem,
      deleteClaimed: async () => true,
    },
    notifier: { send: async () => 'sent' as const, close: async () => undefined },
    queue: { requestPass: async () => undefined },
    launcher: {
      start: async () => 'arn:task',
      stop: async () => undefined,
      taskDefinitionOf: () => 'game-server',
    },
  };
  return { deps: deps as unknown as LifecycleDeps, metrics };
}

const named = (records: readonly MetricRecord[], name: string) =>
  records.filter((r) => r.name === name).map((r) => ({ ...r.dimensions, value: r.value }));

describe('a cancelled match, by reason', () => {
  it.each<[CancelOptions, CancelReason]>([
    [{ playerLeft: true }, 'playerLeft'],
    [{ capacity: true }, 'noCapacity'],
    [{ cause: 'launchFailed' }, 'launchFailed'],
    [{ cause: 'serverStopped' }, 'serverStopped'],
    [{ cause: 'readyTimeout' }, 'readyTimeout'],
  ])('%o: MatchesCancelled and both tickets Requeued with reason %s', async (options, reason) => {
    const { deps, metrics } = lifecycle(match());
    await cancelMatch(deps as CancelDeps, match(), 'why', new Set(), options);
    expect(named(metrics.records, 'MatchesCancelled')).toEqual([{ reason, value: 1 }]);
    expect(named(metrics.records, 'Requeued')).toEqual([{ reason, value: 2 }]);
  });

  it.each<[CancelOptions['declined'], CancelReason]>([
    [{ reason: 'declined', decliner: 'a' }, 'declined'],
    [{ reason: 'timeout' }, 'acceptTimeout'],
  ])(
    'the ready check %o: reason %s; only the ticket whose player accepted is requeued',
    async (declined, reason) => {
      const proposed = match({ state: 'proposed', readyCheckSeconds: 20, accepted: ['b'] });
      const { deps, metrics } = lifecycle({ ...proposed, state: 'declined' });
      await cancelMatch(deps as CancelDeps, proposed, 'why', new Set(), { declined });
      expect(named(metrics.records, 'MatchesCancelled')).toEqual([{ reason, value: 1 }]);
      expect(named(metrics.records, 'Requeued')).toEqual([{ reason, value: 1 }]);
    },
  );

  it('a re-run that finishes an earlier cancellation counts no new one; the tickets it releases count as recovered', async () => {
    const { deps, metrics } = lifecycle(match({ state: 'cancelled' }), false);
    await cancelMatch(deps as CancelDeps, match(), 'why');
    expect(named(metrics.records, 'MatchesCancelled')).toEqual([]);
    expect(named(metrics.records, 'Requeued')).toEqual([{ reason: 'staleClaim', value: 2 }]);
    // The same step run twice (a redelivered event): the second finds it cancelled already.
    const again = lifecycle(match({ state: 'cancelled' }), false);
    await cancelMatch(again.deps as CancelDeps, match(), 'why', new Set(), { cause: 'serverStopped' });
    expect(named(again.metrics.records, 'MatchesCancelled')).toEqual([]);
    // Its releases are recovered ones too, not serverStopped again.
    expect(named(again.metrics.records, 'Requeued')).toEqual([{ reason: 'staleClaim', value: 2 }]);
  });

  it('the tick finishing a declined match (finishDecline) counts its requeued tickets as staleClaim, not declined', async () => {
    for (const declinedBy of ['a', undefined]) {
      const declined = match({
        state: 'declined',
        readyCheckSeconds: 20,
        accepted: ['b'],
        ...(declinedBy ? { declinedBy } : {}),
      });
      const { deps, metrics } = lifecycle(declined, false);
      await finishDecline(deps as CancelDeps, declined);
      expect(named(metrics.records, 'MatchesCancelled')).toEqual([]);
      expect(named(metrics.records, 'Requeued')).toEqual([{ reason: 'staleClaim', value: 1 }]);
    }
  });

  it('RunTask refusing the task (not for capacity): launchFailed; for capacity: noCapacity', async () => {
    for (const [kind, reason] of [
      ['rejected', 'launchFailed'],
      ['capacity', 'noCapacity'],
    ] as const) {
      const { deps, metrics } = lifecycle(match());
      deps.launcher.start = async () => {
        throw new GameServerLaunchError('refused', kind);
      };
      const timings = { callbackBaseUrl: 'https://cb', maxMatchSeconds: 60, idleSeconds: 60 };
      expect(await startMatch(deps, timings, 'm1')).toBe('cancelled');
      expect(named(metrics.records, 'MatchesCancelled')).toEqual([{ reason, value: 1 }]);
    }
  });
});

describe('a stopped game server', () => {
  it('before ready: cancelled serverStopped', async () => {
    const { deps, metrics } = lifecycle(match({ taskArn: 'arn:task' }));
    await taskStopped(deps, { matchId: 'm1', taskArn: 'arn:task', reason: 'Essential container exited' });
    expect(named(metrics.records, 'MatchesCancelled')).toEqual([{ reason: 'serverStopped', value: 1 }]);
  });

  it.each([
    [3, 'maxMatchTime'],
    [4, 'noPlayers'],
    [5, 'serverRetired'],
    [1, 'serverStopped'],
    [undefined, 'serverStopped'],
  ])('after ready, exit code %s: abandoned %s', async (exitCode, reason) => {
    const { deps, metrics } = lifecycle(match({ state: 'ready', taskArn: 'arn:task' }));
    await taskStopped(deps, {
      matchId: 'm1',
      taskArn: 'arn:task',
      reason: 'exited',
      ...(exitCode === undefined ? {} : { exitCode }),
    });
    expect(named(metrics.records, 'MatchesAbandoned')).toEqual([{ reason, value: 1 }]);
  });

  it('an abandonment finished again (a re-run) is not counted twice', async () => {
    const { deps, metrics } = lifecycle(match({ state: 'abandoned' }), false);
    await abandonMatch(deps, match({ state: 'ready' }), 'why', 'maxMatchTime');
    expect(named(metrics.records, 'MatchesAbandoned')).toEqual([]);
  });
});

describe('the tick', () => {
  it('requeues a claimed ticket whose match was never stored: Requeued staleClaim', async () => {
    const metrics = recordingMetrics();
    const ticket = {
      ticketId: 't1',
      queue: 'duel',
      region: 'eu-west-1',
      state: 'claimed',
      matchId: 'gone',
      players: [],
    };
    const deps = {
      clock: { now: () => NOW },
      metrics,
      tickets: {
        listClaimedBefore: async () => [ticket],
        release: async () => ({ ...ticket, state: 'waiting' }),
      },
      matches: { get: async () => undefined },
      queue: { requestPass: async () => undefined },
    } as unknown as LifecycleDeps;
    await recoverStaleClaims(deps, [{ queue: 'duel', region: 'eu-west-1' }]);
    expect(named(metrics.records, 'Requeued')).toEqual([{ reason: 'staleClaim', value: 1 }]);
  });

  it('reports the idle warm servers of each region with a pool (not launching ones), and nothing where there is none', async () => {
    const metrics = recordingMetrics();
    const server = (serverId: string, state: ServerItem['state']): ServerItem => ({
      serverId,
      region: 'eu-west-1',
      state,
      registrationHash: 'r',
      launchedAt: NOW,
      heartbeatAt: NOW,
      registeredAt: NOW,
      taskArn: `arn:${serverId}`,
      taskDefinition: 'game-server:1',
    });
    const deps = {
      clock: { now: () => NOW },
      metrics,
      launcher: { taskDefinitionOf: () => 'game-server:1' },
      servers: {
        listSpare: async (region: string) =>
          region === 'eu-west-1' ? [server('s1', 'idle'), server('s2', 'launching')] : [],
      },
      demand: { takenLastMinute: async () => 0 },
      settings: {
        pool: {
          default: { idle: 2, max: 4 },
          regions: { 'us-east-1': { idle: 0, max: 0 } },
          leadSeconds: 60,
        },
        heartbeatSeconds: 5,
        assignTimeoutSeconds: 3,
        registerSeconds: 180,
        matchesPerServer: 1,
      },
    } as unknown as PoolDeps;
    await keepPools(deps, ['eu-west-1', 'us-east-1']);
    expect(named(metrics.records, 'WarmServersIdle')).toEqual([{ region: 'eu-west-1', value: 1 }]);
  });
});

describe('joinQueue', () => {
  it("counts every member of a party's ticket as a player joined, in its queue and region", async () => {
    const w = partyWorld();
    for (const id of ['L', 'M', 'N']) w.addPlayer(id);
    w.addParty('P', ['L', 'M', 'N']);
    const catalog = queueCatalog(queuesSchema.parse({ trio: { teamSize: 3 } }));
    await joinQueue(
      w.deps,
      { regions: ['eu-west-1'], catalog },
      { userId: 'L', connectionId: 'c-L', queue: 'trio' },
    );
    expect(named(w.metrics.records, 'PlayersJoined')).toEqual([
      { queue: 'trio', region: 'eu-west-1', value: 3 },
    ]);
  });
});
