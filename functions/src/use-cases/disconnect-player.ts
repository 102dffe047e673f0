import type { Deps } from './deps.js';

/**
 * $disconnect: forgets the connection; a player who was waiting loses the
 * ticket (a match already claimed it otherwise, and the match deals with it).
 * An older connection of the same player closing changes nothing.
 */
export async function disconnectPlayer(
  deps: Pick<Deps, 'connections' | 'players' | 'tickets' | 'queue' | 'clock'>,
  connectionId: string,
): Promise<void> {
  const connection = await deps.connections.get(connectionId);
  if (!connection) return;
  await deps.connections.delete(connectionId);
  const player = await deps.players.get(connection.userId);
  if (!player || player.connectionId !== connectionId) return;
  await deps.players.forgetConnection(player.userId, connectionId);
  if (player.status !== 'queued' || !player.ticketId || !player.region) return;
  const deleted = await deps.tickets.deleteWaiting(player.region, player.ticketId);
  if (deleted) await deps.players.leaveQueue(player.userId, player.ticketId);
}
