import { expect } from 'vitest';
import { WebSocket } from 'ws';
import type { LocalStack } from '../../src/index.js';
import { TestPlayer } from './player.js';
import { eventually } from './wait.js';

/**
 * The seed's walkthrough with real parts: players connect with tokens and
 * join, get MATCH FOUND, ECS starts a real game-server process that reports
 * ready, every player connects to it with its own key, one player of each
 * team reports HOME (the teams agree), and everyone gets the new
 * ratings. Returns the players' last events for the caller to check.
 */
export async function playFullMatch(stack: LocalStack, userIds: string[], region: string) {
  const players = await Promise.all(userIds.map((id) => TestPlayer.connect(stack, id)));
  for (const player of players) await player.request({ action: 'joinQueue', region }, 'joinedQueue');
  const found = await Promise.all(players.map((p) => p.next('matchFound')));
  const matchId = found[0]?.matchId;
  expect(new Set(found.map((f) => f.matchId))).toEqual(new Set([matchId]));
  const ready = await Promise.all(players.map((p) => p.next('serverReady', 0, 20_000)));
  const { ip, port } = ready[0] as unknown as { ip: string; port: number };
  expect(ready[0]?.message).toBe(`server created with ip: ${ip}`);

  expect(`${ip}:${port}`).toBe(`127.0.0.1:${port}`);

  const home = found.find((f) => f.team === 'home');
  // Every player connects with its own key; one player of each team reports HOME (both teams must agree).
  const gameMessages: string[] = [];
  const games = await Promise.all(
    ready.map(async (event) => {
      const game = new WebSocket(event.gameUrl as string);
      game.on('message', (data) => gameMessages.push(data.toString()));
      await new Promise((resolve, reject) => {
        game.once('open', resolve);
        game.once('error', reject);
      });
      return game;
    }),
  );
  const reporterOf = (team: string) => games[found.findIndex((f) => f.team === team)] as WebSocket;
  reporterOf('home').send('HOME');
  reporterOf('away').send('HOME');
  const finished = await Promise.all(players.map((p) => p.next('matchFinished', 0, 20_000)));
  // The game server tells its sockets once the API answered its result call, which may be after
  // the players' matchFinished events: wait for every socket to hear it before closing them.
  await eventually(() =>
    expect(gameMessages.filter((m) => m.startsWith('match finished')).length).toBe(games.length),
  );
  const profiles = await Promise.all(players.map((p) => p.request({ action: 'getProfile' }, 'profile')));
  await Promise.all(players.map((p) => p.close()));
  for (const game of games) game.terminate();
  return { players, found, ready, finished, profiles, matchId, homeTeam: home?.teams, gameMessages };
}
