import type { AbandonReason } from '../metrics/metric-names.js';
import { abandonMatch } from './abandon-match.js';
import { cancelMatch } from './cancel-match.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

export interface StoppedTask {
  matchId: string;
  taskArn: string;
  reason: string;
  exitCode?: number;
}

/** What the reference game server's exits after ready mean (game-server/src/main.ts), in words players read, and for the metrics. */
const EXITS_AFTER_READY: Record<number, { words: string; cause: AbandonReason }> = {
  3: { words: 'no result within the maximum match time', cause: 'maxMatchTime' },
  4: { words: 'no player connected to the game server', cause: 'noPlayers' },
  5: { words: 'the platform retired the game server', cause: 'serverRetired' },
};

/** A game-server task stopped: before ready the match is cancelled (players requeued), after ready abandoned. */
export async function taskStopped(
  deps: LifecycleDeps,
  task: StoppedTask,
): Promise<'cancelled' | 'abandoned' | 'ignored'> {
  const match = await deps.matches.get(task.matchId);
  if (!match || (match.taskArn && match.taskArn !== task.taskArn)) return 'ignored';
  if (match.state === 'starting') {
    await cancelMatch(
      deps,
      match,
      `the game server stopped before it was ready (${task.reason})`,
      new Set(),
      {
        cause: 'serverStopped',
      },
    );
    return 'cancelled';
  }
  if (match.state === 'ready') {
    const exit = task.exitCode !== undefined ? EXITS_AFTER_READY[task.exitCode] : undefined;
    await abandonMatch(
      deps,
      match,
      `the game server stopped (${exit?.words ?? task.reason})`,
      exit?.cause ?? 'serverStopped',
    );
    return 'abandoned';
  }
  return 'ignored';
}
