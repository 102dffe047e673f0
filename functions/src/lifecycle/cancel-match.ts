import { events } from '@matchmaking/core';
import type { MatchItem, MatchTicketItem, PlayerItem, TicketItem } from '../data/items.js';
import { ticketOf } from '../data/tickets-repository.js';
import { notifyConnection } from '../match/notify.js';
import type { CancelReason } from '../metrics/metric-names.js';
import type { WaitingTicket } from '../ports.js';
import { createLogger } from '../runtime/logger.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

const logger = createLogger('cancel-match');

/**
 * A ticket whose matches failed this often on the platform's side (server
 * never ready, crashed before ready, could not start) leaves the queue: a
 * failing fleet must not loop players (and Fargate launches) forever.
 */
export const MAX_REQUEUES = 3;
/** Back-off of a ticket whose match found no game-server capacity: 2 s, 4 s, 8 s ... up to 60 s. */
export const CAPACITY_BACKOFF_MS = { first: 2_000, max: 60_000 };

/** What cancelling needs: the lifecycle's, and the launcher only for a match that has a task. */
export type CancelDeps = Omit<LifecycleDeps, 'launcher'> & Partial<Pick<LifecycleDeps, 'launcher'>>;

export interface CancelOptions {
  /** The fleet had no room (or ECS throttled): not the players' fault, not counted; tickets back off instead. */
  capacity?: boolean;
  /** A player was gone when the match was found: not a failed match of the fleet, not counted. */
  playerLeft?: boolean;
  /**
   * The ready check failed (a proposed match): a player declined or the
   * deadline passed. Tickets whose players all accepted go back with their
   * queue time; the others (and a decliner's, in `goneUserIds`) leave the
   * queue; everyone hears matchDeclined with how many did not accept. Not counted.
   */
  declined?: { reason: 'declined' | 'timeout'; decliner?: string };
  /**
   * Why, for the metrics, when none of the above says it: the server could
   * not be started, stopped before ready, or was not ready in time. A re-run
   * that finishes an earlier cancellation names none.
   */
  cause?: 'launchFailed' | 'serverStopped' | 'readyTimeout';
}

/** The metrics' reason for a cancellation (undefined: a re-run, which counts no new cancellation). */
function causeOf(options: CancelOptions): CancelReason | undefined {
  if (options.declined) return options.declined.reason === 'declined' ? 'declined' : 'acceptTimeout';
  if (options.capacity) return 'noCapacity';
  if (options.playerLeft) return 'playerLeft';
  return options.cause;
}

/**
 * A match whose server never became ready: it ends as cancelled, its task is
 * stopped, and every ticket whose players are all still connected goes back to
 * waiting with its original queue time (so it is served first); the others are
 * deleted and their players freed, and so is a ticket after MAX_REQUEUES
 * failed matches. Safe to run again: each step is conditional on this match,
 * so a re-run after a crash only finishes what is left. Players whose match
 * creation stopped before they were marked (still queued with the ticket) are
 * handled too.
 */
export async function cancelMatch(
  deps: CancelDeps,
  match: MatchItem,
  reason: string,
  goneUserIds: ReadonlySet<string> = new Set(),
  options: CancelOptions = {},
): Promise<number> {
  const now = deps.clock.now();
  const to = options.declined ? 'declined' : 'cancelled';
  const moved = await deps.matches.transition(match.matchId, {
    // A proposed match (the ready check) is cancelled too when a player is gone before it is proposed.
    from: options.declined ? ['proposed'] : ['starting', 'proposed'],
    to,
    now,
    set: { endReason: reason, endedAt: now, declinedBy: options.declined?.decliner },
  });
  const settled = moved ? undefined : await deps.matches.get(match.matchId);
  if (!moved && settled?.state !== to) return 0;
  const cause = causeOf(options);
  // Counted by the run that made the transition: a re-run finishes it, it is not another cancellation.
  // Published at once: were this run to die below, its re-run would find the match cancelled already.
  if (moved && cause) {
    deps.metrics.matchCancelled(cause);
    deps.metrics.flush();
  }
  // A re-run (the transition was made before) goes by the decliner the first run recorded.
  const decliner = moved ? options.declined?.decliner : settled?.declinedBy;
  const notAccepted = options.declined
    ? await notAcceptedBy(
        deps,
        settled ?? (await deps.matches.get(match.matchId)) ?? match,
        goneUserIds,
        decliner,
      )
    : new Set<string>();
  logger.info('match cancelled', { matchId: match.matchId, reason, capacity: options.capacity === true });
  if (match.taskArn) await stopQuietly(deps, match, reason);
  const requeued: TicketItem[] = [];
  for (const ticket of match.tickets) {
    const released = await settleTicket(deps, match, ticket, reason, goneUserIds, notAccepted, options);
    if (released) requeued.push(released);
  }
  // The pool learns the requeued tickets from the message. After a capacity failure they carry their
  // back-off, so this pass skips them and a later tick's pass takes them (no busy loop).
  if (requeued.length > 0) {
    // Each ticket is released by one run only (conditionally): a re-run's (a redelivered event, the
    // tick finishing a crashed run) are counted as recovered, whatever reason its caller names.
    deps.metrics.requeued(moved ? (cause ?? 'staleClaim') : 'staleClaim', requeued.length);
    deps.metrics.flush();
    await deps.queue.requestPass(
      {
        reason: 'requeued',
        queue: match.queue,
        // A ticket joined with latencies is stored in its best region, maybe not the match's.
        regions: [...new Set([match.region, ...requeued.map((ticket) => ticket.region)])],
        requestedAt: now,
        waiting: requeued as WaitingTicket[],
      },
      `requeued:${match.matchId}`,
    );
  }
  return notAccepted.size;
}

/**
 * The players of a declined match who keep it from being requeued: the
 * decliner, and those who were proposed the match (marked for it) but had
 * not accepted. `match` is read after the transition, so its accepted list is
 * final (an accept is conditional on `proposed`). A player never proposed it (the
 * starter never reached them) is not blamed: their ticket goes back.
 */
async function notAcceptedBy(
  deps: CancelDeps,
  match: MatchItem,
  goneUserIds: ReadonlySet<string>,
  decliner: string | undefined,
): Promise<Set<string>> {
  const accepted = new Set(match.accepted ?? []);
  const ids = [...match.home, ...match.away].map((p) => p.userId);
  const players = await Promise.all(ids.map((id) => deps.players.get(id)));
  return new Set(
    ids.filter(
      (id, i) =>
        id === decliner ||
        goneUserIds.has(id) ||
        (players[i]?.matchId === match.matchId && !accepted.has(id)),
    ),
  );
}

/** Puts one ticket of a cancelled match back in the queue, or drops it; tells its players. The ticket if requeued. */
async function settleTicket(
  deps: CancelDeps,
  match: MatchItem,
  ticket: MatchTicketItem,
  reason: string,
  goneUserIds: ReadonlySet<string>,
  notAccepted: ReadonlySet<string>,
  options: CancelOptions,
): Promise<TicketItem | undefined> {
  const now = deps.clock.now();
  const players = await Promise.all(ticket.userIds.map((userId) => deps.players.get(userId)));
  const inMatch = (player: PlayerItem) => player.matchId === match.matchId;
  const stillQueued = (player: PlayerItem) =>
    player.status === 'queued' && player.ticketId === ticket.ticketId;
  // A ticket goes back only if every player of it is connected and (a ready check) accepted.
  const connected = await Promise.all(
    players.map(async (player) =>
      player &&
      (inMatch(player) || stillQueued(player)) &&
      player.connectionId &&
      !goneUserIds.has(player.userId) &&
      !notAccepted.has(player.userId)
        ? (await deps.connections.get(player.connectionId)) !== undefined
        : false,
    ),
  );
  const counted = !options.capacity && !options.playerLeft && !options.declined;
  const failures = (ticket.failedMatches ?? 0) + (counted ? 1 : 0);
  const underCap = failures < MAX_REQUEUES;
  if (!underCap)
    logger.info('ticket dropped after repeated failed matches', { matchId: match.matchId, failures });
  // A party that changed during the match (someone left or was removed) does not queue as it was.
  const partyWhole = !ticket.partyId || players.every((player) => player?.partyId === ticket.partyId);
  const released =
    connected.every(Boolean) && underCap && partyWhole
      ? await deps.tickets.release(ticketOf(match, ticket), match.matchId, {
          failed: counted,
          now,
          ...(options.capacity ? { retryAt: now + capacityBackoff(ticket) } : {}),
        })
      : undefined;
  const requeue = released !== undefined;
  // Only the run that deleted this match's claim may take still-queued players out: on a re-run the
  // ticket may already be waiting again (released by the first run) with its players rightly queued.
  const deleted = !requeue && (await deps.tickets.deleteClaimed(ticketOf(match, ticket), match.matchId));
  for (const player of players) {
    if (!player) continue;
    const changed = inMatch(player)
      ? requeue
        ? await deps.players.requeue(player.userId, match.matchId, ticket.ticketId)
        : await deps.players.freeFromMatch(player.userId, match.matchId)
      : deleted && stillQueued(player)
        ? await deps.players.leaveQueue(player.userId, ticket.ticketId)
        : undefined;
    if (changed && !goneUserIds.has(player.userId)) {
      const { declined } = options;
      const notice = declined
        ? events.matchDeclined(match.matchId, declined.reason, requeue, notAccepted.size)
        : events.matchCancelled(match.matchId, reason, requeue);
      await notifyConnection(deps, player.connectionId, notice);
    }
  }
  return released;
}

/** 2 s doubled for each earlier capacity failure of this ticket (releases that were not counted failures). */
function capacityBackoff(ticket: MatchTicketItem): number {
  const capacityFailures = Math.max(0, (ticket.attempts ?? 0) - (ticket.failedMatches ?? 0));
  return Math.min(CAPACITY_BACKOFF_MS.max, CAPACITY_BACKOFF_MS.first * 2 ** Math.min(capacityFailures, 10));
}

async function stopQuietly(deps: CancelDeps, match: MatchItem, reason: string): Promise<void> {
  // Only a starting match has a task, and whoever cancels one has the launcher (a declined proposal has none).
  if (!deps.launcher)
    throw new Error(`match ${match.matchId} has a task, and no launcher was given to stop it`);
  try {
    await deps.launcher.stop(match.region, match.taskArn as string, reason.slice(0, 255));
  } catch (error) {
    // A task that is already gone is what we want; anything else is logged and left to ECS.
    logger.warn('could not stop the game server', { matchId: match.matchId, taskArn: match.taskArn, error });
  }
}
