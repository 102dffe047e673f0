import { events } from '@matchmaking/core';
import { createLogger } from '../runtime/logger.js';
import type { Deps } from './deps.js';

const logger = createLogger('connect-player');

/**
 * $connect: records the connection and makes it the player's only one: the
 * newest connection wins, and the one it replaces is told why and closed (so
 * no tab is left open that silently misses the match's events). A new player
 * starts at 1500/350/0.06. A player who is in a match gets its state at once:
 * API Gateway lets nobody post to a connection before $connect returns, so
 * this asks the matchmaking queue, whose consumer sends it.
 */
export async function connectPlayer(
  deps: Pick<Deps, 'connections' | 'players' | 'queue' | 'clock' | 'notifier'>,
  userId: string,
  connectionId: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.connections.put(connectionId, userId, now);
  const { player, replaced } = await deps.players.connect(userId, connectionId, now);
  if (replaced) await closeReplaced(deps, replaced);
  if ((player.status === 'matched' || player.status === 'in_match') && player.region && player.queue) {
    await deps.queue.requestPass(
      {
        reason: 'reconnected',
        queue: player.queue,
        regions: [player.region],
        userIds: [userId],
        requestedAt: now,
      },
      `reconnected:${connectionId}`,
    );
  }
}

/**
 * The older connection hears why, then is closed; its $disconnect finds it is
 * no longer the player's and changes nothing. Best effort: the new connection
 * is already the player's, and a failure here must not refuse it.
 */
async function closeReplaced(
  deps: Pick<Deps, 'connections' | 'notifier'>,
  connectionId: string,
): Promise<void> {
  try {
    const outcome = await deps.notifier.send(connectionId, events.connectionReplaced());
    if (outcome === 'sent') await deps.notifier.close(connectionId);
    else await deps.connections.delete(connectionId);
  } catch (error) {
    logger.warn('could not close the replaced connection', { connectionId, error });
  }
}
