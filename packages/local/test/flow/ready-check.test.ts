import {
  answerMatch,
  lifecycleDeps,
  matchStartQueue,
  newTicketId,
  recordMatch,
  recoverStaleClaims,
  type TicketItem,
} from '@matchmaking/functions/lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { callback, openSession } from '../helpers/callbacks.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';

/*
 * The ready check end to end: real WebSockets, the real functions, the FIFO
 * queues and the ECS emulator (which records every RunTask). The game
 * server's part is played with its callbacks.
 */
let stack: LocalStack;
const REGION = 'eu-west-1';
const wide = { initial: 1000, growthPerSecond: 0, max: 1000 };
const settings = { readyTimeoutSeconds: 30 };

beforeAll(async () => {
  stack = await startTestStack({
    regions: [REGION],
    queues: {
      ranked: { teamSize: 1, default: true, ratingWindow: wide, readyCheckSeconds: 30 },
      quick: { teamSize: 1, ratingWindow: wide, readyCheckSeconds: 1 },
      casual: { teamSize: 1, ratingWindow: wide },
      // Makes the largest party 2 (the party test).
      pairs: { teamSize: 2, ratingWindow: wide, readyCheckSeconds: 30 },
    },
  });
});
afterAll(() => stack.stop());

let serial = 0;
async function connect(...names: string[]): Promise<TestPlayer[]> {
  serial += 1;
  return Promise.all(names.map((name) => TestPlayer.connect(stack, `${name}-${serial}`)));
}

/** Game servers started for this match (RunTask calls the ECS emulator saw). */
function tasksOf(matchId: string): number {
  return [...stack.ecs.tasks.values()].filter((task) => task.environment.MATCH_ID === matchId).length;
}

async function proposedTo(queue: string, ...players: TestPlayer[]) {
  for (const player of players)
    await player.request({ action: 'joinQueue', queue, region: REGION }, 'joinedQueue');
  const proposals = await Promise.all(players.map((player) => player.next('matchProposed')));
  const matchId = String(proposals[0]?.matchId);
  for (const proposal of proposals) expect(proposal.matchId).toBe(matchId);
  await stack.settled();
  return { matchId, proposals };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the ready check', () => {
  it('accepted by everyone (one after reconnecting): MATCH FOUND and a game server only then, and the match plays as any other', async () => {
    const [a, b] = (await connect('ra', 'rb')) as [TestPlayer, TestPlayer];
    const before = Date.now();
    const { matchId, proposals } = await proposedTo('ranked', a, b);
    expect(proposals[0]).toMatchObject({ queue: 'ranked', region: REGION, acceptSeconds: 30 });
    expect(Number(proposals[0]?.deadline)).toBeGreaterThanOrEqual(before + 30_000);
    expect(proposals[0]?.teams).toEqual(proposals[1]?.teams);
    expect(tasksOf(matchId)).toBe(0);
    expect(a.count('matchFound')).toBe(0);
    // A ready check may outlast the stale-claim timeout: the sweep leaves a proposed match's tickets alone.
    await recoverStaleClaims(lifecycleDeps(), [{ queue: 'ranked', region: REGION }], 0);
    const claimed = (await tableReader(stack).tickets()).filter((t) => t.matchId === matchId);
    expect(claimed.map((t) => t.state)).toEqual(['claimed', 'claimed']);
    const first = await a.request({ action: 'acceptMatch', matchId, accept: true }, 'matchAccepted');
    expect(first).toMatchObject({ accepted: 1, players: 2 });
    expect(await b.next('matchAccepted')).toMatchObject({ accepted: 1, players: 2 });
    // A repeated accept counts once.
    expect(await a.request({ action: 'acceptMatch', matchId, accept: true }, 'matchAccepted')).toMatchObject({
      accepted: 1,
    });
    await stack.settled();
    expect(tasksOf(matchId)).toBe(0);
    // b reconnects during the check: the new connection gets the proposal again, and answers it.
    const b2 = await TestPlayer.connect(stack, b.userId);
    expect(await b2.next('matchProposed')).toMatchObject({ matchId, deadline: proposals[1]?.deadline });
    await b2.request({ action: 'acceptMatch', matchId, accept: true }, 'matchAccepted');
    const found = await Promise.all([a.next('matchFound'), b2.next('matchFound')]);
    expect(found[0]).toMatchObject({ matchId, region: REGION });
    await stack.settled();
    expect(tasksOf(matchId)).toBe(1);
    // Too late to answer now.
    const late = await a.request({ action: 'acceptMatch', matchId, accept: false }, 'error');
    expect(late).toMatchObject({ code: 'CONFLICT' });
    const { token } = await openSession(stack, matchId);
    expect((await callback(stack, matchId, 'ready', { port: 5000 }, token)).status).toBe(200);
    expect((await callback(stack, matchId, 'result', { outcome: 'home' }, token)).status).toBe(200);
    await Promise.all([a.next('matchFinished'), b2.next('matchFinished')]);
    await b2.close();
  });

  it('declined: nothing starts; the player who accepted is back in the queue with its queue time, the other is out', async () => {
    const [a, b, c] = (await connect('da', 'db', 'dc')) as [TestPlayer, TestPlayer, TestPlayer];
    const joinedA = await a.request({ action: 'joinQueue', queue: 'ranked', region: REGION }, 'joinedQueue');
    const ticketBefore = (await tableReader(stack).tickets()).find((t) => t.ticketId === joinedA.ticketId);
    const { matchId } = await proposedTo('ranked', b);
    await a.next('matchProposed');
    await a.request({ action: 'acceptMatch', matchId, accept: true }, 'matchAccepted');
    const declined = await b.request({ action: 'acceptMatch', matchId, accept: false }, 'matchDeclined');
    expect(declined).toMatchObject({ matchId, reason: 'declined', requeued: false, notAccepted: 1 });
    expect(await a.next('matchDeclined')).toMatchObject({
      matchId,
      reason: 'declined',
      requeued: true,
      notAccepted: 1,
    });
    // Not blamed by name: the event says how many, not who.
    expect(JSON.stringify(a.events.at(-1))).not.toContain(b.userId);
    await stack.settled();
    expect(tasksOf(matchId)).toBe(0);
    expect((await b.request({ action: 'getProfile' }, 'profile')).status).toBe('idle');
    const profileA = await a.request({ action: 'getProfile' }, 'profile');
    expect(profileA.status).toBe('queued');
    const ticketAfter = (await tableReader(stack).tickets()).find((t) => t.ticketId === joinedA.ticketId);
    expect(ticketAfter).toMatchObject({ state: 'waiting', enqueuedAt: ticketBefore?.enqueuedAt });
    // Still in the queue: the next player meets it (another proposal).
    const from = a.events.length;
    await c.request({ action: 'joinQueue', queue: 'ranked', region: REGION }, 'joinedQueue');
    const next = await a.next('matchProposed', from);
    expect(next.teams).toMatchObject({});
    expect([...Object.values(next.teams as Record<string, string[]>)].flat().sort()).toEqual(
      [a.userId, c.userId].sort(),
    );
    await a.request({ action: 'acceptMatch', matchId: next.matchId, accept: false }, 'matchDeclined');
    expect(await c.next('matchDeclined')).toMatchObject({ requeued: false });
    // A player left marked for the dropped match (a late start message marked them after it): the next join frees them.
    const deps = lifecycleDeps();
    await deps.players.markQueued(b.userId, { queue: 'ranked', region: REGION }, 'stale-ticket', Date.now());
    await deps.players.markMatched(b.userId, 'stale-ticket', matchId);
    expect((await b.request({ action: 'getProfile' }, 'profile')).status).toBe('matched');
    await b.request({ action: 'joinQueue', queue: 'casual', region: REGION }, 'joinedQueue');
    await b.request({ action: 'leaveQueue' }, 'leftQueue');
  });

  it('nobody joins a party, or makes one, while a match is proposed to it', async () => {
    const [lead, solo, friend] = (await connect('pl', 'ps', 'pf')) as [TestPlayer, TestPlayer, TestPlayer];
    const party = await lead.request({ action: 'createParty' }, 'partyUpdated');
    const { matchId } = await proposedTo('ranked', lead, solo);
    // Were the match dropped, the party's ticket would go back as it was: a new member would not be on it.
    const refused = await friend.request({ action: 'joinParty', code: party.partyId }, 'error');
    expect(refused).toMatchObject({ code: 'PARTY_CANNOT_QUEUE' });
    expect(await solo.request({ action: 'createParty' }, 'error')).toMatchObject({
      code: 'ALREADY_IN_MATCH',
    });
    await lead.request({ action: 'acceptMatch', matchId, accept: false }, 'matchDeclined');
    // Once it is dropped, the party is open again.
    await friend.request({ action: 'joinParty', code: party.partyId }, 'partyUpdated');
  });

  it('timed out: the tick drops the match at its deadline; who accepted is requeued, who did not leaves', async () => {
    const [a, b] = (await connect('ta', 'tb')) as [TestPlayer, TestPlayer];
    const { matchId } = await proposedTo('quick', a, b);
    await a.request({ action: 'acceptMatch', matchId, accept: true }, 'matchAccepted');
    await sleep(1100);
    // Past the deadline an accept does not count, even before the tick came.
    expect(await b.request({ action: 'acceptMatch', matchId, accept: true }, 'error')).toMatchObject({
      code: 'CONFLICT',
    });
    await stack.tick();
    expect(await a.next('matchDeclined')).toMatchObject({
      reason: 'timeout',
      requeued: true,
      notAccepted: 1,
    });
    expect(await b.next('matchDeclined')).toMatchObject({
      reason: 'timeout',
      requeued: false,
      notAccepted: 1,
    });
    await stack.settled();
    expect(tasksOf(matchId)).toBe(0);
    expect((await a.request({ action: 'getProfile' }, 'profile')).status).toBe('queued');
    expect((await b.request({ action: 'getProfile' }, 'profile')).status).toBe('idle');
    const match = (await tableReader(stack).matches()).find((m) => m.matchId === matchId);
    expect(match).toMatchObject({ state: 'declined', accepted: [a.userId] });
    await a.request({ action: 'leaveQueue' }, 'leftQueue');
  });

  it('answers only the match players, and a queue without the check starts at once', async () => {
    const [a, b, stranger] = (await connect('na', 'nb', 'ns')) as [TestPlayer, TestPlayer, TestPlayer];
    for (const p of [a, b])
      await p.request({ action: 'joinQueue', queue: 'casual', region: REGION }, 'joinedQueue');
    const found = await a.next('matchFound');
    expect(a.count('matchProposed')).toBe(0);
    const matchId = String(found.matchId);
    expect(await stranger.request({ action: 'acceptMatch', matchId, accept: true }, 'error')).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await a.request({ action: 'acceptMatch', matchId, accept: true }, 'error')).toMatchObject({
      code: 'CONFLICT',
    });
    expect(
      await stranger.request({ action: 'acceptMatch', matchId: 'x'.repeat(200), accept: true }, 'error'),
    ).toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('a crash after the last accept never leaves the match waiting: a repeated accept, or the tick, starts it', async () => {
    const failing = (part: 'starts' | 'transition') => {
      const deps = lifecycleDeps();
      const broken = async () => {
        throw new Error(`killed before ${part}`);
      };
      return part === 'starts'
        ? { ...deps, starts: { requestStarts: broken } }
        : {
            ...deps,
            matches: Object.assign(Object.create(deps.matches), { transition: broken }),
            starts: matchStartQueue(),
          };
    };
    // The last accept's function dies after moving the match to starting, before the start message.
    const [a, b] = (await connect('ca', 'cb')) as [TestPlayer, TestPlayer];
    const first = await proposedTo('ranked', a, b);
    await a.request({ action: 'acceptMatch', matchId: first.matchId, accept: true }, 'matchAccepted');
    await expect(answerMatch(failing('starts'), settings, b.userId, first.matchId, true)).rejects.toThrow();
    await stack.settled();
    expect(tasksOf(first.matchId)).toBe(0);
    // b's client sends its answer again: the start is asked for again.
    await b.request({ action: 'acceptMatch', matchId: first.matchId, accept: true }, 'matchAccepted');
    await Promise.all([a.next('matchFound'), b.next('matchFound')]);
    await stack.settled();
    expect(tasksOf(first.matchId)).toBe(1);
    // The last accept's function dies right after recording it: the tick starts the match at its deadline.
    const [c, d] = (await connect('cc', 'cd')) as [TestPlayer, TestPlayer];
    const second = await proposedTo('quick', c, d);
    await c.request({ action: 'acceptMatch', matchId: second.matchId, accept: true }, 'matchAccepted');
    await expect(
      answerMatch(failing('transition'), settings, d.userId, second.matchId, true),
    ).rejects.toThrow();
    await sleep(1100);
    await stack.tick();
    await Promise.all([c.next('matchFound'), d.next('matchFound')]);
    expect(c.count('matchDeclined') + d.count('matchDeclined')).toBe(0);
  });

  it('a proposal nobody was shown (its hand-over lost) puts every ticket back at its deadline, blaming nobody', async () => {
    const deps = lifecycleDeps();
    const players = (await connect('la', 'lb')) as [TestPlayer, TestPlayer];
    const items = new Map<string, TicketItem>();
    for (const player of players) {
      const now = Date.now();
      const ticketId = newTicketId(now, player.userId);
      await deps.players.markQueued(player.userId, { queue: 'quick', region: REGION }, ticketId, now);
      const record = await deps.players.get(player.userId);
      const ticket: TicketItem = {
        queue: 'quick',
        region: REGION,
        ticketId,
        enqueuedAt: now,
        state: 'waiting',
        players: [
          { userId: player.userId, connectionId: String(record?.connectionId), rating: 1500, rd: 350 },
        ],
      };
      await deps.tickets.create(ticket);
      items.set(ticketId, ticket);
    }
    const [home, away] = [...items.values()].map((t) => ({
      ...t,
      players: t.players.map((p) => ({ ...p })),
    }));
    // Recorded by a pass whose instance then died: never handed to the starter, so never proposed.
    const recorded = await recordMatch(
      deps,
      settings,
      { region: REGION, home: [home], away: [away] } as never,
      items,
      {
        readyCheckSeconds: 1,
      },
    );
    expect(recorded.kind).toBe('recorded');
    await sleep(1100);
    await stack.tick();
    // Back in the queue (and proposed again by the pass the requeue asks for), never told they declined.
    await Promise.all(players.map((p) => p.next('matchProposed')));
    for (const p of players) expect(p.count('matchDeclined')).toBe(0);
  });
});
