import { abandonMatch } from './abandon-match.js';
import { cancelMatch } from './cancel-match.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

export interface StoppedTask {
  matchId: string;
  taskArn: string;
  reason: string;
}

/** A game-server task stopped: before ready the match is cancelled (players requeued), after ready abandoned. */
export async function taskStopped(
  deps: LifecycleDeps,
  task: StoppedTask,
): Promise<'cancelled' | 'abandoned' | 'ignored'> {
  const match = await deps.matches.get(task.matchId);
  if (!match || (match.taskArn && match.taskArn !== task.taskArn)) return 'ignored';
  if (match.state === 'starting') {
    await cancelMatch(deps, match, `the game server stopped before it was ready (${task.reason})`);
    return 'cancelled';
  }
  if (match.state === 'ready') {
    await abandonMatch(deps, match, `the game server stopped (${task.reason})`);
    return 'abandoned';
  }
  return 'ignored';
}
