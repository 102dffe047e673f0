import type { ServerItem } from '../data/items.js';
import { createLogger } from '../runtime/logger.js';
import { launchServers } from './launch-servers.js';
import { poolOf, poolTarget } from './pool-config.js';
import { type PoolDeps, silentSince } from './pool-deps.js';

const logger = createLogger('keep-pool');

/**
 * Launches per keep and region at most: ECS starts about 20 tasks per second
 * per region (RunTask throttling), and the tick must stay well under its
 * timeout; a bigger gap is closed over the next ticks.
 */
export const MAX_LAUNCHES_PER_KEEP = 20;

export interface KeepReport {
  region: string;
  spare: number;
  target: number;
  launched: number;
  stopped: number;
}

/**
 * The tick's reconciliation of each region's buffer: spare servers that went
 * silent (no heartbeat for three beats) or never registered are retired and
 * stopped, the buffer is refilled to its target (idle, raised with demand up
 * to max) and trimmed when above it (idle servers only). Reads only the
 * spare index, never the servers in matches.
 */
export async function keepPools(deps: PoolDeps, regions: readonly string[]): Promise<KeepReport[]> {
  return Promise.all(regions.map((region) => keepPool(deps, region)));
}

async function keepPool(deps: PoolDeps, region: string): Promise<KeepReport> {
  const now = deps.clock.now();
  const pool = poolOf(deps.settings.pool, region);
  const spares = await deps.servers.listSpare(region);
  const dead = spares.filter((server) => deadReason(deps, server, now) !== undefined);
  let stopped = 0;
  for (const server of dead)
    stopped += await retireAndStop(deps, server, deadReason(deps, server, now) ?? '');
  const live = spares.filter((server) => !dead.includes(server));
  // Only where a pool is configured: a region without one has nothing to watch (and no alarm).
  if (pool.max > 0)
    deps.metrics.warmServersIdle(region, live.filter((server) => server.state === 'idle').length);
  const taken = pool.max > 0 ? await deps.demand.takenLastMinute(region, now) : 0;
  const target = poolTarget(pool, taken, deps.settings.pool.leadSeconds);
  // Servers of an earlier deploy (another task definition: its image) are replaced: new ones are
  // launched as if they were not there, and each gives way once a current one is idle to take its place.
  const current = deps.launcher.taskDefinitionOf(region);
  const fresh = live.filter((server) => server.taskDefinition === current);
  const outdated = live.filter((server) => server.taskDefinition !== current && server.state === 'idle');
  let launched = 0;
  let trimmed = 0;
  if (fresh.length < target) {
    launched = await launchServers(deps, region, Math.min(target - fresh.length, MAX_LAUNCHES_PER_KEEP));
  } else if (fresh.length > target) {
    const excess = fresh.filter((server) => server.state === 'idle').slice(0, fresh.length - target);
    for (const server of excess) trimmed += await retireAndStop(deps, server, 'the pool is above its target');
    stopped += trimmed;
  }
  // Counted after the trim: an old server gives way only to a current one still idle.
  const freshIdle = fresh.filter((server) => server.state === 'idle').length - trimmed;
  const replaced = outdated.slice(0, Math.max(0, freshIdle + outdated.length - target));
  for (const server of replaced)
    stopped += await retireAndStop(
      deps,
      server,
      `an earlier deploy's image (task definition ${current} replaces it)`,
    );
  const report = { region, spare: live.length, target, launched, stopped };
  if (launched + stopped > 0) logger.info('warm pool kept', report);
  return report;
}

function deadReason(deps: PoolDeps, server: ServerItem, now: number): string | undefined {
  const registerBy = now - deps.settings.registerSeconds * 1000;
  if (server.state === 'idle' && (server.heartbeatAt ?? 0) < silentSince(deps.settings, now))
    return 'silent: no heartbeat for three beats';
  if (server.state === 'launching' && server.launchedAt < registerBy)
    return `did not register within ${deps.settings.registerSeconds} s`;
  // Its launcher died between RunTask and recording the task: never assignable, so not a spare.
  if (server.state === 'idle' && server.taskArn === undefined && server.launchedAt < registerBy)
    return 'its task was never recorded';
  return undefined;
}

/** Retires a spare server (only from the state it was read in) and stops its task. 1 if it was retired. */
async function retireAndStop(deps: PoolDeps, server: ServerItem, reason: string): Promise<number> {
  // Only from the state it was read in, and, for a silent one, only if it is still silent (the
  // index read may be a beat behind).
  const retired = await deps.servers.retire(server.serverId, reason, deps.clock.now(), {
    from: [server.state],
    ...(server.state === 'idle' ? { heartbeatBefore: server.heartbeatAt ?? 0 } : {}),
  });
  if (!retired) return 0;
  logger.info('warm server retired', { serverId: server.serverId, region: server.region, reason });
  if (retired.taskArn) {
    await deps.launcher.stop(server.region, retired.taskArn, reason).catch((error: unknown) => {
      logger.warn('could not stop a retired warm server', { serverId: server.serverId, error });
    });
  }
  return 1;
}
