import { events } from '@matchmaking/core';
import type { MatchItem } from '../data/items.js';
import { ticketOf } from '../data/tickets-repository.js';
import { notifyConnection } from '../match/notify.js';
import type { AbandonReason } from '../metrics/metric-names.js';
import { createLogger } from '../runtime/logger.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

const logger = createLogger('abandon-match');

/**
 * A match whose server crashed or went silent after it was ready: it ends as
 * abandoned with no rating change, the task is stopped and the players are
 * freed and told. Safe to run again (counted once, by the run that made it abandoned).
 */
export async function abandonMatch(
  deps: LifecycleDeps,
  match: MatchItem,
  reason: string,
  cause: AbandonReason,
): Promise<void> {
  const now = deps.clock.now();
  const moved = await deps.matches.transition(match.matchId, {
    from: ['ready'],
    to: 'abandoned',
    now,
    set: { endReason: reason, endedAt: now },
  });
  if (!moved && (await deps.matches.get(match.matchId))?.state !== 'abandoned') return;
  // Published at once: a re-run after a crash below finds it abandoned and counts nothing.
  if (moved) {
    deps.metrics.matchAbandoned(cause);
    deps.metrics.flush();
  }
  logger.info('match abandoned', { matchId: match.matchId, reason });
  if (match.taskArn) {
    await deps.launcher.stop(match.region, match.taskArn, reason.slice(0, 255)).catch((error: unknown) => {
      logger.warn('could not stop the game server', { matchId: match.matchId, error });
    });
  }
  for (const member of [...match.home, ...match.away]) {
    const player = await deps.players.freeFromMatch(member.userId, match.matchId);
    if (player)
      await notifyConnection(deps, player.connectionId, events.matchAbandoned(match.matchId, reason));
  }
  for (const ticket of match.tickets)
    await deps.tickets.deleteClaimed(ticketOf(match, ticket), match.matchId);
}
