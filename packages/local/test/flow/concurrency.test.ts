import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { callback, sessionToken } from '../helpers/callbacks.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';

/*
 * Many players joining, double-joining, leaving and disconnecting at once.
 * Afterwards: nobody is in two matches, every ticket belongs to exactly one
 * queued player, every player's status agrees with the tables, and once the
 * matches end everyone is free and rated exactly once.
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    teamSize: 2,
  });
  tables = tableReader(stack);
});
afterAll(() => stack.stop());

describe('concurrent joins, leaves and disconnects', () => {
  it('never puts a player in two matches, loses no ticket and leaves nobody stuck', async () => {
    const players = await Promise.all(
      Array.from({ length: 40 }, (_, i) => TestPlayer.connect(stack, `c${i}`)),
    );
    const join = { action: 'joinQueue', region: 'eu-west-1' };
    players.forEach((player, i) => {
      player.send(join);
      if (i % 5 === 0) player.send(join); // a double join at once: one ticket at most
      if (i % 7 === 0) player.send({ action: 'leaveQueue' });
    });
    const leavers = players.filter((_, i) => i % 9 === 4);
    await Promise.all(leavers.map((player) => player.close()));
    await stack.settled();

    const all = await tables.matches();
    // A match cancelled because a member was gone at MATCH FOUND put the others back; only live ones count.
    const matches = all.filter((m) => m.state === 'starting');
    expect(all.every((m) => m.state === 'starting' || m.state === 'cancelled')).toBe(true);
    const seen = new Map<string, string>();
    for (const match of matches) {
      for (const member of [...match.home, ...match.away]) {
        expect(seen.get(member.userId), `${member.userId} is in two matches`).toBeUndefined();
        seen.set(member.userId, match.matchId);
      }
    }
    const tickets = await tables.tickets();
    const ticketOwners = tickets.flatMap((t) => t.players.map((p: { userId: string }) => p.userId));
    expect(new Set(ticketOwners).size).toBe(ticketOwners.length);
    for (const player of await tables.players()) {
      const ticket = tickets.find((t) => t.ticketId === player.ticketId);
      if (player.status === 'queued')
        expect(ticket?.state, `${player.userId} queued without a ticket`).toBe('waiting');
      if (player.status === 'matched') expect(seen.get(player.userId)).toBe(player.matchId);
      if (player.status === 'idle') expect(ticketOwners).not.toContain(player.userId);
    }
    for (const ticket of tickets) {
      if (ticket.state === 'claimed') expect(matches.map((m) => m.matchId)).toContain(ticket.matchId);
    }
    // Everyone still connected and waiting could not form a full match: fewer than four remain.
    const waiting = tickets.filter((t) => t.state === 'waiting');
    expect(waiting.length).toBeLessThan(4);

    // The game servers report; every matched player ends free and rated once.
    for (const match of matches) {
      const token = await sessionToken(stack, match.matchId);
      expect((await callback(stack, match.matchId, 'ready', { port: 5000 }, token)).status).toBe(200);
      expect((await callback(stack, match.matchId, 'result', { outcome: 'draw' }, token)).status).toBe(200);
      expect((await callback(stack, match.matchId, 'result', { outcome: 'home' }, token)).status).toBe(409);
    }
    await stack.settled();
    for (const [userId, matchId] of seen) {
      expect(await tables.player(userId)).toMatchObject({ status: 'idle', lastRatedMatchId: matchId });
    }
    expect(matches.length).toBeGreaterThan(3);
    await Promise.all(players.map((player) => player.close()));
  });
});
