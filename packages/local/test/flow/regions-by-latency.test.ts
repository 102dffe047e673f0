import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { callback, openSession } from '../helpers/callbacks.js';
import { type PlayerEvent, TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';

/*
 * Regions chosen by the players' pings, end to end: real WebSockets, the real
 * functions and FIFO queue, joins with the latencies the clients measured.
 * The game server's part is played with its callbacks.
 */
let stack: LocalStack;
const US = 'us-east-1';
const EU = 'eu-west-1';
const AP = 'ap-southeast-2';
const wide = { initial: 1000, growthPerSecond: 0, max: 1000 };
/** 60 ms at first; after 2 s, 300 ms (the widening is what the test waits for). */
const STEP_SECONDS = 2;

beforeAll(async () => {
  stack = await startTestStack({
    regions: [US, EU, AP],
    queues: {
      duel: {
        teamSize: 1,
        default: true,
        ratingWindow: wide,
        latency: { initialMs: 60, stepMs: 240, stepSeconds: STEP_SECONDS, maxMs: 300 },
      },
      duo: {
        teamSize: 2,
        ratingWindow: wide,
        latency: { initialMs: 150, stepMs: 0, stepSeconds: 5, maxMs: 150 },
      },
    },
  });
});
afterAll(() => stack.stop());

let serial = 0;
async function connect(...names: string[]): Promise<TestPlayer[]> {
  serial += 1;
  return Promise.all(names.map((name) => TestPlayer.connect(stack, `${name}-${serial}`)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('regions by latency', () => {
  it('two players with disjoint good regions are not matched until their latency limits allow a region', async () => {
    const [west, east] = (await connect('west', 'east')) as [TestPlayer, TestPlayer];
    const joinedWest = await west.request(
      { action: 'joinQueue', queue: 'duel', latencies: { [US]: 30, [EU]: 200, 'sa-east-1': 5 } },
      'joinedQueue',
    );
    // The unserved region is ignored; the ticket counts where it plays best.
    expect(joinedWest).toMatchObject({ queue: 'duel', region: US, latencies: { [US]: 30, [EU]: 200 } });
    const joinedAt = Date.now();
    await east.request({ action: 'joinQueue', latencies: { [US]: 210, [EU]: 25 } }, 'joinedQueue');
    // Both within 60 ms only of their own region: passes run, nothing is formed.
    await stack.tick();
    await stack.settled();
    expect(Date.now() - joinedAt).toBeLessThan(STEP_SECONDS * 1000);
    expect(west.count('matchFound') + east.count('matchFound')).toBe(0);
    expect((await west.request({ action: 'getProfile' }, 'profile')).status).toBe('queued');
    // Once both accept 300 ms: both regions are possible, and eu-west-1's worst (200 ms) beats us-east-1's (210 ms).
    await sleep(STEP_SECONDS * 1000 - (Date.now() - joinedAt) + 50);
    await stack.tick();
    const found = await Promise.all([west.next('matchFound'), east.next('matchFound')]);
    expect(found[0]).toMatchObject({ region: EU, matchId: found[1]?.matchId });
    await finish(String(found[0]?.matchId));
    await Promise.all([west.next('matchFinished'), east.next('matchFinished')]);
  });

  it('a 2v2 of a party and two solos is played in the region best for all four, and every ticket is settled', async () => {
    const [lead, mate, s1, s2] = (await connect('lead', 'mate', 's1', 's2')) as TestPlayer[];
    // Each member reports its own latencies with the party action.
    const created = await lead?.request(
      { action: 'createParty', latencies: { [US]: 20, [EU]: 90, [AP]: 140 } },
      'partyUpdated',
    );
    await mate?.request(
      { action: 'joinParty', code: created?.partyId, latencies: { [US]: 120, [EU]: 40, [AP]: 300 } },
      'partyUpdated',
    );
    // The leader's join carries the leader's fresh measurement; the mate's comes from joinParty.
    const party = await lead?.request(
      { action: 'joinQueue', queue: 'duo', latencies: { [US]: 20, [EU]: 90, [AP]: 140 } },
      'joinedQueue',
    );
    // Per region the worst member: us 120, eu 90 (ap 300 is over the limit, still reported).
    expect(party).toMatchObject({ region: EU, latencies: { [US]: 120, [EU]: 90, [AP]: 300 } });
    // s1 alone would play in ap-southeast-2, s2 in us-east-1; for all four, eu-west-1 (worst 95).
    const solo1 = await s1?.request(
      { action: 'joinQueue', queue: 'duo', latencies: { [US]: 140, [EU]: 95, [AP]: 10 } },
      'joinedQueue',
    );
    expect(solo1?.region).toBe(AP);
    await s2?.request(
      { action: 'joinQueue', queue: 'duo', latencies: { [US]: 15, [EU]: 70 } },
      'joinedQueue',
    );
    const found = await Promise.all([lead, mate, s1, s2].map((p) => p?.next('matchFound')));
    for (const event of found) expect(event).toMatchObject({ region: EU, matchId: found[0]?.matchId });
    expect(found[0]?.team).toBe(found[1]?.team);
    await finish(String(found[0]?.matchId));
    const finished = await Promise.all([lead, mate, s1, s2].map((p) => p?.next('matchFinished')));
    for (const event of finished) expect((event as PlayerEvent).rating).not.toMatchObject({ rating: 1500 });
    // Every ticket is gone, stored in whichever region: nothing is left to match or expire.
    const left = await tableReader(stack).tickets();
    expect(left.filter((t) => t.queue === 'duo')).toEqual([]);
  });

  it('refuses latencies with no served region, and region with latencies, naming what to do', async () => {
    const [p] = (await connect('nowhere')) as [TestPlayer];
    const none = await p.request({ action: 'joinQueue', latencies: { 'sa-east-1': 20 } }, 'error');
    expect(none).toMatchObject({ code: 'UNKNOWN_REGION', regions: [US, EU, AP] });
    expect(String(none.message)).toContain('sa-east-1');
    const both = await p.request({ action: 'joinQueue', region: US, latencies: { [US]: 20 } }, 'error');
    expect(both).toMatchObject({ code: 'INVALID_MESSAGE' });
    const silly = await p.request({ action: 'joinQueue', latencies: { [US]: -1 } }, 'error');
    expect(silly).toMatchObject({ code: 'INVALID_MESSAGE' });
    expect((await p.request({ action: 'getProfile' }, 'profile')).status).toBe('idle');
  });

  it('a party member without latencies keeps the party from queueing by latency, and says who', async () => {
    const [lead, mate] = (await connect('pl', 'pm')) as [TestPlayer, TestPlayer];
    const created = await lead.request({ action: 'createParty' }, 'partyUpdated');
    await mate.request({ action: 'joinParty', code: created.partyId }, 'partyUpdated');
    const refused = await lead.request(
      { action: 'joinQueue', queue: 'duo', latencies: { [US]: 20 } },
      'error',
    );
    expect(refused).toMatchObject({ code: 'PARTY_CANNOT_QUEUE' });
    expect(String(refused.message)).toContain(mate.userId);
    // A plain region still queues the party there.
    const joined = await lead.request({ action: 'joinQueue', queue: 'duo', region: US }, 'joinedQueue');
    expect(joined).toMatchObject({ region: US });
    expect(joined.latencies).toBeUndefined();
    await lead.request({ action: 'leaveQueue' }, 'leftQueue');
  });
});

/** Plays the match with its callbacks: session, ready, a HOME result. */
async function finish(matchId: string): Promise<void> {
  await stack.settled();
  const { token } = await openSession(stack, matchId);
  expect((await callback(stack, matchId, 'ready', { port: 5000 }, token)).status).toBe(200);
  expect((await callback(stack, matchId, 'result', { outcome: 'home' }, token)).status).toBe(200);
}
