import { ErrorCode, events, MatchmakingError, type ServerEvent, type Team } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';
import { notifyConnection } from '../match/notify.js';
import type { RecordSettings } from '../match/record-match.js';
import type { MatchStartQueue } from '../ports.js';
import { createLogger } from '../runtime/logger.js';
import { type CancelDeps, cancelMatch } from './cancel-match.js';

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

/**
 * acceptMatch: the player's answer to a proposed match. Answers the caller
 * with the count accepted so far (undefined when everyone accepted: every
 * player, the caller too, was told before the match starts, so the count
 * always comes before MATCH FOUND). With `answerCaller` (the route's tagged
 * answer) the last accepter's count goes through it, so it carries the
 * request's id, still before the start.
 */
export async function answerMatch(
  deps: ReadyCheckDeps,
  settings: RecordSettings,
  userId: string,
  matchId: string,
  accept: boolean,
  answerCaller?: (event: ServerEvent) => Promise<void>,
): Promise<ServerEvent | undefined> {
  const match = await deps.matches.get(matchId);
  if (!match || !userIdsOf(match).includes(userId)) {
    throw new MatchmakingError(ErrorCode.NotFound, `you are not a player of match ${matchId}`);
  }
  if (!accept) return decline(deps, match, userId);
  if (match.state !== 'proposed') return finishAccepted(deps, settings, match, userId);
  const now = deps.clock.now();
  const accepted = await deps.matches.accept(matchId, userId, now);
  if (!accepted) {
    const current = (await deps.matches.get(matchId)) ?? match;
    if (current.state === 'proposed' && (current.deadlineAt ?? 0) < now) {
      throw new MatchmakingError(ErrorCode.Conflict, 'too late: the time to accept is over');
    }
    // Accepted already (a repeated message, maybe after a crash half-way): finish what is left.
    return finishAccepted(deps, settings, current, userId);
  }
  return afterAccept(deps, settings, accepted, userId, answerCaller);
}

/** Tells the count; the accept that completes the set tells everyone first, then starts the match. */
async function afterAccept(
  deps: ReadyCheckDeps,
  settings: RecordSettings,
  match: MatchItem,
  userId: string,
  answerCaller: ((event: ServerEvent) => Promise<void>) | undefined,
): Promise<ServerEvent | undefined> {
  const players = userIdsOf(match).length;
  const count = match.accepted?.length ?? 0;
  const progress = events.matchAccepted(match.matchId, count, players);
  if (count < players) {
    await tell(deps, match, progress, userId);
    return progress;
  }
  if (answerCaller) {
    await tell(deps, match, progress, userId);
    // Best effort, as tell: a caller gone since it asked must not stop the start.
    await answerCaller(progress).catch((error) => logger.warn('accept count not sent', { error }));
  } else await tell(deps, match, progress);
  await startAccepted(deps, settings, match);
  return undefined;
}

/**
 * A player who accepted asks again: the same count, and if everyone had
 * accepted, the start is (re)requested: a function that died between the
 * last accept and the start message cannot leave the match waiting (the
 * start queue's deduplication makes a repeat harmless).
 */
async function finishAccepted(
  deps: ReadyCheckDeps,
  settings: RecordSettings,
  match: MatchItem,
  userId: string,
): Promise<ServerEvent> {
  const accepted = match.accepted ?? [];
  const players = userIdsOf(match).length;
  if (!match.readyCheckSeconds || !accepted.includes(userId)) throw notAwaiting(match);
  if (match.state === 'proposed' && accepted.length === players) await startAccepted(deps, settings, match);
  else if (match.state === 'starting' && !match.taskArn && !match.serverId)
    await deps.starts.requestStarts([match.matchId], 'accepted');
  else if (match.state !== 'proposed') throw notAwaiting(match);
  return events.matchAccepted(match.matchId, accepted.length, players);
}

/** A decline: the match is dropped, or, if it was no longer waiting for answers, CONFLICT. */
async function decline(deps: ReadyCheckDeps, match: MatchItem, userId: string): Promise<ServerEvent> {
  if (match.state !== 'proposed') throw notAwaiting(match);
  // The answer tells the decliner (its ticket leaves the queue); the others hear it from the settling.
  const notAccepted = await declineMatch(deps, match, 'declined', userId);
  const current = await deps.matches.get(match.matchId);
  // Everyone accepted first, or the deadline came first: that outcome stands.
  if (current?.state !== 'declined' || current.declinedBy !== userId) {
    if (current?.state === 'declined')
      return events.matchDeclined(match.matchId, 'timeout', false, notAccepted);
    throw notAwaiting(current ?? match);
  }
  return events.matchDeclined(match.matchId, 'declined', false, notAccepted);
}

/** Everybody accepted: proposed -> starting (one writer wins), then the starter starts it as any match. */
export async function startAccepted(
  deps: Pick<ReadyCheckDeps, 'matches' | 'starts' | 'clock'>,
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
    // Its MATCH FOUND: the time to play (the metrics) starts here, not at the proposal.
    set: { acceptedAt: now },
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
  return cancelMatch(deps, match, words, told, { declined: { reason, ...(decliner ? { decliner } : {}) } });
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
  const reason = match.declinedBy ? 'declined' : 'timeout';
  const decliner = match.declinedBy ? { decliner: match.declinedBy } : {};
  await cancelMatch(deps, match, DECLINE_WORDS[reason], new Set(), { declined: { reason, ...decliner } });
}

/**
 * Proposed matches past their deadline (the tick): declined, the players who
 * had not accepted leaving the queue; one that everybody accepted (the last
 * accept's function died before the start) is started instead. Returns how
 * many were declined.
 */
export async function expireProposals(
  deps: CancelDeps & Pick<ReadyCheckDeps, 'starts'>,
  settings: RecordSettings,
  overdue: readonly MatchItem[],
): Promise<number> {
  let declined = 0;
  for (const listed of overdue) {
    // The index is eventually consistent: the accepted list is read again.
    const match = (await deps.matches.get(listed.matchId)) ?? listed;
    if (match.state !== 'proposed') continue;
    if ((match.accepted ?? []).length === userIdsOf(match).length) {
      await startAccepted(deps, settings, match);
      continue;
    }
    await declineMatch(deps, match, 'timeout');
    declined += 1;
  }
  return declined;
}

/**
 * Sends an event to the match's players (all but `except`) at their current
 * connections (a player may have reconnected since the ticket was made).
 * Best effort: a notice that cannot be sent never stops the ready check.
 */
async function tell(deps: CancelDeps, match: MatchItem, event: ServerEvent, except?: string): Promise<void> {
  const ids = userIdsOf(match).filter((id) => id !== except);
  await Promise.allSettled(
    ids.map(async (id) => notifyConnection(deps, (await deps.players.get(id))?.connectionId, event)),
  );
}

function notAwaiting(match: MatchItem): MatchmakingError {
  return new MatchmakingError(
    ErrorCode.Conflict,
    `match ${match.matchId} is not waiting for answers (it is ${match.state})`,
    { state: match.state },
  );
}
