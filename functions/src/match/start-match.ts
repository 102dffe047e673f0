import { events } from '@matchmaking/core';
import { GameServerLaunchError } from '../aws/game-servers.js';
import type { MatchItem, PlayerItem } from '../data/items.js';
import { cancelMatch } from '../lifecycle/cancel-match.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import { proposals } from '../lifecycle/ready-check.js';
import { assignWarmServer } from '../pool/assign-warm-server.js';
import type { PoolDeps } from '../pool/pool-deps.js';
import { createLogger } from '../runtime/logger.js';
import { type GameServerTimings, gameServerEnvironment } from './game-server-environment.js';
import { newMatchToken } from './match-token.js';
import { notifyConnection } from './notify.js';

const logger = createLogger('start-match');

export type StartOutcome = 'started' | 'proposed' | 'cancelled' | 'done-before' | 'unknown';

/**
 * The match starter's part of a recorded match, outside the serial section
 * and in parallel with other matches: mark the players -> MATCH FOUND ->
 * RunTask -> record the task. Safe to repeat (a redelivered message, a
 * retry after a crash): every step is conditional on this match, and a match
 * that is no longer starting, or has its task, is left alone. A player found
 * gone (410) or a server that cannot start cancels the match and puts
 * everyone still connected back in the queue. A proposed match (the ready
 * check) only gets its players marked and told (matchProposed): it comes
 * back here, starting, once they all accepted.
 */
export async function startMatch(
  deps: LifecycleDeps,
  timings: GameServerTimings,
  matchId: string,
  pool?: PoolDeps,
): Promise<StartOutcome> {
  const match = await deps.matches.get(matchId);
  if (!match) return 'unknown';
  if ((match.state !== 'starting' && match.state !== 'proposed') || match.taskArn) return 'done-before';
  const gone = new Set<string>();
  const members = match.tickets.flatMap((ticket) => ticket.userIds.map((userId) => ({ ticket, userId })));
  const marked = await Promise.all(
    members.map(({ ticket, userId }) => deps.players.markMatched(userId, ticket.ticketId, matchId)),
  );
  members.forEach(({ userId }, i) => {
    if (!marked[i]) gone.add(userId);
  });
  // The ready check: the players are told and answer; nothing starts before they all accepted.
  if (match.state === 'proposed') await propose(deps, match, marked, gone);
  else await announce(deps, match, marked, gone);
  if (gone.size > 0) {
    await cancelMatch(deps, match, 'a player left before the match could start', gone, { playerLeft: true });
    return 'cancelled';
  }
  if (match.state === 'proposed') return 'proposed';
  if (pool) {
    const warm = await assignWarmServer(pool, match);
    if (warm === 'taken') return 'started';
    if (warm === 'done-before') return 'done-before';
  }
  return startServer(deps, timings, match);
}

/** matchProposed to each player of a proposed match (a player who cannot be told is gone). */
async function propose(
  deps: LifecycleDeps,
  match: MatchItem,
  players: readonly (PlayerItem | undefined)[],
  gone: Set<string>,
): Promise<void> {
  const connectionOf = new Map(players.filter((p) => p !== undefined).map((p) => [p.userId, p.connectionId]));
  const sends = [...proposals(match)]
    .filter(([userId]) => !gone.has(userId))
    .map(async ([userId, event]) => {
      if (!(await notifyConnection(deps, connectionOf.get(userId), event))) gone.add(userId);
    });
  await Promise.all(sends);
}

async function announce(
  deps: LifecycleDeps,
  match: MatchItem,
  players: readonly (PlayerItem | undefined)[],
  gone: Set<string>,
): Promise<void> {
  const teams = { home: match.home.map((p) => p.userId), away: match.away.map((p) => p.userId) };
  const connectionOf = new Map(players.filter((p) => p !== undefined).map((p) => [p.userId, p.connectionId]));
  const sends = (['home', 'away'] as const).flatMap((team) =>
    match[team]
      .filter((member) => !gone.has(member.userId))
      .map(async (member) => {
        const event = events.matchFound(match.matchId, match.region, team, teams);
        if (!(await notifyConnection(deps, connectionOf.get(member.userId), event))) gone.add(member.userId);
      }),
  );
  await Promise.all(sends);
}

/** A fresh bootstrap token, stored as a hash before RunTask (the recorded one was never handed out). */
async function startServer(
  deps: LifecycleDeps,
  timings: GameServerTimings,
  match: MatchItem,
): Promise<StartOutcome> {
  const { token, hash } = newMatchToken();
  if (!(await deps.matches.replaceBootstrap(match.matchId, hash))) return 'done-before';
  const environment = gameServerEnvironment(match, token, timings);
  try {
    const taskArn = await deps.launcher.start({
      region: match.region,
      startedBy: match.matchId,
      environment,
    });
    await deps.matches.setTask(match.matchId, taskArn);
    logger.info('game server started', { matchId: match.matchId, region: match.region, taskArn });
    return 'started';
  } catch (error) {
    if (!(error instanceof GameServerLaunchError))
      logger.error('RunTask failed', { matchId: match.matchId, error });
    if (error instanceof GameServerLaunchError && error.kind === 'capacity') {
      logger.warn('no game-server capacity; backing off', { matchId: match.matchId, region: match.region });
      await cancelMatch(deps, match, `no game server capacity in ${match.region} right now`, new Set(), {
        capacity: true,
      });
    } else {
      await cancelMatch(deps, match, 'the game server could not be started', new Set(), {
        cause: 'launchFailed',
      });
    }
    return 'cancelled';
  }
}
