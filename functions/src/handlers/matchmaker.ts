import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { TicketItem } from '../data/items.js';
import { loadConfig } from '../env.js';
import { QUEUE_BATCH_SIZE } from '../manifest.js';
import { resendMatchState } from '../match/resend-match-state.js';
import { batchHints, runMatchmakingPass } from '../match/run-pass.js';
import { WaitingPool } from '../match/waiting-pool.js';
import { type PassReason, passRequestSchema } from '../ports.js';
import { safeJson } from '../runtime/json.js';
import { lazy } from '../runtime/lazy.js';
import { createLogger } from '../runtime/logger.js';
import {
  matchmakerState,
  matchmakingQueue,
  matchStartQueue,
  notifier,
  repositories,
  system,
} from '../services.js';

const logger = createLogger('matchmaker');
const deps = lazy(() => {
  const config = loadConfig([
    'TEAM_SIZE',
    'RATING_WINDOW_INITIAL',
    'RATING_WINDOW_GROWTH_PER_SECOND',
    'RATING_WINDOW_MAX',
    'READY_TIMEOUT_SECONDS',
    'MATCHMAKING_REGIONS',
    'PASS_MAX_MATCHES',
    'PASS_BUDGET_SECONDS',
  ]);
  return {
    pass: {
      ...repositories(),
      notifier: notifier(),
      queue: matchmakingQueue(),
      starts: matchStartQueue(),
      state: matchmakerState(),
      ...system,
    },
    // Kept across invocations of this instance (see WaitingPool, PassView.unstarted).
    pool: new WaitingPool(),
    unstarted: new Set<string>(),
    regions: config.MATCHMAKING_REGIONS,
    matching: {
      teamSize: config.TEAM_SIZE,
      windowInitial: config.RATING_WINDOW_INITIAL,
      windowGrowthPerSecond: config.RATING_WINDOW_GROWTH_PER_SECOND,
      windowMax: config.RATING_WINDOW_MAX,
    },
    settings: { readyTimeoutSeconds: config.READY_TIMEOUT_SECONDS },
    budget: { maxMatches: config.PASS_MAX_MATCHES, maxMilliseconds: config.PASS_BUDGET_SECONDS * 1000 },
  };
});

/**
 * Consumes the FIFO queue (one message group, so passes never overlap): one
 * pass over the union of the batch's regions, which records matches and hands
 * them to the match starter, then the match state for players who reconnected
 * during a match. A malformed message is logged and dropped (retrying cannot
 * fix it); if the pass fails, every message is reported failed so the batch is
 * redelivered, and the pass is safe to re-run.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const { pass, pool, unstarted, regions: served, matching, settings, budget } = deps();
  const regions = new Set<string>();
  const reconnected = new Set<string>();
  const changes: TicketItem[] = [];
  const reasons: PassReason[] = [];
  for (const record of event.Records) {
    const parsed = passRequestSchema.safeParse(safeJson(record.body));
    if (!parsed.success) {
      logger.warn('dropped a malformed pass request', { messageId: record.messageId });
      continue;
    }
    reasons.push(parsed.data.reason);
    for (const region of parsed.data.regions) if (served.includes(region)) regions.add(region);
    for (const userId of parsed.data.userIds ?? []) reconnected.add(userId);
    for (const ticket of parsed.data.waiting ?? []) if (served.includes(ticket.region)) changes.push(ticket);
  }
  try {
    await runMatchmakingPass(pass, matching, settings, budget, [...regions], {
      pool,
      served,
      changes,
      unstarted,
      ...batchHints(reasons, QUEUE_BATCH_SIZE),
    });
    await resendMatchState(pass, [...reconnected]);
    return { batchItemFailures: [] };
  } catch (error) {
    logger.error('matchmaking pass failed; the batch will be redelivered', { error, regions: [...regions] });
    return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
  }
}
