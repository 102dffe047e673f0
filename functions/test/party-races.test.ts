import { describe, expect, it } from 'vitest';
import { joinParty, kickFromParty, leaveParty } from '../src/parties/parties.js';
import { queueCatalog, queuesSchema } from '../src/queues/queue-config.js';
import { joinQueue } from '../src/use-cases/join-queue.js';
import { leaveQueue } from '../src/use-cases/leave-queue.js';
import { partyWorld } from './helpers/party-world.js';

/*
 * Party changes racing the leader's joinQueue, interleaved at chosen steps
 * (the review's sequences). Whatever the order, no ticket is left with a
 * player who is not queued on it, and nobody is queued with a party they
 * are not in.
 */
const catalog = queueCatalog(queuesSchema.parse({ trio: { teamSize: 3 } }));
const settings = { regions: ['eu-west-1'], catalog };
const join = (w: ReturnType<typeof partyWorld>, userId: string) =>
  joinQueue(w.deps, settings, { userId, connectionId: `c-${userId}`, queue: 'trio', region: 'eu-west-1' });

/** Every waiting ticket's players are queued on it and in its party; everyone queued has their ticket. */
function consistent(w: ReturnType<typeof partyWorld>): void {
  for (const ticket of w.tickets.values()) {
    for (const member of ticket.players) {
      expect(w.player(member.userId)).toMatchObject({ status: 'queued', ticketId: ticket.ticketId });
      if (ticket.partyId) expect(w.parties.get(ticket.partyId)?.members).toContain(member.userId);
    }
  }
  for (const player of w.players.values()) {
    if (player.status !== 'queued') continue;
    expect([...w.tickets.values()].map((t) => t.ticketId)).toContain(player.ticketId);
  }
}

describe('party changes racing the leader queueing the party', () => {
  it('a player joining the party before the leader marks the party queued: the ticket comes out again', async () => {
    const w = partyWorld();
    for (const id of ['L', 'M', 'X']) w.addPlayer(id);
    w.addParty('P', ['L', 'M']);
    const held = w.pause('markQueued:L');
    const queueing = join(w, 'L').catch((error: { code: string }) => error.code);
    await held.reached;
    expect((await joinParty(w.deps, 3, 'X', 'P')).type).toBe('partyUpdated');
    held.release();
    expect(await queueing).toBe('CONFLICT');
    expect(w.tickets.size).toBe(0);
    expect(['L', 'M', 'X'].map((id) => w.player(id).status)).toEqual(['idle', 'idle', 'idle']);
    consistent(w);
  });

  it('nobody can join a party while it is in the queue (a code holder cannot pull it out)', async () => {
    const w = partyWorld();
    for (const id of ['L', 'M', 'X']) w.addPlayer(id);
    w.addParty('P', ['L', 'M']);
    await join(w, 'L');
    await expect(joinParty(w.deps, 3, 'X', 'P')).rejects.toMatchObject({ code: 'PARTY_CANNOT_QUEUE' });
    expect(w.tickets.size).toBe(1);
    consistent(w);
  });

  it('a member leaving while the leader queues: the member never stays queued with the party', async () => {
    const w = partyWorld();
    for (const id of ['L', 'M']) w.addPlayer(id);
    w.addParty('P', ['L', 'M']);
    const held = w.pause('parties.replace'); // M's party change is held...
    const leaving = leaveParty(w.deps, 'M');
    await held.reached;
    await join(w, 'L'); // ...while L queues [L, M] and finds the party unchanged
    held.release();
    await leaving;
    expect(w.parties.get('P')?.members).toEqual(['L']);
    expect(w.tickets.size).toBe(0);
    expect(w.player('M')).toMatchObject({ status: 'idle' });
    expect(w.player('M').partyId).toBeUndefined();
    expect(w.sent).toContainEqual({ to: 'c-L', type: 'leftQueue', reason: 'M left the party' });
    consistent(w);
  });

  it('a kick racing the leader queueing, and a kicked player cannot come back with the code', async () => {
    const w = partyWorld();
    for (const id of ['L', 'M']) w.addPlayer(id);
    w.addParty('P', ['L', 'M']);
    const held = w.pause('parties.replace');
    const kicking = kickFromParty(w.deps, 'L', 'M');
    await held.reached;
    await join(w, 'L');
    held.release();
    await kicking;
    expect(w.tickets.size).toBe(0);
    consistent(w);
    await expect(joinParty(w.deps, 3, 'M', 'P')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it("a leave racing a solo join's ticket write neither clears the player nor leaves a ticket behind", async () => {
    const w = partyWorld();
    w.addPlayer('S');
    const held = w.pause('tickets.create');
    const queueing = join(w, 'S');
    await held.reached;
    // The join is still writing its ticket: the player is not cleared under it.
    await expect(leaveQueue(w.deps, 'S')).rejects.toMatchObject({ code: 'NOT_QUEUED' });
    held.release();
    await queueing;
    consistent(w);
    expect((await leaveQueue(w.deps, 'S')).type).toBe('leftQueue');
    expect(w.tickets.size).toBe(0);
    consistent(w);
  });
});
