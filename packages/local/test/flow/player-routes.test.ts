import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { TestPlayer, upgradeStatus } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;

beforeAll(async () => {
  // Teams of 50: nobody is matched here, these tests are about the player routes.
  stack = await startTestStack({
    regions: ['eu-west-1', 'us-east-1'],
    teamSize: 50,
  });
  tables = tableReader(stack);
});
afterAll(() => stack.stop());

describe('$connect with the JWT authorizer', () => {
  it('refuses a missing or malformed token with 401 and a bad one with 403, storing nothing', async () => {
    const other = await generateKeyPair('RS256');
    const sign = (claims: { iss?: string; aud?: string; exp?: number }, key = other.privateKey) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setSubject('mallory')
        .setIssuer(claims.iss ?? stack.identity.issuer)
        .setAudience(claims.aud ?? stack.identity.audience)
        .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 60)
        .sign(key);
    expect(await upgradeStatus(stack, {})).toBe(401);
    expect(await upgradeStatus(stack, { Authorization: 'Bearer not-a-jwt' })).toBe(401);
    expect(await upgradeStatus(stack, { Authorization: 'Basic abc' })).toBe(401);
    expect(await upgradeStatus(stack, { Authorization: `Bearer ${await sign({})}` })).toBe(403);
    const good = await stack.token('mallory');
    const [header, payload] = good.split('.');
    expect(await upgradeStatus(stack, { Authorization: `Bearer ${header}.${payload}.AAAA` })).toBe(403);
    expect(
      await upgradeStatus(stack, { Authorization: `Bearer ${await stack.identity.issue('mallory', -120)}` }),
    ).toBe(403);
    expect(await tables.connections()).toEqual([]);
    expect(await tables.player('mallory')).toBeUndefined();
  });

  it('accepts a valid token in the header or, for browsers, in the token query parameter', async () => {
    const token = await stack.token('query-user');
    expect(await upgradeStatus(stack, {}, `?token=${token}`)).toBe(101);
    expect(await tables.player('query-user')).toMatchObject({
      rating: 1500,
      rd: 350,
      vol: 0.06,
      status: 'idle',
    });
  });
});

describe('player actions', () => {
  it('joins with a region, refuses a second join, answers the profile, and leaves', async () => {
    const alice = await TestPlayer.connect(stack, 'alice');
    const joined = await alice.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
    expect(joined).toMatchObject({ message: 'joined queue', region: 'eu-west-1' });
    const again = await alice.request({ action: 'joinQueue' }, 'error');
    expect(again.code).toBe('ALREADY_QUEUED');
    const profile = await alice.request({ action: 'getProfile' }, 'profile');
    expect(profile).toMatchObject({ userId: 'alice', rating: 1500, region: 'eu-west-1', status: 'queued' });
    expect(await tables.waiting('eu-west-1')).toHaveLength(1);
    expect((await alice.request({ action: 'leaveQueue' }, 'leftQueue')).type).toBe('leftQueue');
    expect(await tables.waiting('eu-west-1')).toHaveLength(0);
    expect((await alice.request({ action: 'leaveQueue' }, 'error')).code).toBe('NOT_QUEUED');
    // The region is remembered: joining again needs none.
    expect((await alice.request({ action: 'joinQueue' }, 'joinedQueue')).region).toBe('eu-west-1');
    await alice.close();
  });

  it("keeps the seed's tryCreateMatch: it only asks for a matchmaking pass", async () => {
    const erin = await TestPlayer.connect(stack, 'erin');
    const answer = await erin.request({ action: 'tryCreateMatch' }, 'matchmakingRequested');
    expect(answer.message).toBe('matchmaking requested');
    await stack.settled();
    expect(await tables.player('erin')).toMatchObject({ status: 'idle' });
    await erin.close();
  });

  it('says "No region set for user" and names the allowed regions for an unknown one', async () => {
    const bob = await TestPlayer.connect(stack, 'bob');
    const none = await bob.request({ action: 'joinQueue' }, 'error');
    expect(none).toMatchObject({ code: 'NO_REGION', message: 'No region set for user' });
    const unknown = await bob.request({ action: 'joinQueue', region: 'ap-south-1' }, 'error');
    expect(unknown.code).toBe('UNKNOWN_REGION');
    expect(unknown.message).toContain('eu-west-1, us-east-1');
    expect(await tables.player('bob')).toMatchObject({ status: 'idle' });
    await bob.close();
  });

  it.each([
    ['not JSON', 'hello', 'INVALID_JSON'],
    ['an unknown action', { action: 'dropTables' }, 'UNKNOWN_ACTION'],
    ['a wrong field type', { action: 'joinQueue', region: 42 }, 'INVALID_MESSAGE'],
    ['an extra field', { action: 'getProfile', userId: 'alice' }, 'INVALID_MESSAGE'],
    ['a frame above 4 KiB', { action: 'joinQueue', region: 'x'.repeat(5000) }, 'MESSAGE_TOO_LARGE'],
  ])('answers %s with a typed error and changes nothing', async (_, message, code) => {
    const carol = await TestPlayer.connect(stack, 'carol');
    // The per-player message counter moves with every frame; nothing else may.
    const state = async () => {
      const { messageCount: _count, messageWindow: _window, ...rest } = (await tables.player('carol')) ?? {};
      return rest;
    };
    const before = await state();
    const error = await carol.request(message, 'error');
    expect(error.code).toBe(code);
    expect(await state()).toEqual(before);
    expect((await tables.tickets()).filter((t) => t.players[0].userId === 'carol')).toEqual([]);
    await carol.close();
  });

  it('drops the ticket of a queued player who disconnects, but not because an older tab closed', async () => {
    const oldTab = await TestPlayer.connect(stack, 'dave');
    const newTab = await TestPlayer.connect(stack, 'dave');
    await newTab.request({ action: 'joinQueue', region: 'us-east-1' }, 'joinedQueue');
    await oldTab.close();
    await stack.settled();
    expect(await tables.player('dave')).toMatchObject({ status: 'queued' });
    await newTab.close();
    await eventually(async () => expect(await tables.player('dave')).toMatchObject({ status: 'idle' }));
    expect((await tables.waiting('us-east-1')).filter((t) => t.players[0].userId === 'dave')).toEqual([]);
  });
});
