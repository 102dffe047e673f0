import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';

/* The protocol's requestId through the real stack: routes, $default and the ready check's last accept. */
let stack: LocalStack;
const REGION = 'eu-west-1';
const wide = { initial: 1000, growthPerSecond: 0, max: 1000 };

beforeAll(async () => {
  stack = await startTestStack({
    regions: [REGION],
    queues: { ranked: { teamSize: 1, default: true, ratingWindow: wide, readyCheckSeconds: 30 } },
  });
});
afterAll(() => stack.stop());

describe('requestId', () => {
  it('comes back on answers and errors of routes and $default, and never on pushed events', async () => {
    const alice = await TestPlayer.connect(stack, 'rid-alice');
    expect(await alice.request({ action: 'getProfile', requestId: 'p-1' }, 'profile')).toMatchObject({
      requestId: 'p-1',
    });
    expect(
      await alice.request({ action: 'joinQueue', queue: 'nope', region: REGION, requestId: 'j-1' }, 'error'),
    ).toMatchObject({ code: 'UNKNOWN_QUEUE', requestId: 'j-1' });
    const from = alice.events.length;
    alice.send({ action: 'dance', requestId: 'd-1' });
    expect(await alice.next('error', from)).toMatchObject({ code: 'UNKNOWN_ACTION', requestId: 'd-1' });
    const plain = await alice.request({ action: 'getProfile' }, 'profile');
    expect(plain).not.toHaveProperty('requestId');
    await alice.close();
  });

  it("tags the last accepter's count, which still comes before MATCH FOUND; the others' copies carry none", async () => {
    const [a, b] = await Promise.all(['rid-a', 'rid-b'].map((id) => TestPlayer.connect(stack, id)));
    if (!a || !b) throw new Error('no players');
    await a.request({ action: 'joinQueue', region: REGION }, 'joinedQueue');
    await b.request({ action: 'joinQueue', region: REGION }, 'joinedQueue');
    const { matchId } = await a.next('matchProposed');
    await b.next('matchProposed');
    await a.request({ action: 'acceptMatch', matchId, accept: true, requestId: 'acc-a' }, 'matchAccepted');
    const last = await b.request(
      { action: 'acceptMatch', matchId, accept: true, requestId: 'acc-b' },
      'matchFound',
    );
    const bTypes = b.events.map((e) => `${e.type}${e.requestId ? `#${e.requestId}` : ''}`);
    expect(bTypes.slice(bTypes.indexOf('matchAccepted#acc-b'))).toEqual([
      'matchAccepted#acc-b',
      'matchFound',
    ]);
    expect(last.requestId).toBeUndefined();
    const aCopy = await a.next('matchAccepted', a.events.findIndex((e) => e.requestId === 'acc-a') + 1);
    expect(aCopy).toMatchObject({ accepted: 2 });
    expect(aCopy).not.toHaveProperty('requestId');
    await Promise.all([a.close(), b.close()]);
  });
});
