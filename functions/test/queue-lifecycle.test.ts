import type { ServerEvent } from '@matchmaking/core';
import { describe, expect, it } from 'vitest';
import type { TicketItem } from '../src/data/items.js';
import type { LifecycleDeps } from '../src/lifecycle/lifecycle-deps.js';
import { expireTickets, hasExpired, MAX_EXPIRIES_PER_PASS } from '../src/match/expire-tickets.js';
import { WaitingPool } from '../src/match/waiting-pool.js';
import { PendingFigures } from '../src/queues/pending-figures.js';
import { queueCatalog, queuesSchema } from '../src/queues/queue-config.js';
import { ESTIMATE_CACHE_MS, type EstimateCache, estimateWait } from '../src/queues/queue-stats.js';
import { joinQueue } from '../src/use-cases/join-queue.js';
import { partyWorld } from './helpers/party-world.js';

const queue = {
  name: 'duel',
  teamSize: 1,
  maxWaitSeconds: 60,
  matching: { teamSize: 1, windowInitial: 100, windowGrowthPerSecond: 0, windowMax: 100 },
};

function ticket(id: string, userId: string, extra: Partial<TicketItem> = {}): TicketItem {
  return {
    queue: 'duel',
    region: 'eu-west-1',
    ticketId: id,
    enqueuedAt: 0,
    state: 'waiting',
    players: [{ userId, connectionId: `c-${userId}`, rating: 1500, rd: 350 }],
    ...extra,
  };
}

describe('ticket timeouts', () => {
  it("count a requeued ticket's longest wait from its requeue", () => {
    expect(hasExpired({ enqueuedAt: 0 }, queue, 60_000)).toBe(true);
    expect(hasExpired({ enqueuedAt: 0, requeuedAt: 50_000 }, queue, 60_000)).toBe(false);
    expect(hasExpired({ enqueuedAt: 0, requeuedAt: 50_000 }, queue, 110_000)).toBe(true);
  });

  it('take a ticket out even when its notice cannot be sent, and at most MAX_EXPIRIES_PER_PASS at once', async () => {
    const w = partyWorld();
    const tickets = Array.from({ length: MAX_EXPIRIES_PER_PASS + 5 }, (_, i) => ticket(`t${i}`, `p${i}`));
    for (const t of tickets) {
      w.addPlayer(t.players[0]?.userId as string, { status: 'queued', ticketId: t.ticketId, queue: 'duel' });
      await w.deps.tickets.create(t);
    }
    const deps = {
      ...w.deps,
      notifier: {
        // One connection's notice fails (a 429 from @connections); the others are sent.
        send: async (to: string, event: unknown) => {
          if (to === 'c-p0') throw new Error('throttled');
          return w.deps.notifier.send(to, event as ServerEvent);
        },
        close: async () => {},
      },
    } as unknown as LifecycleDeps;
    const expired = await expireTickets(deps, queue, tickets, 61_000);
    expect(expired).toHaveLength(MAX_EXPIRIES_PER_PASS);
    expect(w.player('p0')).toMatchObject({ status: 'idle' });
    expect(w.sent.filter((s) => s.type === 'queueTimeout')).toHaveLength(MAX_EXPIRIES_PER_PASS - 1);
    expect(w.tickets.size).toBe(5);
  });
});

describe("the matchmaker's pool", () => {
  it('never takes back a ticket that left the queue (a late join message or index read)', () => {
    const pool = new WaitingPool('duel');
    const left = ticket('t1', 'a');
    pool.put(left);
    expect(pool.holds('eu-west-1', 't1')).toBe(true);
    pool.drop('eu-west-1', ['t1'], 0);
    pool.put(left);
    expect(pool.holds('eu-west-1', 't1')).toBe(false);
  });

  it('writes figures whose write failed with the next ones', () => {
    const figures = new PendingFigures();
    figures.add('r', 2, [1000]);
    const first = figures.take('r', 3, 3, 0, true);
    expect(first?.matches).toBe(2);
    figures.putBack('r', first as NonNullable<typeof first>);
    figures.add('r', 1, [2000]);
    expect(figures.take('r', 3, 3, 1, true)).toEqual({
      matches: 3,
      waits: [1000, 2000],
      waiting: { players: 3, tickets: 3 },
    });
  });
});

describe('the wait estimate', () => {
  const catalog = queueCatalog(queuesSchema.parse({ duel: { teamSize: 1 } }));
  const settings = { regions: ['eu-west-1'], catalog };

  it('is read once per pool every 5 s by a function instance', async () => {
    let reads = 0;
    const stats = {
      read: async () => {
        reads += 1;
        return { playersWaiting: 0, ticketsWaiting: 0, matches: 1, waits: [0, 0, 0, 2, 0] };
      },
    };
    const cache: EstimateCache = new Map();
    const pool = { queue: 'duel', region: 'eu-west-1' };
    expect(await estimateWait(stats, pool, 0, cache)).toBe(3); // the middle of the 2-3 s bucket
    expect(await estimateWait(stats, pool, ESTIMATE_CACHE_MS - 1, cache)).toBe(3);
    expect(reads).toBe(1);
    await estimateWait(stats, pool, ESTIMATE_CACHE_MS, cache);
    expect(reads).toBe(2);
  });

  it('never fails a join: figures that cannot be read are left out', async () => {
    const w = partyWorld();
    w.addPlayer('S');
    const deps = {
      ...w.deps,
      stats: {
        read: async () => {
          throw new Error('throttled');
        },
      },
    };
    const joined = await joinQueue(deps, settings, { userId: 'S', connectionId: 'c-S', region: 'eu-west-1' });
    expect(joined).toMatchObject({ type: 'joinedQueue', queue: 'duel', players: ['S'] });
    expect(joined).not.toHaveProperty('estimatedWaitSeconds');
  });
});
