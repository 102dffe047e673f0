import { describe, expect, it } from 'vitest';
import {
  frame,
  KEYS,
  player,
  rawPlayer,
  SESSION_TOKEN,
  sleep,
  startMatch,
  until,
  upgradeStatus,
} from './harness.js';

/*
 * Who may connect and who decides the match: only the roster's players (by
 * join key), a result needs both teams (or a concession), and a bad frame
 * closes only the socket that sent it. alice is HOME, bob is AWAY.
 */
describe('who may connect', () => {
  it('refuses a WebSocket without a key with 401, and the match goes on without a result', async () => {
    const { api, game, port } = await startMatch();
    expect(await upgradeStatus(port, '')).toBe(401);
    expect(await upgradeStatus(port, '?key=')).toBe(401);
    expect(game.running()).toBe(true);
    expect(api.of('result')).toEqual([]);
    expect(game.events()).toContain('connection refused');
  });

  it('refuses a wrong key, a key too long, and another path with an error status', async () => {
    const { game, port } = await startMatch();
    expect(await upgradeStatus(port, `?key=${KEYS.alice}x`)).toBe(401);
    expect(await upgradeStatus(port, `?key=${'k'.repeat(10_000)}`)).toBe(401);
    expect(await upgradeStatus(port, `other?key=${KEYS.alice}`)).toBe(404);
    expect(await upgradeStatus(port, `?key=${KEYS.alice}`)).toBe(101);
    expect(game.output()).not.toContain(KEYS.alice);
  });

  it('welcomes a player by name and team', async () => {
    const { port } = await startMatch();
    const bob = player(port, KEYS.bob);
    await bob.hears(
      'connected to match match-1 as bob (AWAY team): send HOME, AWAY or DRAW to report the result (both teams must agree), CONCEDE to give up, STATUS',
    );
  });

  it('replaces an older connection of the same player (4001), and only the newer one plays', async () => {
    const { api, game, port } = await startMatch();
    const first = player(port, KEYS.alice);
    await first.open;
    const second = player(port, KEYS.alice);
    await second.open;
    await until(() => first.closed() !== undefined);
    expect(first.closed()).toEqual({ code: 4001, reason: 'replaced by a newer connection' });
    second.socket.send('STATUS');
    await second.hears('connected: alice.');
    expect(game.running()).toBe(true);
    expect(api.of('result')).toEqual([]);
  });
});

describe('deciding the match', () => {
  it("does not finish on one player's AWAY alone", async () => {
    const { api, game, port } = await startMatch();
    const bob = player(port, KEYS.bob);
    await bob.open;
    bob.socket.send('AWAY');
    await bob.hears('bob (AWAY team) reports AWAY; waiting for the HOME team to agree');
    bob.socket.send('AWAY');
    await bob.hears('the AWAY team already reports AWAY');
    bob.socket.send('STATUS');
    await bob.hears('the AWAY team reports AWAY');
    await sleep(300);
    expect(game.running()).toBe(true);
    expect(api.of('result')).toEqual([]);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toMatchObject({ state: 'waiting' });
  });

  it('finishes when both teams report HOME: one /result with the session token, everyone told, exit 0', async () => {
    const { api, game, port } = await startMatch();
    const alice = player(port, KEYS.alice);
    const bob = player(port, KEYS.bob);
    await Promise.all([alice.open, bob.open]);
    alice.socket.send('STATUS');
    await alice.hears('match match-1 (waiting): HOME alice vs AWAY bob');
    alice.socket.send('HOME');
    await bob.hears('alice (HOME team) reports HOME; waiting for the AWAY team to agree');
    expect(api.of('result')).toEqual([]);
    bob.socket.send('HOME');
    expect(await game.exited).toBe(0);
    expect(api.of('result')).toEqual([
      {
        path: '/matches/match-1/result',
        authorization: `Bearer ${SESSION_TOKEN}`,
        body: { outcome: 'home' },
      },
    ]);
    for (const p of [alice, bob]) {
      expect(p.messages).toContain('bob (AWAY team) reports HOME; both teams agree');
      expect(p.messages).toContain('match finished: HOME wins');
    }
  });

  it('does not finish while the teams disagree, and finishes on DRAW once they agree', async () => {
    const { api, game, port } = await startMatch();
    const alice = player(port, KEYS.alice);
    const bob = player(port, KEYS.bob);
    await Promise.all([alice.open, bob.open]);
    alice.socket.send('HOME');
    await bob.hears('alice (HOME team) reports HOME');
    bob.socket.send('AWAY');
    await alice.hears(
      'bob (AWAY team) reports AWAY; waiting for the HOME team to agree (the HOME team reports HOME)',
    );
    expect(api.of('result')).toEqual([]);
    alice.socket.send('draw');
    bob.socket.send('DRAW');
    expect(await game.exited).toBe(0);
    expect(api.of('result').map((c) => c.body)).toEqual([{ outcome: 'draw' }]);
    expect(alice.messages).toContain('match finished: DRAW');
  });

  it('gives the match to HOME when AWAY concedes', async () => {
    const { api, game, port } = await startMatch();
    const alice = player(port, KEYS.alice);
    const bob = player(port, KEYS.bob);
    await Promise.all([alice.open, bob.open]);
    bob.socket.send('CONCEDE');
    expect(await game.exited).toBe(0);
    expect(api.of('result').map((c) => c.body)).toEqual([{ outcome: 'home' }]);
    expect(alice.messages).toContain('bob (AWAY team) concedes: the HOME team wins');
    expect(alice.messages).toContain('match finished: HOME wins');
  });

  it('answers an unknown command with an error line and keeps the socket open', async () => {
    const { game, port } = await startMatch();
    const alice = player(port, KEYS.alice);
    await alice.open;
    alice.socket.send('WIN PLEASE');
    await alice.hears('unknown command: send HOME, AWAY or DRAW, CONCEDE, or STATUS');
    alice.socket.send('STATUS');
    await alice.hears('Rules: each player may send HOME, AWAY or DRAW');
    expect(alice.closed()).toBeUndefined();
    expect(game.running()).toBe(true);
  });
});

describe('bad frames close only the socket that sent them', () => {
  it.each([
    ['a text frame that is not UTF-8', frame(0x81, Buffer.from([0xc3, 0x28])), 1007],
    ['a binary frame', frame(0x82, Buffer.from('AWAY')), 1003],
    ['a frame over 1 KiB', frame(0x81, Buffer.alloc(1025, 0x41)), 1009],
    ['a frame with a reserved bit set', frame(0xc1, Buffer.from('AWAY')), 1002],
  ])('%s', async (_name, bytes, code) => {
    const { api, game, port } = await startMatch();
    const alice = player(port, KEYS.alice);
    await alice.open;
    const raw = await rawPlayer(port, KEYS.bob);
    await until(() => raw.frames().length > 0); // the welcome
    raw.send(bytes);
    await until(() => raw.closed());
    expect(raw.closeCode()).toBe(code);
    expect(api.of('result')).toEqual([]);
    expect(game.running()).toBe(true);
    expect(alice.closed()).toBeUndefined();
    alice.socket.send('STATUS');
    await alice.hears('connected: alice.');
    // bob comes back properly and the match can still finish.
    const bob = player(port, KEYS.bob);
    await bob.open;
    alice.socket.send('AWAY');
    bob.socket.send('AWAY');
    expect(await game.exited).toBe(0);
    expect(api.of('result').map((c) => c.body)).toEqual([{ outcome: 'away' }]);
    // ws reports protocol errors on the socket ('error'); the binary frame is our own refusal.
    if (code !== 1003) expect(game.events()).toContain('socket error');
  });
});
