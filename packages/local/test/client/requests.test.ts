import { ClientErrorCode, type MatchmakingClient, MatchmakingClientError } from '@matchmaking/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';
import { connectAs } from './sdk.js';

/* Every request of the SDK against the real local stack: typed answers, typed errors, correlation, timeouts. */
let stack: LocalStack;
const wide = { initial: 1000, growthPerSecond: 0, max: 1000 };
const clients: MatchmakingClient[] = [];
let serial = 0;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['us-east-1', 'eu-west-1'],
    queues: {
      duel: { teamSize: 1, default: true, ratingWindow: wide },
      duo: { teamSize: 2, ratingWindow: wide },
    },
  });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await stack.stop();
});

async function player(name: string, options = {}): Promise<MatchmakingClient> {
  serial += 1;
  const client = await connectAs(stack, `${name}-${serial}`, options);
  clients.push(client);
  return client;
}

/** The rejection of `promise`, which must be a MatchmakingClientError. */
async function failure(promise: Promise<unknown>): Promise<MatchmakingClientError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MatchmakingClientError);
  return error as MatchmakingClientError;
}

describe('SDK requests', () => {
  it('resolve with their typed answers', async () => {
    const alice = await player('alice');
    expect(await alice.getProfile()).toMatchObject({ type: 'profile', rating: 1500, status: 'idle' });
    const queues = await alice.listQueues();
    expect(queues.defaultQueue).toBe('duel');
    expect(queues.queues.map((q) => q.name).sort()).toEqual(['duel', 'duo']);
    expect(await alice.getQueueStats('duo')).toMatchObject({ type: 'queueStats', queue: 'duo' });
    expect(await alice.getQueueStats()).toMatchObject({ type: 'queueStats', queue: 'duel' });
    const targets = await alice.getPingTargets();
    expect(targets.targets.map((t) => t.region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(await alice.tryCreateMatch()).toMatchObject({ type: 'matchmakingRequested' });
    const joined = await alice.joinQueue({ queue: 'duo', region: 'eu-west-1' });
    expect(joined).toMatchObject({ type: 'joinedQueue', queue: 'duo', region: 'eu-west-1' });
    expect(joined.ticketId).toEqual(expect.any(String));
    expect(await alice.leaveQueue()).toMatchObject({ type: 'leftQueue' });
  });

  it('cover parties: create, join by code, kick, leave', async () => {
    const [lead, friend] = [await player('lead'), await player('friend')];
    const created = await lead.createParty();
    expect(created).toMatchObject({ type: 'partyUpdated', change: 'created', members: [created.leader] });
    const joined = await friend.joinParty(created.partyId.toLowerCase());
    expect(joined.members).toHaveLength(2);
    const kicked = await lead.kickFromParty(joined.userId);
    expect(kicked).toMatchObject({ change: 'kicked', members: [created.leader] });
    expect(await lead.leaveParty()).toMatchObject({ type: 'partyLeft', reason: 'left' });
  });

  it('reject with the server error, typed, carrying its requestId and details', async () => {
    const bob = await player('bob');
    const unknown = await failure(bob.joinQueue({ queue: 'nope', region: 'us-east-1' }));
    expect(unknown.code).toBe('UNKNOWN_QUEUE');
    expect(unknown.message).toContain('duel');
    expect(unknown.details.requestId).toEqual(expect.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/));
    expect((await failure(bob.leaveQueue())).code).toBe('NOT_QUEUED');
    expect((await failure(bob.joinParty('ABCDEFGH'))).code).toBe('NOT_FOUND');
    expect((await failure(bob.acceptMatch('no-such-match'))).code).toBe('NOT_FOUND');
    // Refused by the schema: still answered to the right request (the frame's requestId is echoed).
    expect((await failure(bob.joinQueue({ region: 'not a region' }))).code).toBe('INVALID_MESSAGE');
    // An error that answers a request is not also an event.
    const errors: unknown[] = [];
    bob.on('error', (event) => errors.push(event));
    await failure(bob.leaveQueue());
    expect(errors).toEqual([]);
  });

  it('of the same kind, in flight together, each settle with their own answer', async () => {
    const carol = await player('carol');
    const asked = ['duo', 'bogus', 'duel', 'nope-2', 'duo'];
    const settled = await Promise.allSettled(asked.map((queue) => carol.getQueueStats(queue)));
    expect(
      settled.map((result) =>
        result.status === 'fulfilled' ? result.value.queue : (result.reason as MatchmakingClientError).code,
      ),
    ).toEqual(['duo', 'UNKNOWN_QUEUE', 'duel', 'UNKNOWN_QUEUE', 'duo']);
    const refused = settled.flatMap((result) =>
      result.status === 'rejected' ? [result.reason.message] : [],
    );
    expect(refused.map((message) => /bogus|nope-2/.exec(message)?.[0])).toEqual(['bogus', 'nope-2']);
  });

  it('reject with TIMEOUT when no answer comes in time; the late answer is an event', async () => {
    const dave = await player('dave', { requestTimeoutMs: 1 });
    const late = dave.once('profile');
    const timedOut = await failure(dave.getProfile());
    expect(timedOut.code).toBe(ClientErrorCode.Timeout);
    expect((await late).type).toBe('profile');
  });

  it('reject a frame over the server limit at once with MESSAGE_TOO_LARGE, unsent (the server could not tag its answer)', async () => {
    const frank = await player('frank', { requestTimeoutMs: 2000 });
    const errors: unknown[] = [];
    frank.on('error', (event) => errors.push(event));
    const started = Date.now();
    const tooLarge = await failure(frank.joinParty('x'.repeat(5000)));
    expect(tooLarge.code).toBe('MESSAGE_TOO_LARGE');
    expect(Date.now() - started).toBeLessThan(500);
    expect((await frank.getProfile()).type).toBe('profile');
    expect(errors).toEqual([]);
  });

  it('reject with CLOSED after close(), which ends the connection for good', async () => {
    const erin = await player('erin');
    await erin.close();
    expect(erin.state).toBe('closed');
    expect((await failure(erin.getProfile())).code).toBe(ClientErrorCode.Closed);
  });
});

describe('the token on the upgrade', () => {
  it("goes in the `token` query parameter as browsers send it, and the stack's authorizer takes it", async () => {
    const browserLike = await player('browser', { tokenIn: 'query' });
    expect((await browserLike.getProfile()).userId).toMatch(/^browser-/);
    const refused = await connectAs(stack, 'nobody', { tokenIn: 'query', token: 'not-a-jwt' }).catch(
      (e) => e,
    );
    expect(refused).toMatchObject({ code: ClientErrorCode.Refused, details: { status: 401 } });
  });
});
