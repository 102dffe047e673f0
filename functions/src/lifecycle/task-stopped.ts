import { abandonMatch } from './abandon-match.js';
import { cancelMatch } from './cancel-match.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

export interface StoppedTask {
  matchId: string;
  taskArn: string;
  reason: string;
  exitCode?: number;
}

/** What the reference game server's exits after ready mean (game-server/src/main.ts), in words players read. */
const EXITS_AFTER_READY: Record<number, string> = {
  3: 'no result within the maximum match time',
  4: 'no player connected to the game server',
  5: 'the platform retired the game server',
};

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
    const why = (task.exitCode !== undefined ? EXITS_AFTER_READY[task.exitCode] : undefined) ?? task.reason;
    await abandonMatch(deps, match, `the game server stopped (${why})`);
    return 'abandoned';
  }
  return 'ignored';
}
