import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MatchItem, TicketItem } from '../src/data/items.js';
import { abandonMatch } from '../src/lifecycle/abandon-match.js';
import { type CancelDeps, cancelMatch } from '../src/lifecycle/cancel-match.js';
import type { LifecycleDeps } from '../src/lifecycle/lifecycle-deps.js';
import { recoverStaleClaims } from '../src/lifecycle/recover-claims.js';
import { serverReady } from '../src/lifecycle/server-ready.js';
import { powertoolsMetrics } from '../src/metrics/powertools-metrics.js';
import { queueCatalog, queuesSchema } from '../src/queues/queue-config.js';
import { joinQueue } from '../src/use-cases/join-queue.js';
import { partyWorld } from './helpers/party-world.js';

/*
 * A count gated by a one-time state change (a conditional write only one run
 * makes) is published right after it, before the use case's next step: a
 * function that dies there (here, a dependency that throws) has its count
 * out already, in the EMF lines on stdout, although its invocation never
 * reaches the end-of-invocation publish. Its re-run finds the change made
 * and counts nothing, so without the flush the count would be lost.
 */
const NOW = 1_000_000;

/** The EMF lines written so far, read as `{metric: value, ...dimensions}`. */
let written: Record<string, unknown>[] = [];
/** What had been written when the failing step ran. */
let atFailure: Record<string, unknown>[] | undefined;

function captureEmf() {
  written = [];
  atFailure = undefined;
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest) => {
    const text = String(chunk);
    if (!text.startsWith('{"_aws"')) return write(chunk, ...(rest as []));
    const { _aws, ...fields } = JSON.parse(text) as Record<string, unknown>;
    written.push(fields);
    return true;
  }) as typeof process.stdout.write);
}

/** A step that fails, as a function killed there would stop: what was published by then stays. */
const dies = async (): Promise<never> => {
  atFailure = [...written];
  throw new Error('the function died here');
};

beforeEach(captureEmf);
afterEach(() => {
  vi.restoreAllMocks();
});

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
    createdAt: NOW - 3_000,
    ...extra,
  };
}

/** Lifecycle deps over one match whose transition this run makes, publishing real EMF. */
function lifecycle(current: MatchItem) {
  const deps = {
    clock: { now: () => NOW },
    metrics: powertoolsMetrics('d'),
    matches: { get: async () => current, transition: async () => true },
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
      markInMatch: async () => undefined,
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
  return deps;
}

const deployment = { service: 'matchmaking', deployment: 'd' };

describe('a one-time transition publishes its count before the next step', () => {
  it('cancelMatch: MatchesCancelled is out before the tickets are settled', async () => {
    const deps = lifecycle(match());
    deps.players.get = dies;
    await expect(
      cancelMatch(deps as unknown as CancelDeps, match(), 'why', new Set(), { cause: 'serverStopped' }),
    ).rejects.toThrow('died');
    expect(atFailure).toEqual([{ ...deployment, reason: 'serverStopped', MatchesCancelled: 1 }]);
  });

  it('cancelMatch: Requeued is out before the pass is requested', async () => {
    const deps = lifecycle(match());
    deps.queue.requestPass = dies;
    await expect(
      cancelMatch(deps as unknown as CancelDeps, match(), 'why', new Set(), { cause: 'readyTimeout' }),
    ).rejects.toThrow('died');
    expect(atFailure).toEqual([
      { ...deployment, reason: 'readyTimeout', MatchesCancelled: 1 },
      { ...deployment, reason: 'readyTimeout', Requeued: 2 },
    ]);
  });

  it('abandonMatch: MatchesAbandoned is out before the players are freed', async () => {
    const deps = lifecycle(match({ state: 'ready' }));
    deps.players.freeFromMatch = dies;
    await expect(
      abandonMatch(deps as unknown as LifecycleDeps, match({ state: 'ready' }), 'why', 'maxMatchTime'),
    ).rejects.toThrow('died');
    expect(atFailure).toEqual([{ ...deployment, reason: 'maxMatchTime', MatchesAbandoned: 1 }]);
  });

  it("serverReady: TimeToPlay is out before the players are told the server's address", async () => {
    const deps = lifecycle(match());
    deps.players.markInMatch = dies;
    await expect(
      serverReady(deps as never, 60, match(), { port: 4000 } as never, '10.0.0.1'),
    ).rejects.toThrow('died');
    expect(atFailure).toEqual([{ ...deployment, region: 'eu-west-1', TimeToPlay: 3 }]);
  });

  it('recoverStaleClaims: Requeued staleClaim is out before the pass is requested', async () => {
    const ticket = { ticketId: 't1', queue: 'duel', region: 'eu-west-1', state: 'claimed', matchId: 'gone' };
    const deps = {
      clock: { now: () => NOW },
      metrics: powertoolsMetrics('d'),
      tickets: {
        listClaimedBefore: async () => [ticket],
        release: async () => ({ ...ticket, state: 'waiting', players: [] }),
      },
      matches: { get: async () => undefined },
      queue: { requestPass: dies },
    };
    await expect(
      recoverStaleClaims(deps as unknown as LifecycleDeps, [{ queue: 'duel', region: 'eu-west-1' }]),
    ).rejects.toThrow('died');
    expect(atFailure).toEqual([{ ...deployment, reason: 'staleClaim', Requeued: 1 }]);
  });

  it('joinQueue: PlayersJoined is out once the ticket is in, before the pass is requested', async () => {
    const w = partyWorld();
    for (const id of ['L', 'M']) w.addPlayer(id);
    w.addParty('P', ['L', 'M']);
    const deps = { ...w.deps, metrics: powertoolsMetrics('d'), queue: { requestPass: dies } };
    const catalog = queueCatalog(queuesSchema.parse({ duo: { teamSize: 2 } }));
    await expect(
      joinQueue(
        deps,
        { regions: ['eu-west-1'], catalog },
        { userId: 'L', connectionId: 'c-L', queue: 'duo' },
      ),
    ).rejects.toThrow('died');
    expect(atFailure).toEqual([{ ...deployment, queue: 'duo', region: 'eu-west-1', PlayersJoined: 2 }]);
  });
});

describe('without a one-time transition', () => {
  it('a re-run (the transition was made before) publishes nothing early: its figures go at the end of the invocation', async () => {
    const deps = lifecycle(match({ state: 'abandoned' }));
    deps.matches.transition = async () => false;
    deps.players.freeFromMatch = dies;
    await expect(
      abandonMatch(deps as unknown as LifecycleDeps, match({ state: 'ready' }), 'why', 'maxMatchTime'),
    ).rejects.toThrow('died');
    expect(atFailure).toEqual([]);
  });
});
