import { describe, expect, it } from 'vitest';
import {
  BOOTSTRAP,
  defaultSession,
  KEYS,
  matchEnv,
  player,
  SESSION_TOKEN,
  sleep,
  startGameServer,
  startMatch,
  until,
} from './harness.js';

/*
 * The process's life: configuration, the session exchange, ready, /health
 * and the page, and the ways it ends without a result (idle, maximum time,
 * SIGTERM). Real processes, real sockets, a recording stand-in callback API.
 */
describe('game server process', () => {
  it('exchanges the bootstrap token for the session, then reports ready with the session token', async () => {
    const { api, game, port } = await startMatch();
    await until(() => api.of('ready').length === 1);
    expect(api.calls).toEqual([
      { path: '/matches/match-1/session', authorization: `Bearer ${BOOTSTRAP}`, body: {} },
      { path: '/matches/match-1/ready', authorization: `Bearer ${SESSION_TOKEN}`, body: { port } },
    ]);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ status: 'ok', matchId: 'match-1', state: 'waiting' });
    for (const secret of [BOOTSTRAP, SESSION_TOKEN, KEYS.alice, KEYS.bob]) {
      expect(game.output()).not.toContain(secret);
    }
  });

  it('reports PUBLIC_IP in ready when set', async () => {
    const { api } = await startMatch({ PUBLIC_IP: '203.0.113.7' });
    await until(() => api.of('ready').length === 1);
    expect(api.of('ready')[0]?.body).toMatchObject({ ip: '203.0.113.7' });
  });

  it('serves the play page, which takes the key from its own address and escapes the match id', async () => {
    const session = { ...defaultSession(), matchId: '<m&"1>' };
    const { env } = await matchEnv({}, { MATCH_ID: '<m&"1>' }, session);
    const game = startGameServer(env);
    const port = await game.listening();
    const response = await fetch(`http://127.0.0.1:${port}/?key=${KEYS.alice}`);
    const page = await response.text();
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'sha256-");
    for (const command of ['HOME', 'AWAY', 'DRAW', 'CONCEDE', 'STATUS']) {
      expect(page).toContain(`<button data-command="${command}"`);
    }
    expect(page).toContain("new URLSearchParams(location.search).get('key')");
    expect(page).toContain('&#60;m&#38;&#34;1&#62;');
    expect(page).not.toContain('<m&"1>');
    expect(page).not.toContain(KEYS.alice);
  });

  it('retries ready after a 500, and takes 409 as done', async () => {
    const { api, env } = await matchEnv({ ready: [500, 409] });
    const game = startGameServer(env);
    await game.listening();
    await until(() => game.output().includes('"event":"ready reported"'));
    expect(api.of('ready')).toHaveLength(2);
    expect(game.output()).toContain('"done":"already-done"');
  });

  it('exits 1 when the API refuses the ready callback (403)', async () => {
    const { env } = await matchEnv({ ready: [403] });
    const game = startGameServer(env);
    expect(await game.exited).toBe(1);
    expect(game.output()).toContain('ready not reported');
  });

  it('retries the session exchange after a 500', async () => {
    const { api, env } = await matchEnv({ session: [500] });
    const game = startGameServer(env);
    await game.listening();
    expect(api.of('session')).toHaveLength(2);
  });

  it.each([403, 409])('exits 1 without listening when /session answers %i', async (status) => {
    const { api, env } = await matchEnv({ session: [status] });
    const game = startGameServer(env);
    expect(await game.exited).toBe(1);
    expect(api.calls.map((c) => c.path)).toEqual(['/matches/match-1/session']);
    expect(game.events()).toContain('session not received');
    expect(game.events()).not.toContain('listening');
  });

  it('exits 1 without listening on a session that is not for this match or is malformed', async () => {
    const bad = {
      ...defaultSession(),
      teams: { home: [{ userId: 'alice', joinKeyHash: 'nope' }], away: [] },
    };
    const { api, env } = await matchEnv({}, {}, bad);
    const game = startGameServer(env);
    expect(await game.exited).toBe(1);
    expect(game.output()).toContain('teams.home[0].joinKeyHash must be a SHA-256 hex digest');
    expect(game.output()).toContain('teams.away must be a non-empty list');
    expect(api.of('ready')).toEqual([]);
  });

  it('exits 2 naming every bad variable', async () => {
    const game = startGameServer({
      MATCH_ID: '',
      CALLBACK_BASE_URL: 'ftp://x',
      MATCH_BOOTSTRAP_TOKEN: '',
      IDLE_SECONDS: '0',
      MAX_MATCH_SECONDS: 'soon',
    });
    expect(await game.exited).toBe(2);
    expect(game.output()).toContain('MATCH_ID is not set');
    expect(game.output()).toContain('MATCH_BOOTSTRAP_TOKEN is not set');
    expect(game.output()).toContain('CALLBACK_BASE_URL must be an http(s) URL');
    expect(game.output()).toContain('IDLE_SECONDS must be a positive number');
    expect(game.output()).toContain('MAX_MATCH_SECONDS must be a positive number');
  });

  it('exits 2 when only the bootstrap token is missing', async () => {
    const { env } = await matchEnv();
    const game = startGameServer({ ...env, MATCH_BOOTSTRAP_TOKEN: '' });
    expect(await game.exited).toBe(2);
    expect(game.output()).toContain('bad game-server configuration: MATCH_BOOTSTRAP_TOKEN is not set\n');
  });

  it('exits 4 without a result when nobody connects for IDLE_SECONDS', async () => {
    const { api, game } = await startMatch({ IDLE_SECONDS: '1' });
    const started = Date.now();
    expect(await game.exited).toBe(4);
    expect(Date.now() - started).toBeGreaterThan(700);
    expect(game.events()).toContain('no players connected');
    expect(api.of('result')).toEqual([]);
  });

  it('keeps running while a player is connected, and exits 4 IDLE_SECONDS after the last one leaves', async () => {
    const { api, game, port } = await startMatch({ IDLE_SECONDS: '1' });
    const alice = player(port, KEYS.alice);
    await alice.open;
    await sleep(1300);
    expect(game.running()).toBe(true);
    alice.socket.close();
    const left = Date.now();
    expect(await game.exited).toBe(4);
    expect(Date.now() - left).toBeGreaterThan(700);
    expect(api.of('result')).toEqual([]);
  });

  it('gives up after MAX_MATCH_SECONDS without reporting a result (exit 3)', async () => {
    const { api, env } = await matchEnv({}, { MAX_MATCH_SECONDS: '1' });
    const game = startGameServer(env);
    const alice = player(await game.listening(), KEYS.alice);
    await alice.open;
    expect(await game.exited).toBe(3);
    expect(api.of('result')).toEqual([]);
  });

  it('stops cleanly on SIGTERM (ECS StopTask)', async () => {
    const { game } = await startMatch();
    game.child.kill('SIGTERM');
    expect(await game.exited).toBe(0);
  });
});
