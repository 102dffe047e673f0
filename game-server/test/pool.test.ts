import { describe, expect, it } from 'vitest';
import {
  defaultSession,
  KEYS,
  player,
  SESSION_TOKEN,
  sleep,
  startGameServer,
  startMatch,
  until,
  upgradeStatus,
} from './harness.js';
import {
  health,
  KEYS_2,
  nudge,
  playHome,
  poolApi,
  poolEnv,
  REGISTRATION,
  SERVER_ID,
  SERVER_TOKEN,
  SESSION_TOKEN_2,
  secondSession,
  startPool,
} from './pool-harness.js';

/*
 * A warm-pool server (SERVER_ID): it listens, registers, heartbeats, is
 * assigned matches (nudge or heartbeat), plays them on one port, and goes
 * back to idle after each release. Real processes, real sockets, a recording
 * stand-in for the platform (heartbeatSeconds 0.2 unless a test says otherwise).
 */
const serverCall = (kind: string, token = SERVER_TOKEN) => ({
  path: `/servers/${SERVER_ID}/${kind}`,
  authorization: `Bearer ${token}`,
  body: {},
});

describe('warm-pool server: registration and heartbeats', () => {
  it('registers with the registration token, then heartbeats with its own token only', async () => {
    const { api, game, port } = await startPool();
    await until(() => api.of('heartbeat').length >= 3);
    expect(api.calls[0]).toEqual({
      path: `/servers/${SERVER_ID}/register`,
      authorization: `Bearer ${REGISTRATION}`,
      body: { port },
    });
    for (const call of api.calls.slice(1)) expect(call).toEqual(serverCall('heartbeat'));
    expect(await health(port)).toEqual({ status: 'ok', serverId: SERVER_ID, state: 'idle' });
    for (const secret of [REGISTRATION, SERVER_TOKEN]) expect(game.output()).not.toContain(secret);
  });

  it('reports PUBLIC_IP at registration', async () => {
    const { api } = await startPool({ PUBLIC_IP: '203.0.113.7' });
    expect(api.of('register')[0]?.body).toMatchObject({ ip: '203.0.113.7' });
  });

  it('retries the registration after a 500', async () => {
    const { api, game } = await startPool({}, { statuses: { register: [500] } });
    expect(api.of('register')).toHaveLength(2);
    await until(() => api.of('heartbeat').length >= 1);
    expect(game.running()).toBe(true);
  });

  it.each([403, 409])('exits 1 when the registration answers %i, and never heartbeats', async (status) => {
    const api = await poolApi({ statuses: { register: [status] } });
    const game = startGameServer(poolEnv(api.url));
    expect(await game.exited).toBe(1);
    expect(game.events()).toContain('not registered');
    expect(api.calls.map((c) => c.path)).toEqual([`/servers/${SERVER_ID}/register`]);
  });

  it('keeps beating after a failed heartbeat (500)', async () => {
    const { api, game } = await startPool({}, { statuses: { heartbeat: [500, 500] } });
    await until(() => api.of('heartbeat').length >= 4);
    expect(game.running()).toBe(true);
    expect(game.events()).toContain('heartbeat failed');
  });

  it.each([410, 403])('exits 5 when a heartbeat answers %i (retired by the platform)', async (status) => {
    const { game } = await startPool({}, { statuses: { heartbeat: [status] } });
    expect(await game.exited).toBe(5);
    expect(game.events()).toContain('retired by the platform');
  });
});

describe('warm-pool server: assignment', () => {
  it('refuses player upgrades and the play page before a match is assigned (503)', async () => {
    const { game, port } = await startPool();
    expect(await upgradeStatus(port, `?key=${KEYS.alice}`)).toBe(503);
    expect(await upgradeStatus(port, '')).toBe(503);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(503);
    expect(game.running()).toBe(true);
  });

  it('a nudge makes it fetch at once, then report ready with the session token and its port', async () => {
    // Heartbeats far apart: only the nudge can explain the fetch.
    const { api, game, port } = await startPool({}, { heartbeatSeconds: 60 });
    api.assign();
    expect(await nudge(port)).toBe(202);
    await until(() => api.of('ready').length === 1);
    expect(api.calls).toEqual([
      { path: `/servers/${SERVER_ID}/register`, authorization: `Bearer ${REGISTRATION}`, body: { port } },
      serverCall('assignment'),
      { path: '/matches/match-1/ready', authorization: `Bearer ${SESSION_TOKEN}`, body: { port } },
    ]);
    expect(await health(port)).toEqual({
      status: 'ok',
      serverId: SERVER_ID,
      matchId: 'match-1',
      state: 'waiting',
    });
    for (const secret of [REGISTRATION, SERVER_TOKEN, SESSION_TOKEN, KEYS.alice]) {
      expect(game.output()).not.toContain(secret);
    }
  });

  it('stays idle when nothing is assigned (404)', async () => {
    const { api, game, port } = await startPool({}, { heartbeatSeconds: 60 });
    expect(await nudge(port)).toBe(202);
    await until(() => game.events().includes('nothing assigned'));
    expect(api.of('assignment')).toHaveLength(1);
    expect(await health(port)).toMatchObject({ state: 'idle' });
    expect(game.running()).toBe(true);
  });

  it('fetches once for nudges during a fetch, and ignores nudges and heartbeats once the match began', async () => {
    const { api, port } = await startPool({}, { assignmentDelayMs: 300, statuses: { ready: [500, 500] } });
    api.assign();
    expect(await Promise.all([nudge(port), nudge(port), nudge(port)])).toEqual([202, 202, 202]);
    await until(() => api.of('ready').length >= 1);
    // The match is still assigned (its ready has not landed): heartbeats keep saying so, in vain.
    expect(await nudge(port)).toBe(202);
    await until(() => api.of('ready').length === 3);
    await until(() => api.of('heartbeat').length >= 3);
    expect(api.of('assignment')).toHaveLength(1);
  });

  it('does not lose a nudge that comes during a fetch that finds nothing: one more fetch follows', async () => {
    const { api, port } = await startPool(
      {},
      { heartbeatSeconds: 60, assignmentDelayMs: 300, statuses: { assignment: [404] } },
    );
    expect(await nudge(port)).toBe(202);
    await until(() => api.of('assignment').length === 1);
    api.assign();
    expect(await nudge(port)).toBe(202); // while the first fetch is under way
    await until(() => api.of('ready').length === 1);
    expect(api.of('assignment')).toHaveLength(2);
  });

  it('fetches when a heartbeat says a match is assigned', async () => {
    const { api, port } = await startPool();
    api.assign();
    await until(() => api.of('ready').length === 1);
    expect(api.of('assignment')).toEqual([serverCall('assignment')]);
    expect(api.of('ready')[0]?.body).toEqual({ port });
  });

  it('exits 5 when the assignment answers 410', async () => {
    const { port, game } = await startPool({}, { heartbeatSeconds: 60, statuses: { assignment: [410] } });
    expect(await nudge(port)).toBe(202);
    expect(await game.exited).toBe(5);
  });

  it('exits 1 on an assignment that is not a valid session', async () => {
    const { api, port, game } = await startPool({}, { heartbeatSeconds: 60 });
    api.assign({ ...defaultSession(), matchId: '' });
    await nudge(port);
    expect(await game.exited).toBe(1);
    expect(game.output()).toContain('matchId is missing');
    expect(api.of('ready')).toEqual([]);
  });

  it('answers a nudge that is not a POST with 405, and one with a body over the limit with 413, without fetching', async () => {
    const { api, port } = await startPool({}, { heartbeatSeconds: 60 });
    expect((await fetch(`http://127.0.0.1:${port}/assignment`)).status).toBe(405);
    const big = await fetch(`http://127.0.0.1:${port}/assignment`, {
      method: 'POST',
      body: 'x'.repeat(5000),
    });
    expect(big.status).toBe(413);
    await sleep(100);
    expect(api.of('assignment')).toEqual([]);
  });

  it('a server for one match does not serve the nudge (404)', async () => {
    const { api, port } = await startMatch();
    expect((await fetch(`http://127.0.0.1:${port}/assignment`, { method: 'POST' })).status).toBe(404);
    expect(api.calls.map((c) => c.path)).not.toContain('/matches/match-1/assignment');
  });
});

describe('warm-pool server: matches', () => {
  it('plays a match, reports the result, is released, and plays the next match on the same port', async () => {
    const { api, game, port } = await startPool();
    api.assign();
    await until(() => api.of('ready').length === 1);
    const beatsBefore = api.of('heartbeat').length;
    const { first: alice, second: bob } = await playHome(port, KEYS.alice, KEYS.bob);
    await until(() => api.of('release').length === 1);
    expect(api.of('result')).toEqual([
      {
        path: '/matches/match-1/result',
        authorization: `Bearer ${SESSION_TOKEN}`,
        body: { outcome: 'home' },
      },
    ]);
    expect(api.of('release')).toEqual([serverCall('release')]);
    // Heartbeats went on during the match.
    expect(api.of('heartbeat').length).toBeGreaterThan(beatsBefore);
    await until(() => game.events().includes('released'));
    expect(await health(port)).toEqual({ status: 'ok', serverId: SERVER_ID, state: 'idle' });
    // No socket of the first match is left.
    await until(() => alice.closed() !== undefined && bob.closed() !== undefined);
    expect(await upgradeStatus(port, `?key=${KEYS.alice}`)).toBe(503);

    api.assign(secondSession());
    await until(() => api.of('ready').length === 2);
    expect(api.of('ready')[1]).toEqual({
      path: '/matches/match-2/ready',
      authorization: `Bearer ${SESSION_TOKEN_2}`,
      body: { port },
    });
    expect(await health(port)).toMatchObject({ matchId: 'match-2', state: 'waiting' });
    // The first match's keys are worthless now.
    expect(await upgradeStatus(port, `?key=${KEYS.alice}`)).toBe(401);
    expect(await upgradeStatus(port, `?key=${KEYS.bob}`)).toBe(401);
    const carol = player(port, KEYS_2.carol);
    await carol.hears('connected to match match-2 as carol (HOME team)');
    carol.socket.send('STATUS');
    // A fresh game: no report carried over from the first match.
    await carol.hears('the HOME team has not reported, the AWAY team has not reported; connected: carol.');
    carol.socket.send('CONCEDE');
    await until(() => api.of('release').length === 2);
    expect(api.of('result')[1]).toEqual({
      path: '/matches/match-2/result',
      authorization: `Bearer ${SESSION_TOKEN_2}`,
      body: { outcome: 'away' },
    });
    expect(game.running()).toBe(true);
    // The registration token was used once, for registering; the server's own token since.
    expect(api.calls.filter((c) => c.authorization === `Bearer ${REGISTRATION}`)).toHaveLength(1);
  });

  it('exits 0 when the release answers 410 (the platform ends the server)', async () => {
    const { api, game, port } = await startPool({}, { statuses: { release: [410] } });
    api.assign();
    await until(() => api.of('ready').length === 1);
    await playHome(port, KEYS.alice, KEYS.bob);
    expect(await game.exited).toBe(0);
    expect(api.of('result')).toHaveLength(1);
    expect(game.events()).toContain('retired after the match');
  });

  it('exits 1 when the release is refused otherwise (403)', async () => {
    const { api, game, port } = await startPool({}, { statuses: { release: [403] } });
    api.assign();
    await until(() => api.of('ready').length === 1);
    await playHome(port, KEYS.alice, KEYS.bob);
    expect(await game.exited).toBe(1);
    expect(game.events()).toContain('release failed');
  });

  it('starts the idle clock when the match begins, not when listening (exit 4)', async () => {
    const { api, game } = await startPool({ IDLE_SECONDS: '1' });
    await sleep(1300);
    expect(game.running()).toBe(true);
    api.assign();
    await until(() => api.of('ready').length === 1);
    const began = Date.now();
    expect(await game.exited).toBe(4);
    expect(Date.now() - began).toBeGreaterThan(700);
    expect(game.events()).toContain('no players connected');
    expect(api.of('result')).toEqual([]);
  });

  it('gives up MAX_MATCH_SECONDS after the match began without a result (exit 3)', async () => {
    const { api, game, port } = await startPool({ MAX_MATCH_SECONDS: '1' });
    await sleep(1300);
    expect(game.running()).toBe(true);
    api.assign();
    await until(() => api.of('ready').length === 1);
    const alice = player(port, KEYS.alice);
    await alice.open;
    expect(await game.exited).toBe(3);
    expect(api.of('result')).toEqual([]);
  });
});

describe('warm-pool server: stopping', () => {
  it('deregisters on SIGTERM while idle, then exits 0', async () => {
    const { api, game } = await startPool();
    game.child.kill('SIGTERM');
    expect(await game.exited).toBe(0);
    expect(api.of('deregister')).toEqual([serverCall('deregister')]);
    expect(game.events()).toContain('deregistered');
  });

  it('exits 0 on SIGTERM while idle even when the deregistration fails', async () => {
    const { api, game } = await startPool({}, { statuses: { deregister: [500] } });
    game.child.kill('SIGTERM');
    expect(await game.exited).toBe(0);
    expect(api.of('deregister')).toHaveLength(1);
    expect(game.events()).toContain('not deregistered');
  });

  it('does not deregister on SIGTERM during a match, and exits 0', async () => {
    const { api, game } = await startPool();
    api.assign();
    await until(() => api.of('ready').length === 1);
    game.child.kill('SIGTERM');
    expect(await game.exited).toBe(0);
    expect(api.of('deregister')).toEqual([]);
  });
});

describe('warm-pool server: configuration', () => {
  it('exits 2 when both SERVER_ID and MATCH_ID are set', async () => {
    const api = await poolApi();
    const game = startGameServer(poolEnv(api.url, { MATCH_ID: 'match-1', MATCH_BOOTSTRAP_TOKEN: 'x' }));
    expect(await game.exited).toBe(2);
    expect(game.output()).toContain('MATCH_ID and SERVER_ID are both set');
    expect(api.calls).toEqual([]);
  });

  it('exits 2 when SERVER_ID comes without SERVER_REGISTRATION_TOKEN', async () => {
    const api = await poolApi();
    const game = startGameServer(poolEnv(api.url, { SERVER_REGISTRATION_TOKEN: '' }));
    expect(await game.exited).toBe(2);
    expect(game.output()).toContain('bad game-server configuration: SERVER_REGISTRATION_TOKEN is not set\n');
    expect(api.calls).toEqual([]);
  });

  it('exits 2 when neither MATCH_ID nor SERVER_ID is set', async () => {
    const game = startGameServer({ CALLBACK_BASE_URL: 'http://127.0.0.1:1', MATCH_ID: '', SERVER_ID: '' });
    expect(await game.exited).toBe(2);
    expect(game.output()).toContain('MATCH_ID is not set (nor SERVER_ID for a warm-pool server)');
  });
});
