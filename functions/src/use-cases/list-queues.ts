import type { ServerEvent } from '@matchmaking/core';
import type { QueueStatsRepository } from '../data/queue-stats-repository.js';
import type { Clock } from '../ports.js';
import { allPools } from '../queues/queue-config.js';
import { queueStats } from '../queues/queue-stats.js';
import { type QueueingSettings, queueNamed } from './join-queue.js';

/** listQueues: every queue with its team size and the players waiting in each region (one BatchGetItem). */
export async function listQueues(
  deps: { stats: Pick<QueueStatsRepository, 'playersWaiting'> },
  settings: QueueingSettings,
): Promise<ServerEvent> {
  const { catalog, regions } = settings;
  const pools = allPools(catalog, regions);
  const counts = await deps.stats.playersWaiting(pools);
  const queues = [...catalog.queues.values()].map((queue) => ({
    name: queue.name,
    teamSize: queue.teamSize,
    maxWaitSeconds: queue.maxWaitSeconds,
    partyRating: queue.matching.partyRating ?? 'mean',
    playersWaiting: Object.fromEntries(
      pools.flatMap((pool, i) => (pool.queue === queue.name ? [[pool.region, counts[i] ?? 0]] : [])),
    ),
  }));
  return {
    type: 'queues',
    message: queues.map((q) => `${q.name} (${q.teamSize}v${q.teamSize})`).join(', '),
    defaultQueue: catalog.defaultQueue,
    queues,
  };
}

/** getQueueStats: one queue's players waiting, matches and time to match per region. */
export async function getQueueStats(
  deps: { stats: Pick<QueueStatsRepository, 'read'>; clock: Clock },
  settings: QueueingSettings,
  name: string | undefined,
): Promise<ServerEvent> {
  const queue = queueNamed(settings.catalog, name);
  const stats = await queueStats(deps.stats, queue, settings.regions, deps.clock.now());
  const waiting = Object.values(stats.regions).reduce((sum, region) => sum + region.playersWaiting, 0);
  return {
    type: 'queueStats',
    message: `${queue.name}: ${waiting} waiting`,
    ...stats,
  };
}
