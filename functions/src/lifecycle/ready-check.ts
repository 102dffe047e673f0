import { ErrorCode, events, MatchmakingError, type ServerEvent, type Team } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';
import { notifyConnection } from '../match/notify.js';
import type { RecordSettings } from '../match/record-match.js';
import type { MatchStartQueue } from '../ports.js';
import { createLogger } from '../runtime/logger.js';
import { type CancelDeps, cancelMatch } from './cancel-match.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

const logger = createLogger('ready-check');

/**
 * The ready check (a queue's `readyCheckSeconds`): a formed match is first
 * `proposed`; the match starter marks its players and sends each
 * `matchProposed`, and nothing is started (no RunTask, no warm server) until
 * every player accepted. Every step is a conditional write on the match:
 * - an accept is recorded once per player, only while proposed and before
 *   the deadline; the accept that completes the set moves the match to
 *   starting and asks the starter to start it (MATCH FOUND, then a server);
 * - a decline, or the deadline (the tick), moves it to declined: tickets
 *   whose players all accepted go back to the queue with their original queue
 *   time, the others leave it, and everyone hears `matchDeclined` with how
 *   many did not accept, not who (see the README).
 */
export type ReadyCheckDeps = CancelDeps & { starts: MatchStartQueue };

export function userIdsOf(match: MatchItem): string[] {
  return [...match.home, ...match.away].map((player) => player.userId);
}

/** `matchProposed` for each player of a proposed match (the match starter sends them). */
export function proposals(match: MatchItem): Map<string, ServerEvent> {
  const teams: Record<Team, string[]> = {
    home: match.home.map((p) => p.userId),
    away: match.away.map((p) => p.userId),
  };
  const seconds = match.readyCheckSeconds ?? 0;
  const deadline = match.deadlineAt ?? match.createdAt + seconds * 1000;
  const proposal = { matchId: match.matchId, queue: match.queue, region: match.region, teams };
  return new Map(
    (['home', 'away'] as const).flatMap((team) =>
      match[team].map((p) => [p.userId, events.matchProposed(proposal, team, deadline, seconds)] as const),
    ),
  );
}

/** acceptMatch: the player's answer to a proposed match. Answers the caller with the count accepted so far. */
export async function answerMatch(
  deps: ReadyCheckDeps,
  settings: RecordSettings,
  userId: string,
  matchId: string,
  accept: boolean,
): Promise<ServerEvent> {
  const match = await deps.matches.get(matchId);
  if (!match || !userIdsOf(match).includes(userId)) {
    throw new MatchmakingError(ErrorCode.NotFound, `you are not a player of match ${matchId}`);
  }
  const players = userIdsOf(match).length;
  if (match.state !== 'proposed') throw notAwaiting(match);
  if (!accept) {
    // The answer tells the decliner (its ticket leaves the queue); the others hear it from the settling.
    const notAccepted = await declineMatch(deps, match, 'declined', userId);
    return events.matchDeclined(matchId, 'declined', false, notAccepted);
  }
  const now = deps.clock.now();
  const accepted = await deps.matches.accept(matchId, userId, now);
  if (!accepted) {
    const current = (await deps.matches.get(matchId)) ?? match;
    if (current.state === 'proposed' && (current.deadlineAt ?? 0) < now) {
      throw new MatchmakingError(ErrorCode.Conflict, 'too late: the time to accept is over');
    }
    if (current.state !== 'proposed') throw notAwaiting(current);
    // Accepted already (a repeated message): the same answer again.
    return events.matchAccepted(matchId, current.accepted?.length ?? 0, players);
  }
  const count = accepted.accepted?.length ?? 0;
  const progress = events.matchAccepted(matchId, count, players);
  // The others hear the count before the starter's MATCH FOUND can reach them.
  await tellOthers(deps, accepted, userId, progress);
  if (count === players) await startAccepted(deps, settings, accepted);
  return progress;
}

/** Everybody accepted: proposed -> starting (one writer wins), then the starter starts it as any match. */
async function startAccepted(
  deps: ReadyCheckDeps,
  settings: RecordSettings,
  match: MatchItem,
): Promise<void> {
  const now = deps.clock.now();
  const moved = await deps.matches.transition(match.matchId, {
    from: ['proposed'],
    to: 'starting',
    now,
    // The server's own ready deadline starts now, as for a match without a ready check.
    deadlineAt: now + settings.readyTimeoutSeconds * 1000,
  });
  if (!moved) return;
  logger.info('every player accepted', { matchId: match.matchId });
  await deps.starts.requestStarts([match.matchId], 'accepted');
}

/**
 * A decline or the deadline: proposed -> declined (one writer wins); the
 * tickets whose players all accepted are requeued, the others leave.
 */
export async function declineMatch(
  deps: CancelDeps,
  match: MatchItem,
  reason: 'declined' | 'timeout',
  decliner?: string,
): Promise<number> {
  const words = DECLINE_WORDS[reason];
  // The decliner leaves the queue, whatever they answered before, and hears it in the answer.
  const told = new Set(decliner ? [decliner] : []);
  return cancelMatch(deps, match, words, told, { declined: { reason } });
}

const DECLINE_WORDS = {
  declined: 'a player declined the match',
  timeout: 'not every player accepted in time',
} as const;

/**
 * Finishes settling a declined match whose settling stopped half-way (a
 * crashed function; the stale-claim sweep finds its tickets): every step is
 * conditional, so what was done stays done.
 */
export async function finishDecline(deps: CancelDeps, match: MatchItem): Promise<void> {
  const reason = match.endReason === DECLINE_WORDS.declined ? 'declined' : 'timeout';
  await cancelMatch(deps, match, DECLINE_WORDS[reason], new Set(), { declined: { reason } });
}

/** Proposed matches past their deadline (the tick): the players who had not accepted leave the queue. */
export async function expireProposals(deps: LifecycleDeps, overdue: readonly MatchItem[]): Promise<void> {
  for (const listed of overdue) {
    // The index is eventually consistent: the accepted list is read again.
    const match = (await deps.matches.get(listed.matchId)) ?? listed;
    if (match.state !== 'proposed') continue;
    await declineMatch(deps, match, 'timeout');
  }
}

async function tellOthers(
  deps: CancelDeps,
  match: MatchItem,
  userId: string,
  event: ServerEvent,
): Promise<void> {
  const others = [...match.home, ...match.away].filter((p) => p.userId !== userId);
  await Promise.all(others.map((p) => notifyConnection(deps, p.connectionId, event)));
}

function notAwaiting(match: MatchItem): MatchmakingError {
  return new MatchmakingError(
    ErrorCode.Conflict,
    `match ${match.matchId} is not waiting for answers (it is ${match.state})`,
    { state: match.state },
  );
}
