import {
  ErrorCode,
  type GameServerSession,
  MatchmakingError,
  type ReadyCallback,
  type ServerHeartbeat,
  type ServerRegistration,
} from '@matchmaking/core';
import type { ServerItem } from '../data/items.js';
import { sessionFor } from '../lifecycle/open-session.js';
import { newMatchToken } from '../match/match-token.js';
import { createLogger } from '../runtime/logger.js';
import type { PoolDeps } from './pool-deps.js';

const logger = createLogger('pool-server');

/**
 * What a pool server may ask, each with its own credential (see
 * authorizeServer); the protocol is documented with its types in core
 * (game-server-env.ts). Every change is a conditional write on the server.
 */

/** launching -> idle: trades the task's one-time registration token for the server's own token. */
export async function registerServer(
  deps: Pick<PoolDeps, 'servers' | 'clock' | 'settings'>,
  server: ServerItem,
  body: ReadyCallback,
  sourceIp: string,
): Promise<ServerRegistration> {
  const { token, hash } = newMatchToken();
  const address = { ip: body.ip ?? sourceIp, port: body.port };
  const now = deps.clock.now();
  if (!(await deps.servers.register(server.serverId, server.registrationHash, hash, address, now))) {
    throw new MatchmakingError(ErrorCode.Conflict, `this server is ${server.state}, not launching`);
  }
  logger.info('warm server registered', { serverId: server.serverId, region: server.region, ...address });
  return { serverId: server.serverId, token, heartbeatSeconds: deps.settings.heartbeatSeconds };
}

/** The server is alive; tells it whether a match waits for it. 410 once retired. */
export async function heartbeat(
  deps: Pick<PoolDeps, 'servers' | 'clock'>,
  server: ServerItem,
): Promise<ServerHeartbeat> {
  const current = await deps.servers.heartbeat(server.serverId, deps.clock.now());
  if (!current) throw retired(server);
  return { state: current.state as ServerHeartbeat['state'], assigned: current.state === 'assigned' };
}

/**
 * The server takes its assigned match: the match's roster and a session
 * token, exactly as a match's own server gets them from its bootstrap
 * exchange. Repeatable while the match is starting (a lost answer), each
 * time with a new token; 404 with nothing assigned, 410 once withdrawn.
 */
export async function takeAssignment(
  deps: Pick<PoolDeps, 'servers' | 'matches' | 'clock'>,
  server: ServerItem,
): Promise<GameServerSession> {
  if (server.state === 'stopped' || server.state === 'draining') throw retired(server);
  if ((server.state !== 'assigned' && server.state !== 'busy') || !server.matchId) {
    throw new MatchmakingError(ErrorCode.NotFound, 'no match is assigned to this server');
  }
  const match = await deps.matches.get(server.matchId);
  const { token, hash } = newMatchToken();
  if (!match || !(await deps.matches.takeByServer(match.matchId, server.serverId, hash, deps.clock.now()))) {
    throw new MatchmakingError(ErrorCode.Gone, 'the assignment was withdrawn from this server');
  }
  if (server.state === 'assigned') await deps.servers.markBusy(server.serverId, match.matchId);
  logger.info('warm server took its match', { serverId: server.serverId, matchId: match.matchId });
  return sessionFor(match, token);
}

/**
 * SIGTERM (a Spot interruption, a scale-in): out of the pool before it can be
 * assigned; an assignment not yet taken is withdrawn so the waiting starter
 * moves on at once. Its replacement is launched when its task stops (see
 * serverStopped), by functions allowed to run tasks. 409 while in a match.
 */
export async function deregisterServer(
  deps: Pick<PoolDeps, 'servers' | 'matches'>,
  server: ServerItem,
): Promise<{ state: 'draining' }> {
  const drained = await deps.servers.drain(server.serverId);
  if (!drained) {
    const current = await deps.servers.get(server.serverId);
    if (current?.state === 'draining') return { state: 'draining' };
    if (current?.state === 'stopped') throw retired(server);
    throw new MatchmakingError(ErrorCode.Conflict, `this server is ${current?.state}: its match goes on`);
  }
  if (drained.state === 'assigned' && drained.matchId) {
    if (!(await deps.matches.withdrawServer(drained.matchId, server.serverId))) {
      // It took the match just before: it is out of the pool all the same, and when it stops
      // the match ends as any match whose server stopped (see serverStopped).
      throw new MatchmakingError(ErrorCode.Conflict, 'this server took a match: it goes on or ends with it');
    }
  }
  logger.info('warm server draining', { serverId: server.serverId, region: server.region });
  return { state: 'draining' };
}

/**
 * After its match's result: back to the pool (idle) while it has matches
 * left (WARM_SERVER_MATCHES), otherwise retired (410: it exits). A retry
 * after the server was released gets its state now (perhaps assigned again).
 */
export async function releaseServer(
  deps: Pick<PoolDeps, 'servers' | 'matches' | 'clock' | 'settings'>,
  server: ServerItem,
): Promise<ServerHeartbeat> {
  if (server.state === 'stopped' || server.state === 'draining') throw retired(server);
  // Released already (a retry whose answer was lost): its state now, maybe with a new match.
  if (server.state === 'idle' || server.state === 'assigned')
    return { state: server.state, assigned: server.state === 'assigned' };
  if (server.state !== 'busy' || !server.matchId) {
    throw new MatchmakingError(ErrorCode.Conflict, `this server is ${server.state}, not in a match`);
  }
  const match = await deps.matches.get(server.matchId);
  if (match && (match.state === 'starting' || match.state === 'ready')) {
    throw new MatchmakingError(ErrorCode.Conflict, `its match is ${match.state}: report the result first`);
  }
  const now = deps.clock.now();
  if ((server.matchesPlayed ?? 0) + 1 >= deps.settings.matchesPerServer) {
    const reason = `played its ${deps.settings.matchesPerServer} match(es)`;
    await deps.servers.retire(server.serverId, reason, now, { from: ['busy'], matchId: server.matchId });
    throw new MatchmakingError(ErrorCode.Gone, `this server ${reason}: exit`);
  }
  if (!(await deps.servers.release(server, server.matchId, now))) throw retired(server);
  return { state: 'idle', assigned: false };
}

function retired(server: ServerItem): MatchmakingError {
  return new MatchmakingError(ErrorCode.Gone, `this server (${server.serverId}) was retired: exit`);
}
