import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../env.js';
import { resendMatchState } from '../match/resend-match-state.js';
import { runMatchmakingPass } from '../match/run-pass.js';
import { passRequestSchema } from '../ports.js';
import { lazy } from '../runtime/lazy.js';
import { createLogger } from '../runtime/logger.js';
import { lifecycleDeps } from './lifecycle-services.js';

const logger = createLogger('matchmaker');
const deps = lazy(() => {
  const config = loadConfig([
    'TEAM_SIZE',
    'RATING_WINDOW_INITIAL',
    'RATING_WINDOW_GROWTH_PER_SECOND',
    'RATING_WINDOW_MAX',
    'CALLBACK_BASE_URL',
    'READY_TIMEOUT_SECONDS',
    'MAX_MATCH_SECONDS',
    'GAME_SERVER_IDLE_SECONDS',
    'MATCHMAKING_REGIONS',
  ]);
  return {
    lifecycle: lifecycleDeps(),
    regions: config.MATCHMAKING_REGIONS,
    matching: {
      teamSize: config.TEAM_SIZE,
      windowInitial: config.RATING_WINDOW_INITIAL,
      windowGrowthPerSecond: config.RATING_WINDOW_GROWTH_PER_SECOND,
      windowMax: config.RATING_WINDOW_MAX,
    },
    settings: {
      callbackBaseUrl: config.CALLBACK_BASE_URL,
      readyTimeoutSeconds: config.READY_TIMEOUT_SECONDS,
      maxMatchSeconds: config.MAX_MATCH_SECONDS,
      idleSeconds: config.GAME_SERVER_IDLE_SECONDS,
    },
  };
});

/**
 * Consumes the FIFO queue (one message group, so passes never overlap): one
 * pass over the union of the batch's regions, then the match state for
 * players who reconnected during a match. A malformed message is logged
 * and dropped (retrying cannot fix it); if the pass fails, every message is
 * reported failed so the batch is redelivered, and the pass is safe to re-run.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const { lifecycle, regions: served, matching, settings } = deps();
  const regions = new Set<string>();
  const reconnected = new Set<string>();
  for (const record of event.Records) {
    const parsed = passRequestSchema.safeParse(safeJson(record.body));
    if (!parsed.success) {
      logger.warn('dropped a malformed pass request', { messageId: record.messageId });
      continue;
    }
    for (const region of parsed.data.regions) if (served.includes(region)) regions.add(region);
    for (const userId of parsed.data.userIds ?? []) reconnected.add(userId);
  }
  try {
    await runMatchmakingPass(lifecycle, matching, settings, [...regions]);
    await resendMatchState(lifecycle, [...reconnected]);
    return { batchItemFailures: [] };
  } catch (error) {
    logger.error('matchmaking pass failed; the batch will be redelivered', { error, regions: [...regions] });
    return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
