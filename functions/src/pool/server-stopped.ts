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
  const was = await deps.servers.retire(serverId, task.reason, deps.clock.now());
  if (!was) return 'ignored';
  logger.info('warm server stopped', { serverId, state: was.state, reason: task.reason });
  if (was.state === 'idle' || was.state === 'draining') {
    await launchServers(deps, was.region, 1).catch((error: unknown) => {
      logger.warn('replacement not launched; the next keep will', { region: was.region, error });
    });
  }
  if (!was.matchId || (was.state !== 'assigned' && was.state !== 'busy')) return 'retired';
  if (await deps.matches.withdrawServer(was.matchId, serverId)) return 'withdrawn';
  const outcome = await taskStopped(deps, { ...task, matchId: was.matchId });
  return outcome === 'ignored' ? 'retired' : outcome;
}
