import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Outcome } from '@matchmaking/core';
import { WebSocketServer } from 'ws';
import type { GameServerConfig } from './config.js';
import { playPage } from './page.js';

export type MatchState = 'waiting' | 'finished';

export interface GameServer {
  server: Server;
  port(): number;
  state(): MatchState;
  /** Closes every client and the listener. */
  close(): Promise<void>;
}

const COMMANDS: Record<string, Outcome> = { HOME: 'home', AWAY: 'away', DRAW: 'draw' };

/**
 * The match, seed-style: clients connect over WebSocket (same port as HTTP);
 * `HOME`, `AWAY` or `DRAW` resolves the match once and `STATUS` lists the
 * teams. `onResult` reports the result (the API callback) before every client
 * hears it and is closed.
 */
export function createGameServer(
  config: GameServerConfig,
  onResult: (outcome: Outcome) => Promise<void>,
): GameServer {
  let state: MatchState = 'waiting';
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', matchId: config.matchId, state }));
    } else if (path === '/' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(playPage(config.matchId));
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  const sockets = new WebSocketServer({ server, maxPayload: 1024 });
  const broadcast = (text: string) => {
    for (const client of sockets.clients) client.send(text);
  };
  sockets.on('connection', (socket) => {
    socket.send(`connected to match ${config.matchId}: send HOME, AWAY, DRAW or STATUS`);
    socket.on('message', (data) => {
      const command = data.toString().trim().toUpperCase();
      if (command === 'STATUS') {
        socket.send(
          `match ${config.matchId} (${state}): HOME ${config.home.join(', ')} vs AWAY ${config.away.join(', ')}`,
        );
        return;
      }
      const outcome = COMMANDS[command];
      if (!outcome) {
        socket.send('unknown command: send HOME, AWAY, DRAW or STATUS');
        return;
      }
      if (state !== 'waiting') {
        socket.send('match already finished');
        return;
      }
      state = 'finished';
      void onResult(outcome).then(
        () => {
          broadcast(`match finished: ${outcome === 'draw' ? 'DRAW' : `${outcome.toUpperCase()} wins`}`);
          for (const client of sockets.clients) client.close(1000, 'match finished');
        },
        () => broadcast('the result could not be reported; the match will be abandoned'),
      );
    });
  });
  return {
    server,
    port: () => (server.address() as AddressInfo).port,
    state: () => state,
    close: () =>
      new Promise((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
      }),
  };
}
