import type { TicketItem } from '../data/items.js';
import type { WaitingTicket } from '../ports.js';
import type { PoolRef } from '../queues/queue-config.js';
import { createLogger } from '../runtime/logger.js';
import { cancelMatch } from './cancel-match.js';
import type { LifecycleDeps } from './lifecycle-deps.js';
import { finishDecline } from './ready-check.js';

const logger = createLogger('recover-claims');

/**
 * A claim older than this belongs to a pass that is over: the matchmaker's
 * function timeout is 60 s, so no live pass can still be creating its match.
 */
export const CLAIM_TIMEOUT_MS = 120_000;

/**
 * Finishes what a matchmaker that died mid-creation left. A pass re-run reads
 * only waiting tickets, so claimed ones whose match was never stored would
 * stay claimed (and their players queued) forever. Each stale claim is
 * settled by its match's state: no match -> released (not counted against
 * the ticket); cancelled or declined -> the cancellation is finished; ready,
 * finished or abandoned -> the ticket is deleted (its players are in or past
 * the match). A starting or proposed match is left to its deadline. Every
 * step is conditional.
 */
export async function recoverStaleClaims(
  deps: LifecycleDeps,
  pools: readonly PoolRef[],
  claimTimeoutMs = CLAIM_TIMEOUT_MS,
): Promise<{ released: number; settled: number }> {
  const now = deps.clock.now();
  let settled = 0;
  const requeued: TicketItem[] = [];
  for (const pool of pools) {
    const stale = (await deps.tickets.listClaimedBefore(pool, now - claimTimeoutMs)).filter(
      (ticket) => ticket.matchId,
    );
    const finished = new Set<string>();
    for (const ticket of stale) {
      const matchId = ticket.matchId as string;
      const match = await deps.matches.get(matchId);
      if (!match) {
        const back = await deps.tickets.release(ticket, matchId);
        if (back) requeued.push(back);
      } else if (match.state === 'cancelled') {
        // Once per match: one re-run settles every ticket of it.
        if (finished.has(matchId)) continue;
        finished.add(matchId);
        await cancelMatch(deps, match, match.endReason ?? 'the match could not start');
        settled += 1;
      } else if (match.state === 'declined') {
        if (finished.has(matchId)) continue;
        finished.add(matchId);
        await finishDecline(deps, match);
        settled += 1;
      } else if (match.state !== 'starting' && match.state !== 'proposed') {
        if (await deps.tickets.deleteClaimed(ticket, matchId)) settled += 1;
      }
    }
  }
  const released = requeued.length;
  if (released + settled > 0) logger.info('stale claims recovered', { released, settled });
  if (released > 0) {
    deps.metrics.requeued('staleClaim', released);
    // Out before the pass is requested: the released tickets are waiting, no re-run releases them again.
    deps.metrics.flush();
  }
  for (const queue of new Set(requeued.map((t) => t.queue))) {
    const waiting = requeued.filter((t) => t.queue === queue);
    await deps.queue.requestPass(
      {
        reason: 'requeued',
        queue,
        regions: [...new Set(waiting.map((t) => t.region))],
        requestedAt: now,
        waiting: waiting.slice(0, 100) as WaitingTicket[],
      },
      `recovered:${queue}:${Math.floor(now / 1000)}`,
    );
  }
  return { released, settled };
}
