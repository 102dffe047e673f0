import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { startMatch } from '../match/start-match.js';
import { withMetrics } from '../metrics/with-metrics.js';
import { safeJson } from '../runtime/json.js';
import { lazy } from '../runtime/lazy.js';
import { createLogger } from '../runtime/logger.js';
import { gameServerTimings, metrics, poolDeps, recordRetry } from '../services.js';
import { failedBatch } from './adapters/sqs.js';
import { lifecycleDeps } from './lifecycle-services.js';

const logger = createLogger('match-starter');
const startRequestSchema = z.strictObject({ matchId: z.string().min(1).max(64) });
const deps = lazy(() => ({
  lifecycle: lifecycleDeps(),
  pool: poolDeps(),
  timings: gameServerTimings(),
  retry: recordRetry('MATCH_START_QUEUE_URL'),
}));

/**
 * Consumes the match-start queue (one message group per match, so matches
 * start side by side): marks the players, sends MATCH FOUND and gives each
 * recorded match a warm server, or starts one. A failed start is reported for its
 * message alone and retried; a malformed message is dropped.
 */
export const handler = withMetrics(metrics, async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { lifecycle, pool, timings, retry } = deps();
  const failures = await Promise.all(
    event.Records.map(async (record) => {
      const parsed = startRequestSchema.safeParse(safeJson(record.body));
      if (!parsed.success) {
        logger.warn('dropped a malformed start request', { messageId: record.messageId });
        return [];
      }
      try {
        await startMatch(lifecycle, timings, parsed.data.matchId, pool);
        return [];
      } catch (error) {
        logger.error('match start failed; it will be retried', { matchId: parsed.data.matchId, error });
        return [record];
      }
    }),
  );
  return failedBatch(retry, failures.flat(), logger);
});
