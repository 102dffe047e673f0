import type { RecordSettings } from '../match/record-match.js';
import type { MatchStartQueue } from '../ports.js';
import { abandonMatch } from './abandon-match.js';
import { cancelMatch } from './cancel-match.js';
import type { LifecycleDeps } from './lifecycle-deps.js';
import { expireProposals } from './ready-check.js';

/**
 * Ends every match past its deadline: not accepted by everyone -> declined
 * (the ready check; one everyone accepted, whose start a crash stopped, is
 * started), never ready -> cancelled (players requeued), silent -> abandoned.
 */
export async function enforceDeadlines(
  deps: LifecycleDeps & { starts: MatchStartQueue },
  settings: RecordSettings,
): Promise<{ declined: number; cancelled: number; abandoned: number }> {
  const now = deps.clock.now();
  const proposed = await deps.matches.listOverdue('proposed', now);
  const declined = await expireProposals(deps, settings, proposed);
  const starting = await deps.matches.listOverdue('starting', now);
  for (const match of starting)
    await cancelMatch(deps, match, 'the game server did not become ready in time', new Set(), {
      cause: 'readyTimeout',
    });
  const ready = await deps.matches.listOverdue('ready', now);
  for (const match of ready)
    await abandonMatch(deps, match, 'no result within the maximum match time', 'maxMatchTime');
  return { declined, cancelled: starting.length, abandoned: ready.length };
}
