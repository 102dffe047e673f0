import { events, type FormedMatch } from '@matchmaking/core';
import { GameServerLaunchError } from '../aws/game-servers.js';
import type { MatchItem, MatchPlayerItem, PlayerItem, TicketItem } from '../data/items.js';
import { cancelMatch } from '../lifecycle/cancel-match.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import { createLogger } from '../runtime/logger.js';
import { type GameServerTimings, gameServerEnvironment } from './game-server-environment.js';
import { matchIdFor, newJoinKey, newMatchToken } from './match-token.js';
import { notifyConnection } from './notify.js';

const logger = createLogger('create-match');

export interface MatchSettings extends GameServerTimings {
  readyTimeoutSeconds: number;
}

export type CreateOutcome = 'started' | 'conflict' | 'cancelled' | 'done-before';

/**
 * Turns a match the matcher formed into a real one, in an order that a crash
 * at any point and a re-run (same tickets -> same match id) finish or undo:
 * claim every ticket -> store the match -> mark the players -> MATCH FOUND ->
 * start the game server. A failed claim releases the others (they stay queued);
 * a player found gone (410) or a server that cannot start cancels the match and
 * puts everyone still connected back in the queue.
 */
export async function createMatch(
  deps: LifecycleDeps,
  settings: MatchSettings,
  formed: FormedMatch,
  items: ReadonlyMap<string, TicketItem>,
): Promise<CreateOutcome> {
  const tickets = [...formed.home, ...formed.away].map((t) => items.get(t.ticketId) as TicketItem);
  const matchId = matchIdFor(tickets);
  const existing = await deps.matches.get(matchId);
  if (existing && (existing.state !== 'starting' || existing.taskArn)) return 'done-before';
  if (!(await claimAll(deps, tickets, matchId))) return 'conflict';
  const players = await Promise.all(tickets.flatMap((t) => t.players).map((p) => deps.players.get(p.userId)));
  const { token, hash } = newMatchToken();
  const match = existing ?? buildMatch(formed, tickets, players, matchId, hash, deps.clock.now(), settings);
  if (existing) await deps.matches.replaceBootstrap(matchId, hash);
  else if (!(await deps.matches.create(match))) return 'done-before';
  const gone = new Set<string>();
  const members = tickets.flatMap((ticket) => ticket.players.map((member) => ({ ticket, member })));
  const marked = await Promise.all(
    members.map(({ ticket, member }) => deps.players.markMatched(member.userId, ticket.ticketId, matchId)),
  );
  members.forEach(({ member }, i) => {
    if (!marked[i]) gone.add(member.userId);
  });
  await announce(deps, match, players, gone);
  if (gone.size > 0) {
    await cancelMatch(deps, match, 'a player left before the match could start', gone);
    return 'cancelled';
  }
  return startServer(deps, settings, match, token);
}

/** Claims every ticket (in parallel); if any claim fails, the ones that succeeded are released. */
async function claimAll(
  deps: LifecycleDeps,
  tickets: readonly TicketItem[],
  matchId: string,
): Promise<boolean> {
  const now = deps.clock.now();
  const claimed = await Promise.all(
    tickets.map((t) => deps.tickets.claim(t.region, t.ticketId, matchId, now)),
  );
  if (claimed.every(Boolean)) return true;
  await Promise.all(
    tickets.filter((_, i) => claimed[i]).map((t) => deps.tickets.release(t.region, t.ticketId, matchId)),
  );
  logger.info('claim lost, match skipped', { matchId });
  return false;
}

async function announce(
  deps: LifecycleDeps,
  match: MatchItem,
  players: readonly (PlayerItem | undefined)[],
  gone: Set<string>,
): Promise<void> {
  const teams = { home: match.home.map((p) => p.userId), away: match.away.map((p) => p.userId) };
  const connectionOf = new Map(players.map((p) => [p?.userId, p?.connectionId]));
  const sends = (['home', 'away'] as const).flatMap((team) =>
    match[team]
      .filter((member) => !gone.has(member.userId))
      .map(async (member) => {
        const connectionId = connectionOf.get(member.userId) ?? member.connectionId;
        const event = events.matchFound(match.matchId, match.region, team, teams);
        if (!(await notifyConnection(deps, connectionId, event))) gone.add(member.userId);
      }),
  );
  await Promise.all(sends);
}

async function startServer(
  deps: LifecycleDeps,
  settings: MatchSettings,
  match: MatchItem,
  token: string,
): Promise<CreateOutcome> {
  const environment = gameServerEnvironment(match, token, settings);
  try {
    const taskArn = await deps.launcher.start({ region: match.region, matchId: match.matchId, environment });
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
      await cancelMatch(deps, match, 'the game server could not be started');
    }
    return 'cancelled';
  }
}

function buildMatch(
  formed: FormedMatch,
  tickets: readonly TicketItem[],
  players: readonly (PlayerItem | undefined)[],
  matchId: string,
  bootstrapHash: string,
  now: number,
  settings: MatchSettings,
): MatchItem {
  const byUser = new Map(players.filter((p) => p !== undefined).map((p) => [p.userId, p]));
  const member = (ticketPlayer: TicketItem['players'][number]): MatchPlayerItem => {
    const player = byUser.get(ticketPlayer.userId);
    return {
      userId: ticketPlayer.userId,
      connectionId: player?.connectionId ?? ticketPlayer.connectionId,
      rating: player?.rating ?? ticketPlayer.rating,
      rd: player?.rd ?? ticketPlayer.rd,
      vol: player?.vol ?? 0.06,
      joinKey: newJoinKey(),
    };
  };
  const itemsOf = (team: FormedMatch['home']) =>
    team.flatMap((t) => tickets.find((item) => item.ticketId === t.ticketId)?.players ?? []).map(member);
  return {
    matchId,
    region: formed.region,
    state: 'starting',
    home: itemsOf(formed.home),
    away: itemsOf(formed.away),
    tickets: tickets.map((t) => ({
      ticketId: t.ticketId,
      enqueuedAt: t.enqueuedAt,
      userIds: t.players.map((p) => p.userId),
      attempts: t.attempts ?? 0,
      failedMatches: t.failedMatches ?? 0,
    })),
    bootstrapHash,
    createdAt: now,
    deadlineState: 'starting',
    deadlineAt: now + settings.readyTimeoutSeconds * 1000,
  };
}
