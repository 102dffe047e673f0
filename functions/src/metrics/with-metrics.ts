import type { PublishingMetrics } from './powertools-metrics.js';

/**
 * A handler that publishes its invocation's metrics when it ends, however it
 * ends (what Powertools' logMetrics middleware does, without middy): the
 * handler's own shape (route, SQS batch, callback) is kept.
 */
export function withMetrics<A extends unknown[], R>(
  metrics: () => PublishingMetrics,
  handler: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } finally {
      metrics().publish();
    }
  };
}
