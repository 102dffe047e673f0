import type { Deps } from './deps.js';

/** $connect: records the connection and makes it the player's newest (a new player starts at 1500/350/0.06). */
export async function connectPlayer(
  deps: Pick<Deps, 'connections' | 'players' | 'clock'>,
  userId: string,
  connectionId: string,
): Promise<void> {
  const now = deps.clock.now();
  await deps.connections.put(connectionId, userId, now);
  await deps.players.connect(userId, connectionId, now);
}
