import type { PartyItem, PlayerItem, TicketItem } from '../../src/data/items.js';
import type { TicketRef } from '../../src/data/tickets-repository.js';
import { recordingMetrics } from '../../src/metrics/matchmaking-metrics.js';
import type { PartyDeps } from '../../src/parties/party-changes.js';
import type { PassRequest } from '../../src/ports.js';
import type { PoolRef } from '../../src/queues/queue-config.js';
import type { JoinQueueDeps } from '../../src/use-cases/join-queue.js';

/**
 * In-memory players, tickets and parties with the repositories' conditional
 * semantics, and gates that hold a named call until released: use cases run
 * for real and a test interleaves them at the step it chooses.
 */
export function partyWorld() {
  const players = new Map<string, PlayerItem>();
  const tickets = new Map<string, TicketItem>();
  const parties = new Map<string, PartyItem>();
  const sent: { to: string; type: string; reason?: string }[] = [];
  const passes: PassRequest[] = [];
  const gates = new Map<string, { hold: Promise<void>; reached: () => void }>();
  const gate = async (name: string) => {
    const held = gates.get(name);
    if (!held) return;
    gates.delete(name);
    held.reached();
    await held.hold;
  };
  const copy = <T>(item: T | undefined): T | undefined =>
    item === undefined ? undefined : structuredClone(item);
  const keyOf = (ref: TicketRef) => `${ref.queue}:${ref.region}:${ref.ticketId}`;
  const player = (id: string) => players.get(id) as PlayerItem;
  let serial = 0;
  const update = (id: string, ok: (p: PlayerItem) => boolean, change: (p: PlayerItem) => void) => {
    const p = players.get(id);
    if (!p || !ok(p)) return undefined;
    change(p);
    return copy(p);
  };
  const metrics = recordingMetrics();
  const deps = {
    clock: { now: () => 1_000_000 + serial },
    ids: { next: () => `id${++serial}` },
    codes: { next: () => `C${String(++serial).padStart(7, '0')}` },
    notifier: {
      send: async (to: string, event: { type: string; reason?: string }) => {
        sent.push({ to, type: event.type, ...(event.reason ? { reason: event.reason } : {}) });
        return 'sent' as const;
      },
      close: async () => {},
    },
    connections: { delete: async () => {}, get: async () => undefined },
    queue: { requestPass: async (request: PassRequest) => void passes.push(request) },
    metrics,
    stats: { read: async () => ({ playersWaiting: 0, ticketsWaiting: 0, matches: 0, waits: [] }) },
    players: {
      get: async (id: string) => copy(players.get(id)),
      markQueued: async (id: string, pool: PoolRef, ticketId: string, _now: number, stale?: string) => {
        await gate(`markQueued:${id}`);
        return update(
          id,
          (p) => (stale ? p.status === 'queued' && p.ticketId === stale : p.status === 'idle'),
          (p) => Object.assign(p, { status: 'queued', ticketId, region: pool.region, queue: pool.queue }),
        );
      },
      leaveQueue: async (id: string, ticketId: string) =>
        update(
          id,
          (p) => p.status === 'queued' && p.ticketId === ticketId,
          (p) => {
            p.status = 'idle';
            delete p.ticketId;
          },
        ),
      joinParty: async (id: string, partyId: string) =>
        update(
          id,
          (p) => !p.partyId && p.status !== 'queued' && p.status !== 'matched',
          (p) => {
            p.partyId = partyId;
          },
        ) !== undefined,
      leaveParty: async (id: string, partyId: string) =>
        update(
          id,
          (p) => p.partyId === partyId,
          (p) => {
            delete p.partyId;
          },
        ) !== undefined,
    },
    tickets: {
      get: async (ref: TicketRef) => copy(tickets.get(keyOf(ref))),
      create: async (ticket: TicketItem) => {
        await gate('tickets.create');
        if (tickets.has(keyOf(ticket))) return false;
        tickets.set(keyOf(ticket), structuredClone(ticket));
        return true;
      },
      deleteWaiting: async (ref: TicketRef) => {
        if (tickets.get(keyOf(ref))?.state !== 'waiting') return false;
        return tickets.delete(keyOf(ref));
      },
    },
    parties: {
      get: async (id: string) => copy(parties.get(id)),
      create: async (party: PartyItem) => {
        if (parties.has(party.partyId)) return false;
        parties.set(party.partyId, structuredClone(party));
        return true;
      },
      replace: async (party: PartyItem) => {
        await gate('parties.replace');
        if (parties.get(party.partyId)?.version !== party.version - 1) return false;
        parties.set(party.partyId, structuredClone(party));
        return true;
      },
      delete: async (id: string, version: number) => {
        if (parties.get(id)?.version !== version) return false;
        return parties.delete(id);
      },
    },
  };
  return {
    deps: deps as unknown as PartyDeps & JoinQueueDeps,
    /** What the use cases reported (the metrics port). */
    metrics,
    players,
    tickets,
    parties,
    sent,
    passes,
    player,
    addPlayer(userId: string, extra: Partial<PlayerItem> = {}) {
      players.set(userId, {
        userId,
        rating: 1500,
        rd: 350,
        vol: 0.06,
        status: 'idle',
        connectionId: `c-${userId}`,
        region: 'eu-west-1',
        updatedAt: 0,
        ...extra,
      });
    },
    addParty(partyId: string, members: string[]) {
      parties.set(partyId, {
        partyId,
        leaderId: members[0] as string,
        members,
        createdAt: 0,
        updatedAt: 0,
        version: 1,
      });
      for (const member of members) (players.get(member) as PlayerItem).partyId = partyId;
    },
    /** Holds the next call named `name`; `reached` resolves when it is held, `release` lets it go on. */
    pause(name: string) {
      let release = () => {};
      let reached = () => {};
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const hold = new Promise<void>((resolve) => {
        release = resolve;
      });
      gates.set(name, { hold, reached });
      return { release, reached: reachedPromise };
    },
  };
}
