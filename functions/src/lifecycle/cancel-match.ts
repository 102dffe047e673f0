import { events } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';
import { notifyConnection } from '../match/notify.js';
import { createLogger } from '../runtime/logger.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

const logger = createLogger('cancel-match');

/** A ticket whose matches failed this often leaves the queue: a failing fleet must not loop players forever. */
export const MAX_REQUEUES = 3;

/**
 * A match whose server never became ready: it ends as cancelled, its task is
 * stopped, and every ticket whose players are all still connected goes back to
 * waiting with its original queue time (so it is served first); the others are
 * deleted and their players freed (also after MAX_REQUEUES failed matches). Safe to run again: each step is conditional
 * on this match, so a re-run after a crash only finishes what is left.
 */
export async function cancelMatch(
  deps: LifecycleDeps,
  match: MatchItem,
  reason: string,
  goneUserIds: ReadonlySet<string> = new Set(),
): Promise<void> {
  const now = deps.clock.now();
  const moved = await deps.matches.transition(match.matchId, {
    from: ['starting'],
    to: 'cancelled',
    now,
    set: { endReason: reason, endedAt: now },
  });
  if (!moved && (await deps.matches.get(match.matchId))?.state !== 'cancelled') return;
  logger.info('match cancelled', { matchId: match.matchId, reason });
  if (match.taskArn) await stopQuietly(deps, match, reason);
  let requeued = 0;
  for (const ticket of match.tickets) {
    const players = await Promise.all(ticket.userIds.map((userId) => deps.players.get(userId)));
    const connected = await Promise.all(
      players.map(async (player) =>
        player?.matchId === match.matchId && player.connectionId && !goneUserIds.has(player.userId)
          ? (await deps.connections.get(player.connectionId)) !== undefined
          : false,
      ),
    );
    const requeue =
      connected.every(Boolean) && (await deps.tickets.release(match.region, ticket.ticketId, match.matchId));
    if (!requeue) await deps.tickets.deleteClaimed(match.region, ticket.ticketId, match.matchId);
    for (const player of players) {
      if (!player) continue;
      const changed = requeue
        ? await deps.players.requeue(player.userId, match.matchId, ticket.ticketId)
        : await deps.players.freeFromMatch(player.userId, match.matchId);
      if (changed && !goneUserIds.has(player.userId)) {
        await notifyConnection(
          deps,
          player.connectionId,
          events.matchCancelled(match.matchId, reason, requeue),
        );
      }
    }
    if (requeue) requeued += 1;
  }
  if (requeued > 0) {
    await deps.queue.requestPass(
      { reason: 'requeued', regions: [match.region], requestedAt: now },
      `requeued:${match.matchId}`,
    );
  }
}

async function stopQuietly(deps: LifecycleDeps, match: MatchItem, reason: string): Promise<void> {
  try {
    await deps.launcher.stop(match.region, match.taskArn as string, reason.slice(0, 255));
  } catch (error) {
    // A task that is already gone is what we want; anything else is logged and left to ECS.
    logger.warn('could not stop the game server', { matchId: match.matchId, taskArn: match.taskArn, error });
  }
}
