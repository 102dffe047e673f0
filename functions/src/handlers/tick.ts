import type { ScheduledEvent } from 'aws-lambda';
import { loadConfig } from '../env.js';
import { enforceDeadlines } from '../lifecycle/enforce-deadlines.js';
import { recoverStaleClaims } from '../lifecycle/recover-claims.js';
import { withMetrics } from '../metrics/with-metrics.js';
import { keepPools } from '../pool/keep-pool.js';
import { allPools } from '../queues/queue-config.js';
import { lazy } from '../runtime/lazy.js';
import { createLogger } from '../runtime/logger.js';
import { matchStartQueue, metrics, poolDeps, queueCatalog } from '../services.js';
import { lifecycleDeps, servedRegions } from './lifecycle-services.js';

const logger = createLogger('tick');
const deps = lazy(() => ({
  lifecycle: { ...lifecycleDeps(), starts: matchStartQueue() },
  settings: { readyTimeoutSeconds: loadConfig(['READY_TIMEOUT_SECONDS']).READY_TIMEOUT_SECONDS },
  pool: poolDeps(),
  regions: servedRegions(),
  catalog: queueCatalog(),
}));

/**
 * The periodic tick: ends matches past their deadlines, releases claims a
 * crashed pass left behind, keeps each region's warm pool, then asks each
 * queue for a pass over every region, so rating windows widen and tickets
 * past their queue's longest wait leave even when nobody joins. The
 * schedule's event id deduplicates a retried tick.
 */
export const handler = withMetrics(metrics, async (event: ScheduledEvent): Promise<void> => {
  const { lifecycle, settings, pool, regions, catalog } = deps();
  const ended = await enforceDeadlines(lifecycle, settings);
  if (ended.declined + ended.cancelled + ended.abandoned > 0) logger.info('deadlines enforced', ended);
  await recoverStaleClaims(lifecycle, allPools(catalog, regions));
  // A pool that cannot be kept now (ECS refusing, say) must not stop the pass below.
  await keepPools(pool, regions).catch((error: unknown) => logger.error('warm pool not kept', { error }));
  // One pass per queue: each runs in its own message group.
  for (const queue of catalog.queues.keys()) {
    await lifecycle.queue.requestPass(
      { reason: 'tick', queue, regions, requestedAt: lifecycle.clock.now() },
      `tick:${queue}:${event.id}`,
    );
  }
});
