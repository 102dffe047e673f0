import type { FormedMatch } from '@matchmaking/core';
import type { MatchItem, MatchPlayerItem, TicketItem } from '../data/items.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle-deps.js';
import type { Queue } from '../queues/queue-config.js';
import { createLogger } from '../runtime/logger.js';
import { matchIdFor, newJoinKey, newMatchToken } from './match-token.js';

const logger = createLogger('record-match');

export interface RecordSettings {
  readyTimeoutSeconds: number;
}

export type RecordOutcome =
  | { kind: 'recorded'; matchId: string }
  /** The same tickets made this match before (a redelivered batch): start it, if it is still starting. */
  | { kind: 'exists'; matchId: string }
  /** A ticket was taken (or left) meanwhile: nothing was made, the others stay queued. */
  | { kind: 'conflict' };

/**
 * The serial section's part of a match: claim every ticket, then store the
 * match (state starting, with its ready deadline; or proposed, with the ready
 * check's deadline, when the queue has one). Nothing slow and nothing
 * the players see happens here: the match starter does the rest, in
 * parallel. Crash-safe: the match id comes from the tickets, a re-run finds
 * its own match, and claims whose match was never stored are released by the
 * tick after the claim timeout. Ratings come from the tickets: a queued
 * player's rating cannot change.
 */
export async function recordMatch(
  deps: Pick<LifecycleDeps, 'tickets' | 'matches' | 'clock'>,
  settings: RecordSettings,
  formed: FormedMatch,
  items: ReadonlyMap<string, TicketItem>,
  queue: Pick<Queue, 'readyCheckSeconds'> = {},
): Promise<RecordOutcome> {
  const tickets = [...formed.home, ...formed.away].map((t) => items.get(t.ticketId) as TicketItem);
  const matchId = matchIdFor(tickets);
  const now = deps.clock.now();
  const claimed = await Promise.all(tickets.map((t) => deps.tickets.claim(t, matchId, now, t.attempts ?? 0)));
  if (!claimed.every(Boolean)) {
    await Promise.all(tickets.filter((_, i) => claimed[i]).map((t) => deps.tickets.release(t, matchId)));
    logger.info('claim lost, match skipped', { matchId });
    return { kind: 'conflict' };
  }
  const match = buildMatch(formed, tickets, matchId, now, settings, queue.readyCheckSeconds);
  if (await deps.matches.create(match)) return { kind: 'recorded', matchId };
  return { kind: 'exists', matchId };
}

function buildMatch(
  formed: FormedMatch,
  tickets: readonly TicketItem[],
  matchId: string,
  now: number,
  settings: RecordSettings,
  readyCheckSeconds: number | undefined,
): MatchItem {
  const member = (player: TicketItem['players'][number]): MatchPlayerItem => ({
    userId: player.userId,
    connectionId: player.connectionId,
    rating: player.rating,
    rd: player.rd,
    vol: player.vol ?? 0.06,
    joinKey: newJoinKey(),
  });
  const itemsOf = (team: FormedMatch['home']) =>
    team.flatMap((t) => tickets.find((item) => item.ticketId === t.ticketId)?.players ?? []).map(member);
  return {
    matchId,
    queue: (tickets[0] as TicketItem).queue,
    region: formed.region,
    // With a ready check, nothing starts before every player accepted (acceptMatch); the deadline is the check's.
    state: readyCheckSeconds === undefined ? 'starting' : 'proposed',
    ...(readyCheckSeconds === undefined ? {} : { readyCheckSeconds, accepted: [] }),
    home: itemsOf(formed.home),
    away: itemsOf(formed.away),
    tickets: tickets.map((t) => ({
      ticketId: t.ticketId,
      enqueuedAt: t.enqueuedAt,
      userIds: t.players.map((p) => p.userId),
      attempts: t.attempts ?? 0,
      failedMatches: t.failedMatches ?? 0,
      ...(t.partyId ? { partyId: t.partyId } : {}),
      ...(t.region === formed.region ? {} : { region: t.region }),
    })),
    // Replaced by the match starter right before RunTask; this one is never handed out.
    bootstrapHash: newMatchToken().hash,
    createdAt: now,
    deadlineAt: now + (readyCheckSeconds ?? settings.readyTimeoutSeconds) * 1000,
  };
}
