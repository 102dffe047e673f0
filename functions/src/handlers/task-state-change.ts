import { poolServerOf } from '../aws/game-servers.js';
import { taskStopped } from '../lifecycle/task-stopped.js';
import { withMetrics } from '../metrics/with-metrics.js';
import { serverStopped } from '../pool/server-stopped.js';
import { lazy } from '../runtime/lazy.js';
import { createLogger } from '../runtime/logger.js';
import { metrics, poolDeps } from '../services.js';
import { lifecycleDeps } from './lifecycle-services.js';

const logger = createLogger('task-state-change');
const deps = lazy(() => ({ ...poolDeps(), ...lifecycleDeps() }));

/** The EventBridge "ECS Task State Change" event, as far as we read it. */
export interface TaskStateChangeEvent {
  id?: string;
  'detail-type'?: string;
  detail?: {
    taskArn?: string;
    lastStatus?: string;
    startedBy?: string;
    stoppedReason?: string;
    containers?: { name?: string; exitCode?: number }[];
  };
}

/**
 * A game-server task stopped: its match is cancelled (never ready) or
 * abandoned (after ready); a warm-pool server (startedBy `w-<serverId>`)
 * leaves the pool first (see serverStopped).
 */
export const handler = withMetrics(metrics, async (event: TaskStateChangeEvent): Promise<void> => {
  const detail = event.detail;
  if (event['detail-type'] !== 'ECS Task State Change' || detail?.lastStatus !== 'STOPPED') return;
  if (!detail.startedBy || !detail.taskArn) return;
  const exitCode = detail.containers?.[0]?.exitCode;
  const reason = `${detail.stoppedReason ?? 'task stopped'}${exitCode === undefined ? '' : `, exit code ${exitCode}`}`;
  const task = { taskArn: detail.taskArn, reason, ...(exitCode === undefined ? {} : { exitCode }) };
  const serverId = poolServerOf(detail.startedBy);
  const outcome = serverId
    ? await serverStopped(deps(), serverId, task)
    : await taskStopped(deps(), { ...task, matchId: detail.startedBy });
  logger.info('game-server task stopped', {
    startedBy: detail.startedBy,
    taskArn: detail.taskArn,
    outcome,
    reason,
  });
});
