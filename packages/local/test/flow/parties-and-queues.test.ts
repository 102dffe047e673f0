import {
  cancelMatch,
  lifecycleDeps,
  type MatchItem,
  matchmakingQueue,
} from '@matchmaking/functions/lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { callback, openSession } from '../helpers/callbacks.js';
import { type PlayerEvent, TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { eventually } from '../helpers/wait.js';

/*
 * Game modes and parties end to end: real WebSockets, the real functions, the
 * FIFO queue with one message group per queue. The game server's part is
 * played with its callbacks (the 2v2 end-to-end test runs a real one).
 */
let stack: LocalStack;
const REGION = 'eu-west-1';
const wide = { initial: 1000, growthPerSecond: 0, max: 1000 };

beforeAll(async () => {
  stack = await startTestStack({
    regions: [REGION],
    queues: {
      duel: { teamSize: 1, default: true, ratingWindow: wide },
      squad: { teamSize: 2, ratingWindow: wide },
      trio: { teamSize: 3, ratingWindow: wide },
      quick: { teamSize: 1, ratingWindow: { initial: 0, growthPerSecond: 0, max: 0 }, maxWaitSeconds: 1 },
    },
  });
});
afterAll(() => stack.stop());

let serial = 0;
async function connect(...names: string[]): Promise<TestPlayer[]> {
  serial += 1;
  return Promise.all(names.map((name) => TestPlayer.connect(stack, `${name}-${serial}`)));
}

/** A party led by the first player, joined by the others in order. */
async function party(leader: TestPlayer, ...members: TestPlayer[]): Promise<string> {
  const created = await leader.request({ action: 'createParty' }, 'partyUpdated');
  expect(created).toMatchObject({ change: 'created', leader: leader.userId, members: [leader.userId] });
  const code = String(created.partyId);
  expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
  for (const [i, member] of members.entries()) {
    // Typed as people do: lower case, or with a dash in the middle.
    const typed = i % 2 === 0 ? code.toLowerCase() : `${code.slice(0, 4)}-${code.slice(4)}`;
    const joined = await member.request({ action: 'joinParty', code: typed }, 'partyUpdated');
    expect(joined).toMatchObject({ change: 'joined', userId: member.userId, leader: leader.userId });
  }
  return code;
}

async function errorOf(player: TestPlayer, message: unknown): Promise<PlayerEvent> {
  return player.request(message, 'error');
}

/** Plays the match with its callbacks: session, ready, a HOME result. */
async function finish(matchId: string): Promise<void> {
  await stack.settled();
  const { token } = await openSession(stack, matchId);
  expect((await callback(stack, matchId, 'ready', { port: 5000 }, token)).status).toBe(200);
  expect((await callback(stack, matchId, 'result', { outcome: 'home' }, token)).status).toBe(200);
}

describe('parties', () => {
  it('a party of 2 in a 2v2 plays against two solos, on one team, and every member is rated', async () => {
    const [a, b, c, d] = (await connect('pa', 'pb', 'pc', 'pd')) as TestPlayer[];
    await party(a as TestPlayer, b as TestPlayer);
    const fromB = b?.events.length ?? 0;
    const joined = await a?.request({ action: 'joinQueue', queue: 'squad', region: REGION }, 'joinedQueue');
    expect(joined).toMatchObject({ queue: 'squad', region: REGION, players: [a?.userId, b?.userId] });
    expect(await b?.next('joinedQueue', fromB)).toMatchObject({ ticketId: joined?.ticketId });
    for (const solo of [c, d])
      await solo?.request({ action: 'joinQueue', queue: 'squad', region: REGION }, 'joinedQueue');
    const found = await Promise.all([a, b, c, d].map((p) => p?.next('matchFound')));
    const teams = found[0]?.teams as Record<'home' | 'away', string[]>;
    const partyTeam = found[0]?.team;
    expect(found[1]?.team).toBe(partyTeam);
    expect(teams[partyTeam as 'home']?.sort()).toEqual([a?.userId, b?.userId].sort());
    expect(found[2]?.team).not.toBe(partyTeam);
    await finish(String(found[0]?.matchId));
    const finished = await Promise.all([a, b, c, d].map((p) => p?.next('matchFinished')));
    for (const event of finished) expect((event as PlayerEvent).rating).not.toMatchObject({ rating: 1500 });
    // The party is still a party after its match: the leader can queue it again.
    const again = await a?.request({ action: 'joinQueue', queue: 'squad', region: REGION }, 'joinedQueue');
    expect(again?.players).toEqual([a?.userId, b?.userId]);
    await a?.request({ action: 'leaveQueue' }, 'leftQueue');
  });

  it('a member disconnecting while queued takes the ticket out; the others are told', async () => {
    const [a, b, c] = (await connect('da', 'db', 'dc')) as TestPlayer[];
    await party(a as TestPlayer, b as TestPlayer, c as TestPlayer);
    await a?.request({ action: 'joinQueue', queue: 'trio', region: REGION }, 'joinedQueue');
    const fromA = a?.events.length ?? 0;
    const fromC = c?.events.length ?? 0;
    await b?.close();
    for (const [player, from] of [
      [a, fromA],
      [c, fromC],
    ] as const) {
      expect((await player?.next('leftQueue', from))?.reason).toBe(`${b?.userId} disconnected`);
      expect(await player?.next('partyUpdated', from)).toMatchObject({
        change: 'disconnected',
        userId: b?.userId,
        members: [a?.userId, c?.userId],
      });
      expect((await player?.request({ action: 'getProfile' }, 'profile'))?.status).toBe('idle');
    }
    // Nothing of that ticket is left to match: three solos of the trio queue can't form 3v3 with it.
    const [x, y, z] = (await connect('dx', 'dy', 'dz')) as TestPlayer[];
    for (const p of [x, y, z])
      await p?.request({ action: 'joinQueue', queue: 'trio', region: REGION }, 'joinedQueue');
    await stack.settled();
    expect(x?.count('matchFound')).toBe(0);
    for (const p of [x, y, z]) await p?.request({ action: 'leaveQueue' }, 'leftQueue');
  });

  it('the leader leaving hands the party to the next member and takes its ticket out', async () => {
    const [l, m1, m2] = (await connect('ll', 'lm1', 'lm2')) as TestPlayer[];
    const code = await party(l as TestPlayer, m1 as TestPlayer, m2 as TestPlayer);
    await l?.request({ action: 'joinQueue', queue: 'trio', region: REGION }, 'joinedQueue');
    const from = m1?.events.length ?? 0;
    expect(await l?.request({ action: 'leaveParty' }, 'partyLeft')).toMatchObject({
      partyId: code,
      reason: 'left',
    });
    expect((await m1?.next('leftQueue', from))?.reason).toBe(`${l?.userId} left the party`);
    expect(await m1?.next('partyUpdated', from)).toMatchObject({
      change: 'left',
      leader: m1?.userId,
      members: [m1?.userId, m2?.userId],
    });
    expect((await l?.request({ action: 'getProfile' }, 'profile'))?.status).toBe('idle');
    // Only the new leader may queue it now.
    expect(
      (await errorOf(m2 as TestPlayer, { action: 'joinQueue', queue: 'squad', region: REGION }))?.code,
    ).toBe('NOT_PARTY_LEADER');
    const joined = await m1?.request({ action: 'joinQueue', queue: 'squad', region: REGION }, 'joinedQueue');
    expect(joined?.players).toEqual([m1?.userId, m2?.userId]);
    await m1?.request({ action: 'leaveQueue' }, 'leftQueue');
  });

  it('a party that changed during its match is not requeued as it was when the match is cancelled', async () => {
    const [a, b, c, d] = (await connect('ca', 'cb', 'cc', 'cd')) as TestPlayer[];
    await party(a as TestPlayer, b as TestPlayer);
    await a?.request({ action: 'joinQueue', queue: 'squad', region: REGION }, 'joinedQueue');
    for (const solo of [c, d]) {
      await solo?.request({ action: 'joinQueue', queue: 'squad', region: REGION }, 'joinedQueue');
    }
    const found = await Promise.all([a, b, c, d].map((p) => p?.next('matchFound')));
    await stack.settled();
    await b?.request({ action: 'leaveParty' }, 'partyLeft'); // during the match: allowed
    const deps = lifecycleDeps();
    const match = (await deps.matches.get(String(found[0]?.matchId))) as MatchItem;
    await cancelMatch(deps, match, 'the server never started');
    const cancelled = await Promise.all([a, b, c, d].map((p) => p?.next('matchCancelled')));
    // The party's ticket is not put back with bob, who left the party; the solos wait again.
    expect(cancelled.map((event) => event?.requeued)).toEqual([false, false, true, true]);
    for (const p of [a, b])
      expect((await p?.request({ action: 'getProfile' }, 'profile'))?.status).toBe('idle');
    for (const p of [c, d]) await p?.request({ action: 'leaveQueue' }, 'leftQueue');
  });

  it('the leader kicks a member; only the leader may; the kicked player hears it', async () => {
    const [l, m, n] = (await connect('kl', 'km', 'kn')) as TestPlayer[];
    const code = await party(l as TestPlayer, m as TestPlayer, n as TestPlayer);
    expect((await errorOf(m as TestPlayer, { action: 'kickFromParty', userId: n?.userId }))?.code).toBe(
      'NOT_PARTY_LEADER',
    );
    const fromM = m?.events.length ?? 0;
    const kicked = await l?.request({ action: 'kickFromParty', userId: m?.userId }, 'partyUpdated');
    expect(kicked).toMatchObject({ change: 'kicked', userId: m?.userId, members: [l?.userId, n?.userId] });
    expect(await m?.next('partyLeft', fromM)).toMatchObject({ partyId: code, reason: 'kicked' });
    expect((await errorOf(m as TestPlayer, { action: 'leaveParty' }))?.code).toBe('NOT_IN_PARTY');
    expect((await errorOf(l as TestPlayer, { action: 'kickFromParty', userId: 'nobody' }))?.code).toBe(
      'NOT_FOUND',
    );
  });

  it('refuses what cannot be: a party too large for the queue, a busy member, a full party, a bad code', async () => {
    const [a, b, c, d, e] = (await connect('ra', 'rb', 'rc', 'rd', 're')) as TestPlayer[];
    const code = await party(a as TestPlayer, b as TestPlayer);
    const tooLarge = await errorOf(a as TestPlayer, { action: 'joinQueue', queue: 'duel', region: REGION });
    expect(tooLarge).toMatchObject({ code: 'PARTY_CANNOT_QUEUE', partySize: 2, teamSize: 1 });
    // A member queued alone must leave the queue before joining a party.
    await c?.request({ action: 'joinQueue', queue: 'duel', region: REGION }, 'joinedQueue');
    expect((await errorOf(c as TestPlayer, { action: 'joinParty', code }))?.code).toBe('ALREADY_QUEUED');
    await c?.request({ action: 'leaveQueue' }, 'leftQueue');
    await c?.request({ action: 'joinParty', code }, 'partyUpdated');
    // The largest team of any queue is 3: a fourth member is refused.
    expect((await errorOf(d as TestPlayer, { action: 'joinParty', code }))?.code).toBe('PARTY_FULL');
    expect((await errorOf(d as TestPlayer, { action: 'joinParty', code: 'ZZZZZZZZ' }))?.code).toBe(
      'NOT_FOUND',
    );
    expect((await errorOf(d as TestPlayer, { action: 'joinParty', code: 'not a code!' }))?.code).toBe(
      'INVALID_MESSAGE',
    );
    expect((await errorOf(a as TestPlayer, { action: 'createParty' }))?.code).toBe('ALREADY_IN_PARTY');
    // A member who is not idle (here: in a match; a party may form during one, once it is under way)
    // stops the party's join.
    const [x] = (await connect('rx')) as TestPlayer[];
    await d?.request({ action: 'joinQueue', queue: 'duel', region: REGION }, 'joinedQueue');
    await x?.request({ action: 'joinQueue', queue: 'duel', region: REGION }, 'joinedQueue');
    const found = await d?.next('matchFound');
    // While the match is starting (it could still be cancelled and requeued as it was), no party.
    expect((await errorOf(d as TestPlayer, { action: 'createParty' }))?.code).toBe('ALREADY_IN_MATCH');
    await stack.settled();
    const { token } = await openSession(stack, String(found?.matchId));
    await callback(stack, String(found?.matchId), 'ready', { port: 5000 }, token);
    await d?.next('serverReady');
    await party(e as TestPlayer, d as TestPlayer);
    const busy = await errorOf(e as TestPlayer, { action: 'joinQueue', queue: 'squad', region: REGION });
    expect(busy).toMatchObject({ code: 'PARTY_CANNOT_QUEUE', userId: d?.userId, status: 'in_match' });
    expect((await e?.request({ action: 'getProfile' }, 'profile'))?.status).toBe('idle');
  });
});

describe('queues', () => {
  it('two queues at once never mix, and each forms its own matches', async () => {
    const duel = (await connect('q1a', 'q1b')) as TestPlayer[];
    const squad = (await connect('q2a', 'q2b', 'q2c', 'q2d')) as TestPlayer[];
    const all = [...duel, ...squad];
    await Promise.all([
      ...duel.map((p) => p.request({ action: 'joinQueue', region: REGION }, 'joinedQueue')),
      ...squad.map((p) => p.request({ action: 'joinQueue', queue: 'squad', region: REGION }, 'joinedQueue')),
    ]);
    const found = await Promise.all(all.map((p) => p.next('matchFound')));
    const members = (event: PlayerEvent | undefined) => {
      const teams = event?.teams as Record<'home' | 'away', string[]>;
      return [...teams.home, ...teams.away].sort();
    };
    expect(members(found[0])).toEqual(duel.map((p) => p.userId).sort());
    expect(members(found[2])).toEqual(squad.map((p) => p.userId).sort());
    expect(new Set(found.map((f) => f?.matchId)).size).toBe(2);
    await Promise.all([finish(String(found[0]?.matchId)), finish(String(found[2]?.matchId))]);
    await Promise.all(all.map((p) => p.next('matchFinished')));
  });

  it("one queue's pass never holds back another's: each queue is its own message group", async () => {
    // The product's queue adapter on a queue of its own, whose consumer holds every duel batch.
    const url = stack.sqs.createQueue('group-probe.fifo', {
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 5,
    });
    const delivered: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    stack.sqs.attach(url, async (event) => {
      const queues = event.Records.map(
        (r) => (JSON.parse((r as { body: string }).body) as { queue: string }).queue,
      );
      delivered.push(...queues);
      if (queues.includes('duel')) await held;
      return { batchItemFailures: [] };
    });
    const queue = matchmakingQueue({ ...process.env, MATCHMAKING_QUEUE_URL: url });
    const tick = (name: string, at: number) =>
      queue.requestPass({ reason: 'tick', queue: name, regions: [REGION], requestedAt: at }, `${name}-${at}`);
    await tick('duel', 1);
    await eventually(() => expect(delivered).toEqual(['duel']));
    await tick('duel', 2);
    await tick('squad', 3);
    // squad's pass runs while duel's is held; duel's next waits for its own (one pass at a time per queue).
    await eventually(() => expect(delivered).toEqual(['duel', 'squad']));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(delivered).toEqual(['duel', 'squad']);
    release();
    await eventually(() => expect(delivered).toEqual(['duel', 'squad', 'duel']));
  });

  it('a ticket waits at most the queue longest wait, then leaves with queueTimeout', async () => {
    const [t] = (await connect('timeout')) as TestPlayer[];
    const joined = await t?.request({ action: 'joinQueue', queue: 'quick', region: REGION }, 'joinedQueue');
    expect(joined?.queue).toBe('quick');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await stack.tick();
    const timedOut = await t?.next('queueTimeout');
    expect(timedOut).toMatchObject({ queue: 'quick', region: REGION });
    expect(timedOut?.message).toMatch(/no match found in \d+ s: you left the quick queue/);
    expect((await t?.request({ action: 'getProfile' }, 'profile'))?.status).toBe('idle');
    // It can join again at once.
    await t?.request({ action: 'joinQueue', queue: 'quick', region: REGION }, 'joinedQueue');
    await t?.request({ action: 'leaveQueue' }, 'leftQueue');
  });

  it('lists the queues with players waiting, answers getQueueStats, and estimates the wait once matches were made', async () => {
    const [w] = (await connect('waiting')) as TestPlayer[];
    await w?.request({ action: 'joinQueue', queue: 'trio', region: REGION }, 'joinedQueue');
    await stack.tick(); // a busy pool's figures are written at most every second, and by every tick
    await stack.settled();
    const listed = await w?.request({ action: 'listQueues' }, 'queues');
    expect(listed?.defaultQueue).toBe('duel');
    const queues = listed?.queues as {
      name: string;
      teamSize: number;
      playersWaiting: Record<string, number>;
    }[];
    expect(queues.map((q) => [q.name, q.teamSize])).toEqual([
      ['duel', 1],
      ['squad', 2],
      ['trio', 3],
      ['quick', 1],
    ]);
    // Every earlier trio ticket left (their leaves told the matchmaker): only this one waits.
    expect(queues.find((q) => q.name === 'trio')?.playersWaiting[REGION]).toBe(1);
    // The earlier tests made squad matches in this region: its figures and the estimate come from them.
    const stats = await w?.request({ action: 'getQueueStats', queue: 'squad' }, 'queueStats');
    const region = ((stats as PlayerEvent).regions as Record<string, Record<string, number | null>>)[REGION];
    expect(region?.matches).toBeGreaterThanOrEqual(2);
    expect(region?.timeToMatchP50).toBeGreaterThanOrEqual(0);
    expect(region?.timeToMatchP95).toBeGreaterThanOrEqual(region?.timeToMatchP50 as number);
    const [s] = (await connect('estimate')) as TestPlayer[];
    const joined = await s?.request({ action: 'joinQueue', queue: 'squad', region: REGION }, 'joinedQueue');
    expect(joined?.estimatedWaitSeconds).toBeGreaterThanOrEqual(1);
    await s?.request({ action: 'leaveQueue' }, 'leftQueue');
    // A queue with no matches yet has no estimate.
    const [q] = (await connect('no-estimate')) as TestPlayer[];
    const none = await q?.request({ action: 'joinQueue', queue: 'trio', region: REGION }, 'joinedQueue');
    expect(none?.estimatedWaitSeconds).toBeUndefined();
    expect((await errorOf(q as TestPlayer, { action: 'getQueueStats', queue: 'nope' }))?.code).toBe(
      'UNKNOWN_QUEUE',
    );
    expect(
      (await errorOf(w as TestPlayer, { action: 'joinQueue', queue: 'ranked', region: REGION }))?.code,
    ).toBe('UNKNOWN_QUEUE');
  });
});
