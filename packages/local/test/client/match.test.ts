import type { ClientEvent, EventOf, MatchmakingClient } from '@matchmaking/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';
import { reportResult } from './game.js';
import { connectAs } from './sdk.js';

/* Whole matches through the SDK against the real stack and a real game-server process. */
let stack: LocalStack;
const wide = { initial: 1000, growthPerSecond: 0, max: 1000 };
const clients: MatchmakingClient[] = [];
let serial = 0;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['us-east-1', 'eu-west-1'],
    gameServer: defaultGameServer,
    queues: {
      duel: { teamSize: 1, default: true, ratingWindow: wide },
      ranked: { teamSize: 1, ratingWindow: wide, readyCheckSeconds: 30 },
    },
  });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await stack.stop();
});

async function players(...names: string[]): Promise<MatchmakingClient[]> {
  serial += 1;
  const connected = await Promise.all(names.map((name) => connectAs(stack, `${name}-${serial}`)));
  clients.push(...connected);
  return connected;
}

describe('a match through the SDK', () => {
  it('matchFound, serverReady, play, matchFinished with the new rating; events by listener and iterator', async () => {
    const [alice, bob] = await players('alice', 'bob');
    if (!alice || !bob) throw new Error('no players');
    // Everything alice hears, through the iterator, until her match finished.
    const heard = (async () => {
      const types: string[] = [];
      for await (const event of alice.events()) {
        types.push(event.type);
        if (event.type === 'matchFinished') break;
      }
      return types;
    })();
    const ratingsOf = new Map<MatchmakingClient, EventOf<'matchFinished'>>();
    for (const player of [alice, bob]) player.on('matchFinished', (event) => ratingsOf.set(player, event));
    const found = Promise.all([alice.once('matchFound'), bob.once('matchFound')]);
    const ready = Promise.all([alice.once('serverReady'), bob.once('serverReady')]);
    const finished = Promise.all([alice.once('matchFinished'), bob.once('matchFinished')]);

    await alice.joinQueue({ region: 'us-east-1' });
    await bob.joinQueue({ region: 'us-east-1' });
    const [aliceFound, bobFound] = await found;
    expect(aliceFound.matchId).toBe(bobFound.matchId);
    expect(aliceFound).toMatchObject({ region: 'us-east-1', message: 'MATCH FOUND' });
    const servers = await ready;
    for (const server of servers) expect(server.gameUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?key=/);
    await reportResult(
      servers.map((server) => server.gameUrl),
      'HOME',
    );
    const results = await finished;
    for (const result of results) {
      expect(result).toMatchObject({ outcome: 'home', previous: { rating: 1500, rd: 350 } });
      if (result.team === 'home') expect(result.rating.rating).toBeGreaterThan(1500);
      else expect(result.rating.rating).toBeLessThan(1500);
    }
    expect([...ratingsOf.values()]).toHaveLength(2);
    expect(await heard).toEqual(['joinedQueue', 'matchFound', 'serverReady', 'matchFinished']);
    expect((await alice.getProfile()).rating).toBe(results[0]?.rating.rating);
  }, 60_000);

  it('the ready check: acceptMatch answers each accepter its count, the last one before MATCH FOUND', async () => {
    const [erin, frank] = await players('erin', 'frank');
    if (!erin || !frank) throw new Error('no players');
    const proposed = Promise.all([erin.once('matchProposed'), frank.once('matchProposed')]);
    const frankHeard: ClientEvent[] = [];
    for (const type of ['matchAccepted', 'matchFound'] as const)
      frank.on(type, (event) => frankHeard.push(event));
    await erin.joinQueue({ queue: 'ranked', region: 'eu-west-1' });
    await frank.joinQueue({ queue: 'ranked', region: 'eu-west-1' });
    const [proposal] = await proposed;
    if (!proposal) throw new Error('no proposal');
    expect(proposal).toMatchObject({ queue: 'ranked', acceptSeconds: 30 });
    expect(await erin.acceptMatch(proposal.matchId)).toMatchObject({ type: 'matchAccepted', accepted: 1 });
    const found = frank.once('matchFound');
    expect(await frank.acceptMatch(proposal.matchId, true)).toMatchObject({
      type: 'matchAccepted',
      accepted: 2,
      players: 2,
    });
    await found;
    expect(frankHeard.map((e) => `${e.type}${e.type === 'matchAccepted' ? e.accepted : ''}`)).toEqual([
      'matchAccepted1',
      'matchAccepted2',
      'matchFound',
    ]);
  }, 30_000);

  it('the ready check: declining resolves with matchDeclined', async () => {
    const [gina, hank] = await players('gina', 'hank');
    if (!gina || !hank) throw new Error('no players');
    const proposed = gina.once('matchProposed');
    await gina.joinQueue({ queue: 'ranked', region: 'eu-west-1' });
    await hank.joinQueue({ queue: 'ranked', region: 'eu-west-1' });
    const { matchId } = await proposed;
    expect(await gina.acceptMatch(matchId, false)).toMatchObject({
      type: 'matchDeclined',
      reason: 'declined',
    });
  });
});
