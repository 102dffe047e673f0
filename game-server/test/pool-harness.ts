import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  closeAfterTest,
  defaultSession,
  player,
  type Recorded,
  record,
  sha256Hex,
  startGameServer,
  until,
} from './harness.js';

export const SERVER_ID = 'server-1';
export const REGISTRATION = 'registration-secret-3';
export const SERVER_TOKEN = 'server-secret-4';
export const SESSION_TOKEN_2 = 'session-secret-5';
/** The second match's players, with keys of their own. */
export const KEYS_2 = { carol: 'join-key-carol-24680', dave: 'join-key-dave-13579' } as const;

export const secondSession = () => ({
  matchId: 'match-2',
  token: SESSION_TOKEN_2,
  teams: {
    home: [{ userId: 'carol', joinKeyHash: sha256Hex(KEYS_2.carol) }],
    away: [{ userId: 'dave', joinKeyHash: sha256Hex(KEYS_2.dave) }],
  },
});

type PoolKind = 'register' | 'heartbeat' | 'assignment' | 'release' | 'deregister' | 'ready' | 'result';

export interface PoolApiOptions {
  /** Scripted statuses per call (answered with `{}`); the fake's own answer once they run out. */
  statuses?: Partial<Record<PoolKind, number[]>>;
  heartbeatSeconds?: number;
  /** How long `/assignment` takes to answer (to overlap nudges with a fetch). */
  assignmentDelayMs?: number;
}

/**
 * A real HTTP server standing in for the platform's side of the warm pool:
 * records every call, and answers as the contract in core's game-server-env
 * says. `assign(session)` assigns a match: heartbeats then say `assigned`,
 * `/assignment` answers the session (404 before), until the match's `/ready`
 * arrives (the match is then taken, as the platform's "busy").
 */
export async function poolApi(options: PoolApiOptions = {}) {
  const { statuses = {}, heartbeatSeconds = 0.2, assignmentDelayMs = 0 } = options;
  const calls: Recorded[] = [];
  let assigned: { matchId: string } | undefined;
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    const path = await record(request, calls);
    const kind = path.split('/').pop() as PoolKind;
    if (kind === 'assignment' && assignmentDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, assignmentDelayMs));
    }
    const answer = (status: number, body: unknown = {}) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const scripted = statuses[kind]?.shift();
    if (scripted !== undefined) return answer(scripted);
    switch (kind) {
      case 'register':
        return answer(200, { serverId: SERVER_ID, token: SERVER_TOKEN, heartbeatSeconds });
      case 'heartbeat':
        return answer(200, { state: assigned ? 'assigned' : 'idle', assigned: assigned !== undefined });
      case 'assignment':
        return assigned ? answer(200, assigned) : answer(404, { error: 'nothing assigned' });
      case 'release':
        return answer(200, { state: 'idle', assigned: false });
      case 'deregister':
        return answer(200, { state: 'draining' });
      case 'ready':
        if (assigned && path === `/matches/${assigned.matchId}/ready`) assigned = undefined;
        return answer(200);
      default:
        return answer(200);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfterTest(server);
  const of = (kind: PoolKind) => calls.filter((call) => call.path.endsWith(`/${kind}`));
  return {
    calls,
    of,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    assign: (session: { matchId: string } = defaultSession()) => {
      assigned = session;
    },
  };
}

export const poolEnv = (url: string, extra: Record<string, string> = {}) => ({
  SERVER_ID,
  SERVER_REGISTRATION_TOKEN: REGISTRATION,
  CALLBACK_BASE_URL: url,
  ...extra,
});

/** Starts a warm-pool server and waits until it listens and is registered. */
export async function startPool(extra: Record<string, string> = {}, options: PoolApiOptions = {}) {
  const api = await poolApi(options);
  const game = startGameServer(poolEnv(api.url, extra));
  const port = await game.listening();
  await until(() => game.events().includes('registered') || !game.running());
  return { api, game, port };
}

/** The assignment nudge, as the platform sends it. */
export const nudge = async (port: number) =>
  (await fetch(`http://127.0.0.1:${port}/assignment`, { method: 'POST' })).status;

export const health = async (port: number) =>
  (await fetch(`http://127.0.0.1:${port}/health`)).json() as Promise<Record<string, unknown>>;

/** Two players connect with their keys and agree on HOME; resolves once both heard the result. */
export async function playHome(port: number, home: string, away: string) {
  const first = player(port, home);
  const second = player(port, away);
  await Promise.all([first.open, second.open]);
  first.socket.send('HOME');
  second.socket.send('HOME');
  await first.hears('match finished: HOME wins');
  return { first, second };
}
