import { abandonMatch } from './abandon-match.js';
import { cancelMatch } from './cancel-match.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

/** Ends every match past its deadline: never ready -> cancelled (players requeued), silent -> abandoned. */
export async function enforceDeadlines(
  deps: LifecycleDeps,
): Promise<{ cancelled: number; abandoned: number }> {
  const now = deps.clock.now();
  const starting = await deps.matches.listOverdue('starting', now);
  for (const match of starting)
    await cancelMatch(deps, match, 'the game server did not become ready in time');
  const ready = await deps.matches.listOverdue('ready', now);
  for (const match of ready) await abandonMatch(deps, match, 'no result within the maximum match time');
  return { cancelled: starting.length, abandoned: ready.length };
}
