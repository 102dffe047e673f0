import type { ServerEvent } from '@matchmaking/core';
import type { Deps } from '../use-cases/deps.js';

/**
 * Sends an event to a player's connection; a connection found gone (410) is
 * deleted at once so nothing waits on it. Returns whether it was delivered.
 */
export async function notifyConnection(
  deps: Pick<Deps, 'notifier' | 'connections'>,
  connectionId: string | undefined,
  event: ServerEvent,
): Promise<boolean> {
  if (!connectionId) return false;
  const outcome = await deps.notifier.send(connectionId, event);
  if (outcome === 'gone') await deps.connections.delete(connectionId);
  return outcome === 'sent';
}
