import { withMetrics } from '../metrics/with-metrics.js';
import { lazy } from '../runtime/lazy.js';
import { metrics, queueingDeps } from '../services.js';
import { joinQueue } from '../use-cases/join-queue.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => queueingDeps());

/** {"action":"joinQueue","queue":"squad","region":"eu-west-1"} or {..., "latencies":{"eu-west-1":38}} (all optional) */
export const handler = withMetrics(
  metrics,
  actionRoute('joinQueue', deps, (caller, message) =>
    joinQueue(deps(), deps(), {
      ...caller,
      queue: message.queue,
      region: message.region,
      latencies: message.latencies,
    }),
  ),
);
