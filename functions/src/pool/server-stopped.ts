import type { ServerItem } from '../data/items.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import { type StoppedTask, taskStopped } from '../lifecycle/task-stopped.js';
import { createLogger } from '../runtime/logger.js';
import { launchServers } from './launch-servers.js';
import type { PoolDeps } from './pool-deps.js';

const logger = createLogger('server-stopped');

export type ServerStoppedOutcome = 'retired' | 'withdrawn' | 'cancelled' | 'abandoned' | 'ignored';

/**
 * A warm-pool server's task stopped. The server leaves the pool. A match it
 * had not taken yet is withdrawn from it (the starter gives it to another
 * server); a match it took ends as any match whose server stopped
 * (cancelled before ready, abandoned after). A registered spare that died (a
 * Spot interruption, a crash while idle) is replaced at once; one that never
 * registered is left to the tick, so a crashing image cannot loop launches.
 */
export async function serverStopped(
  deps: LifecycleDeps & PoolDeps,
  serverId: string,
  task: Omit<StoppedTask, 'matchId'>,
): Promise<ServerStoppedOutcome> {
  const now = deps.clock.now();
  const was = await deps.servers.retire(serverId, task.reason, now);
  if (!was) return 'ignored';
  logger.info('warm server stopped', { serverId, state: was.state, reason: task.reason });
  if (replaceAtOnce(was, now)) {
    await launchServers(deps, was.region, 1).catch((error: unknown) => {
      logger.warn('replacement not launched; the next keep will', { region: was.region, error });
    });
  }
  // A draining server may hold a match too: it took one just as it was told to stop.
  if (!was.matchId || !['assigned', 'busy', 'draining'].includes(was.state)) return 'retired';
  if (await deps.matches.withdrawServer(was.matchId, serverId)) return 'withdrawn';
  // Only a match that is still this server's ends with it: one withdrawn from it already (the
  // starter gave up on it) has moved on to another server or a cold start.
  const match = await deps.matches.get(was.matchId);
  if (match?.serverId !== serverId) return 'retired';
  const outcome = await taskStopped(deps, { ...task, matchId: was.matchId });
  return outcome === 'ignored' ? 'retired' : outcome;
}

/** Spares that stayed up a while before they died, or left in order (SIGTERM, e.g. Spot). */
export const REPLACE_AT_ONCE_AFTER_MS = 60_000;

/**
 * A spare is replaced at once when it deregistered (an orderly stop: a Spot
 * reclaim) or had been registered for a minute; one that died sooner is left
 * to the tick's keep, so an image that crashes after registering cannot loop launches.
 */
function replaceAtOnce(server: ServerItem, now: number): boolean {
  if (server.state === 'draining') return true;
  return server.state === 'idle' && now - (server.registeredAt ?? now) >= REPLACE_AT_ONCE_AFTER_MS;
}
