import {
  documentClient,
  type LifecycleDeps,
  lifecycleDeps,
  newTicketId,
  type TicketItem,
} from '@matchmaking/functions/lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';

/*
 * How tickets and match deadlines are stored: no region and no deadline state
 * is one partition key (a hot key caps writes at 1,000 units/s), and the
 * matchmaker's full read returns waiting tickets only: claimed ones are never
 * read, however many there are.
 */
let stack: LocalStack;
let deps: LifecycleDeps;
const REGION = 'eu-west-1';
const POOL = { queue: 'default', region: REGION };
/** Items each DynamoDB Query read (ScannedCount: what read units are charged for, before any filter). */
let scanned = 0;

beforeAll(async () => {
  stack = await startTestStack({ regions: [REGION], teamSize: 1 });
  deps = lifecycleDeps();
  documentClient().middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      scanned += (result.output as { ScannedCount?: number }).ScannedCount ?? 0;
      return result;
    },
    { step: 'initialize', name: 'countScanned' },
  );
});
afterAll(() => stack.stop());

function ticket(i: number, prefix: string): TicketItem {
  const enqueuedAt = 1_700_000_000_000 + i;
  return {
    queue: 'default',
    region: REGION,
    ticketId: newTicketId(enqueuedAt, `${prefix}-${i}`),
    enqueuedAt,
    state: 'waiting',
    players: [{ userId: `${prefix}-${i}`, connectionId: `conn-${prefix}-${i}`, rating: 1500, rd: 350 }],
  };
}

describe('ticket and deadline storage', () => {
  it("spreads a region's tickets over many partition keys", async () => {
    for (let i = 0; i < 64; i += 1) await deps.tickets.create(ticket(i, 'spread'));
    const items = (await tableReader(stack).tickets()).filter((t) => String(t.ticketId).includes('#spread-'));
    expect(items).toHaveLength(64);
    const keys = new Set(items.map((t) => t.shardKey));
    expect(keys.size).toBeGreaterThanOrEqual(12);
    for (const key of keys) expect(key).toMatch(/^default:eu-west-1#\d+$/);
  });

  it('reads only waiting tickets: claimed ones cost the full read nothing', async () => {
    const before = (await deps.tickets.listWaiting(POOL)).length;
    const tickets = Array.from({ length: 60 }, (_, i) => ticket(i, 'claims'));
    for (const t of tickets) await deps.tickets.create(t);
    for (const t of tickets.slice(0, 50)) {
      expect(await deps.tickets.claim({ ...POOL, ticketId: t.ticketId }, 'match-x', Date.now(), 0)).toBe(
        true,
      );
    }
    scanned = 0;
    const waiting = await deps.tickets.listWaiting(POOL);
    expect(waiting).toHaveLength(before + 10);
    expect(scanned).toBe(before + 10);
    // Oldest first across the shards, and only the ticket's own attributes.
    expect(waiting.map((t) => t.ticketId)).toEqual([...waiting.map((t) => t.ticketId)].sort());
    expect(Object.keys(waiting[0] as object)).not.toContain('shardKey');

    // The stale-claim sweep reads claims older than its cutoff only.
    scanned = 0;
    expect(await deps.tickets.listClaimedBefore(POOL, 0)).toEqual([]);
    expect(scanned).toBe(0);
    expect(await deps.tickets.listClaimedBefore(POOL, Date.now())).toHaveLength(50);

    // A released ticket is waiting (and read) again, with its new version.
    const released = await deps.tickets.release(
      { ...POOL, ticketId: tickets[0]?.ticketId as string },
      'match-x',
    );
    expect(released).toMatchObject({ state: 'waiting', attempts: 1 });
    expect((await deps.tickets.listWaiting(POOL)).length).toBe(before + 11);
  });

  it('finds overdue matches in every deadline shard', async () => {
    const now = Date.now();
    const ids = Array.from({ length: 32 }, (_, i) => `deadline-match-${i}`);
    for (const matchId of ids) {
      await deps.matches.create({
        matchId,
        queue: 'default',
        region: REGION,
        state: 'starting',
        home: [],
        away: [],
        tickets: [],
        bootstrapHash: 'x',
        createdAt: now - 60_000,
        deadlineAt: now - 1000,
      });
    }
    const overdue = (await deps.matches.listOverdue('starting', now)).map((m) => m.matchId);
    expect(overdue.filter((id) => id.startsWith('deadline-match-')).sort()).toEqual([...ids].sort());
    const keys = new Set((await tableReader(stack).matches()).map((m) => m.deadlineShard).filter(Boolean));
    expect(keys.size).toBeGreaterThanOrEqual(6);
  });
});
