import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { callback, openSession, sessionToken, taskOf } from '../helpers/callbacks.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';

/*
 * The match side with the test playing the game server: ECS starts a process
 * that never calls back, and the test makes the callbacks with the token ECS
 * handed to that process, so every bad callback can be tried.
 */
let stack: LocalStack;
let tables: ReturnType<typeof tableReader>;

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1'],
    teamSize: 1,
  });
  tables = tableReader(stack);
});
afterAll(() => stack.stop());

async function matchedPair(a: string, b: string) {
  const home = await TestPlayer.connect(stack, a);
  const away = await TestPlayer.connect(stack, b);
  await home.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
  await away.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
  const found = await home.next('matchFound');
  await away.next('matchFound');
  const matchId = found.matchId as string;
  await stack.settled(); // RunTask follows MATCH FOUND
  return { home, away, matchId, token: await sessionToken(stack, matchId) };
}

describe('game-server callbacks', () => {
  it('runs a 1v1 from MATCH FOUND to new ratings, once', async () => {
    const { home, away, matchId, token } = await matchedPair('ann', 'ben');
    const found = home.events.find((e) => e.type === 'matchFound');
    expect(found).toMatchObject({ message: 'MATCH FOUND', teams: { home: ['ann'], away: ['ben'] } });

    expect((await callback(stack, matchId, 'ready', { port: 7777 }, undefined)).status).toBe(401);
    expect((await callback(stack, matchId, 'ready', { port: 7777 }, 'wrong')).status).toBe(403);
    expect((await callback(stack, matchId, 'ready', { port: 'x' }, token)).status).toBe(400);
    expect((await callback(stack, matchId, 'ready', 'not json', token)).status).toBe(400);
    expect((await callback(stack, matchId, 'result', { outcome: 'home' }, token)).status).toBe(409);
    expect(await tables.player('ann')).toMatchObject({ status: 'matched', matchId });

    expect((await callback(stack, matchId, 'ready', { port: 7777 }, token)).status).toBe(200);
    const ready = await home.next('serverReady');
    expect(ready).toMatchObject({
      message: 'server created with ip: 127.0.0.1',
      ip: '127.0.0.1',
      port: 7777,
    });
    const awayReady = await away.next('serverReady');
    // Each player gets a key of its own; the server was given only their hashes.
    expect(ready.joinKey).not.toBe(awayReady.joinKey);
    expect(ready.gameUrl).toBe(`ws://127.0.0.1:7777/?key=${encodeURIComponent(ready.joinKey as string)}`);
    expect((await callback(stack, matchId, 'ready', { port: 7777 }, token)).status).toBe(409);
    expect(home.count('serverReady')).toBe(1);
    expect((await home.request({ action: 'joinQueue' }, 'error')).code).toBe('ALREADY_IN_MATCH');

    expect((await callback(stack, matchId, 'result', { outcome: 'home' }, token)).status).toBe(200);
    const finished = await home.next('matchFinished');
    expect(finished).toMatchObject({ outcome: 'home', team: 'home', previous: { rating: 1500, rd: 350 } });
    expect((finished.rating as { rating: number }).rating).toBeGreaterThan(1500);
    const lost = await away.next('matchFinished');
    expect((lost.rating as { rating: number }).rating).toBeLessThan(1500);

    const before = await tables.player('ann');
    expect((await callback(stack, matchId, 'result', { outcome: 'away' }, token)).status).toBe(409);
    expect((await callback(stack, matchId, 'result', { outcome: 'home' }, token)).status).toBe(409);
    expect(await tables.player('ann')).toEqual(before);
    expect(home.count('matchFinished')).toBe(1);
    const profile = await home.request({ action: 'getProfile' }, 'profile');
    expect(profile).toMatchObject({
      status: 'idle',
      matchId: null,
      rating: (finished.rating as { rating: number }).rating,
    });
    await Promise.all([home.close(), away.close()]);
  });

  it('gives the game server only a one-time bootstrap token: one session exchange, then the session token only', async () => {
    const home = await TestPlayer.connect(stack, 'ivy,jo');
    const away = await TestPlayer.connect(stack, 'kim');
    await home.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
    await away.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
    const matchId = (await home.next('matchFound')).matchId as string;
    await stack.settled();
    const environment = taskOf(stack, matchId).environment;
    // No user id, connection id or session token in the overrides (DescribeTasks shows them to anyone with ECS read access).
    expect(Object.keys(environment).sort()).toEqual(
      ['CALLBACK_BASE_URL', 'IDLE_SECONDS', 'MATCH_BOOTSTRAP_TOKEN', 'MATCH_ID', 'MAX_MATCH_SECONDS'].sort(),
    );
    const bootstrap = environment.MATCH_BOOTSTRAP_TOKEN as string;
    expect((await callback(stack, matchId, 'session', {}, 'wrong')).status).toBe(403);
    expect((await callback(stack, matchId, 'ready', { port: 7777 }, bootstrap)).status).toBe(403);
    const session = await openSession(stack, matchId);
    // An id with a comma is one player, not two (ids are never comma-joined).
    expect(
      session.teams.home
        .map((p) => p.userId)
        .concat(session.teams.away.map((p) => p.userId))
        .sort(),
    ).toEqual(['ivy,jo', 'kim'].sort());
    expect((await callback(stack, matchId, 'session', {}, bootstrap)).status).toBe(409);
    expect((await callback(stack, matchId, 'session', {}, session.token)).status).toBe(403);
    expect((await callback(stack, matchId, 'ready', { port: 7777 }, session.token)).status).toBe(200);
    const ready = await home.next('serverReady');
    const hash = createHash('sha256')
      .update(ready.joinKey as string)
      .digest('hex');
    const mine = [...session.teams.home, ...session.teams.away].find((p) => p.userId === 'ivy,jo');
    expect(mine?.joinKeyHash).toBe(hash);
    await Promise.all([home.close(), away.close()]);
  });

  it("refuses a result carrying another match's token and changes nothing", async () => {
    const first = await matchedPair('cat', 'dan');
    const second = await matchedPair('eve', 'fay');
    expect((await callback(stack, first.matchId, 'ready', { port: 1000 }, first.token)).status).toBe(200);
    const before = await tables.player('cat');
    expect((await callback(stack, first.matchId, 'result', { outcome: 'away' }, second.token)).status).toBe(
      403,
    );
    expect((await callback(stack, 'no-such-match', 'result', { outcome: 'away' }, first.token)).status).toBe(
      403,
    );
    expect(await tables.player('cat')).toEqual(before);
    for (const player of [first.home, first.away, second.home, second.away]) await player.close();
  });

  it('gives a player who reconnects during a match its state and server address at once', async () => {
    const { home, away, matchId, token } = await matchedPair('gus', 'hal');
    expect((await callback(stack, matchId, 'ready', { port: 6000, ip: '10.1.2.3' }, token)).status).toBe(200);
    const first = await home.next('serverReady');
    await home.close();
    const again = await TestPlayer.connect(stack, 'gus');
    const found = await again.next('matchFound');
    expect(found).toMatchObject({ matchId, team: 'home' });
    expect(await again.next('serverReady')).toMatchObject({
      matchId,
      ip: '10.1.2.3',
      port: 6000,
      joinKey: first.joinKey,
      gameUrl: first.gameUrl,
    });
    expect(await tables.player('gus')).toMatchObject({ status: 'in_match', matchId });
    await Promise.all([again.close(), away.close()]);
  });
});
