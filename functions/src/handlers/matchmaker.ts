import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { TicketItem } from '../data/items.js';
import { loadConfig } from '../env.js';
import { QUEUE_BATCH_SIZE } from '../manifest.js';
import { resendMatchState } from '../match/resend-match-state.js';
import { batchHints, runMatchmakingPass } from '../match/run-pass.js';
import { WaitingPool } from '../match/waiting-pool.js';
import { withMetrics } from '../metrics/with-metrics.js';
import { type PassReason, type PassRequest, passRequestSchema } from '../ports.js';
import type { Queue } from '../queues/queue-config.js';
import { safeJson } from '../runtime/json.js';
import { lazy } from '../runtime/lazy.js';
import { createLogger } from '../runtime/logger.js';
import {
  matchmakerState,
  matchmakingQueue,
  matchStartQueue,
  metrics,
  notifier,
  queueCatalog,
  queueStatsRepository,
  recordRetry,
  repositories,
  system,
} from '../services.js';
import { failedBatch } from './adapters/sqs.js';

const logger = createLogger('matchmaker');
const deps = lazy(() => {
  const config = loadConfig([
    'READY_TIMEOUT_SECONDS',
    'MATCHMAKING_REGIONS',
    'PASS_MAX_MATCHES',
    'PASS_BUDGET_SECONDS',
  ]);
  const catalog = queueCatalog();
  return {
    pass: {
      ...repositories(),
      notifier: notifier(),
      queue: matchmakingQueue(),
      starts: matchStartQueue(),
      state: matchmakerState(),
      stats: queueStatsRepository(),
      metrics: metrics(),
      ...system,
    },
    catalog,
    retry: recordRetry('MATCHMAKING_QUEUE_URL'),
    // Kept across invocations of this instance, one per queue (see WaitingPool, PassView.unstarted).
    pools: new Map([...catalog.queues.keys()].map((name) => [name, new WaitingPool(name)])),
    unstarted: new Map([...catalog.queues.keys()].map((name) => [name, new Set<string>()])),
    regions: config.MATCHMAKING_REGIONS,
    settings: { readyTimeoutSeconds: config.READY_TIMEOUT_SECONDS },
    budget: { maxMatches: config.PASS_MAX_MATCHES, maxMilliseconds: config.PASS_BUDGET_SECONDS * 1000 },
  };
});

/**
 * Consumes the FIFO queue. Each queue (game mode) is its own message group,
 * so its passes run one at a time and never wait behind another queue's: a
 * batch's records are split by queue and each queue's part runs one pass over
 * the union of its regions, which records matches and hands them to the match
 * starter, then the match state for players who reconnected during a match.
 * A malformed message is logged and dropped (retrying cannot fix it); if a
 * queue's pass fails, that queue's messages are reported failed so they are
 * redelivered, and the pass is safe to re-run.
 */
export const handler = withMetrics(metrics, async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { catalog } = deps();
  const byQueue = new Map<Queue, { record: SQSRecord; request: PassRequest }[]>();
  for (const record of event.Records) {
    const parsed = passRequestSchema.safeParse(safeJson(record.body));
    const queue = parsed.success ? catalog.queues.get(parsed.data.queue) : undefined;
    if (!parsed.success || !queue) {
      logger.warn('dropped a malformed pass request', { messageId: record.messageId });
      continue;
    }
    byQueue.set(queue, [...(byQueue.get(queue) ?? []), { record, request: parsed.data }]);
  }
  const failed = await Promise.all(
    [...byQueue].map(([queue, requests]) =>
      passOfQueue(
        queue,
        requests.map((r) => r.request),
      ).then((ok) => (ok ? [] : requests.map((r) => r.record))),
    ),
  );
  return failedBatch(deps().retry, failed.flat(), logger);
});

/** One queue's pass over what its messages ask for; false if it failed (its messages come back). */
async function passOfQueue(queue: Queue, requests: readonly PassRequest[]): Promise<boolean> {
  const { pass, pools, unstarted, regions: served, settings, budget } = deps();
  const regions = new Set<string>();
  const reconnected = new Set<string>();
  const changes: TicketItem[] = [];
  const left: { region: string; ticketId: string }[] = [];
  const reasons: PassReason[] = [];
  for (const request of requests) {
    reasons.push(request.reason);
    for (const region of request.regions) if (served.includes(region)) regions.add(region);
    for (const userId of request.userIds ?? []) reconnected.add(userId);
    for (const ticket of request.waiting ?? []) if (served.includes(ticket.region)) changes.push(ticket);
    left.push(...(request.left ?? []));
  }
  try {
    await runMatchmakingPass(pass, queue, settings, budget, [...regions], {
      pool: pools.get(queue.name) as WaitingPool,
      served,
      changes,
      left,
      unstarted: unstarted.get(queue.name),
      ...batchHints(reasons, QUEUE_BATCH_SIZE),
    });
    await resendMatchState(pass, [...reconnected]);
    return true;
  } catch (error) {
    pass.metrics.passFailed();
    logger.error('matchmaking pass failed; the batch will be redelivered', {
      error,
      queue: queue.name,
      regions: [...regions],
    });
    return false;
  }
}
