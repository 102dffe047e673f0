/*
 * The match lifecycle's use cases and their real dependencies, for the local
 * runtime's crash-recovery tests (they drive each step with a dependency that
 * stops at a chosen point, as a killed Lambda would), and for `pnpm
 * bench:pipeline` (which adds a middleware to the shared DynamoDB client to
 * count the capacity units each pass consumes).
 */

export { documentClient } from '../aws/clients.js';
export type { MatchItem, ServerItem, TicketItem } from '../data/items.js';
export { queryPages } from '../data/query-pages.js';
export { newTicketId, ticketFromItem } from '../data/tickets-repository.js';
export { lifecycleDeps } from '../handlers/lifecycle-services.js';
export { type RecordOutcome, recordMatch } from '../match/record-match.js';
export { batchHints, runMatchmakingPass, toTicket } from '../match/run-pass.js';
export { startMatch } from '../match/start-match.js';
export { POOL_RESYNC_MS, WaitingPool } from '../match/waiting-pool.js';
export { assignWarmServer } from '../pool/assign-warm-server.js';
export { keepPools } from '../pool/keep-pool.js';
export type { PoolDeps } from '../pool/pool-deps.js';
export { takeAssignment } from '../pool/server-calls.js';
export { serverStopped } from '../pool/server-stopped.js';
export type { Queue } from '../queues/queue-config.js';
export {
  matchmakerState,
  matchmakingQueue,
  matchStartQueue,
  poolDeps,
  queueStatsRepository,
} from '../services.js';
export { cancelMatch } from './cancel-match.js';
export { enforceDeadlines } from './enforce-deadlines.js';
export type { LifecycleDeps } from './lifecycle-deps.js';
export { answerMatch } from './ready-check.js';
export { CLAIM_TIMEOUT_MS, recoverStaleClaims } from './recover-claims.js';
