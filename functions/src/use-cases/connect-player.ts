import type { Deps } from './deps.js';

/**
 * $connect: records the connection and makes it the player's newest (a new
 * player starts at 1500/350/0.06). A player who is in a match gets its state
 * at once: API Gateway lets nobody post to a connection before $connect
 * returns, so this asks the matchmaking queue, whose consumer sends it.
 */
export async function connectPlayer(
  deps: Pick<Deps, 'connections' | 'players' | 'queue' | 'clock'>,
  userId: string,
  connectionId: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.connections.put(connectionId, userId, now);
  const player = await deps.players.connect(userId, connectionId, now);
  if ((player.status === 'matched' || player.status === 'in_match') && player.region) {
    await deps.queue.requestPass(
      { reason: 'reconnected', regions: [player.region], userIds: [userId], requestedAt: now },
      `reconnected:${connectionId}`,
    );
  }
}
