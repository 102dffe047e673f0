import {
  ErrorCode,
  events,
  latencyOrder,
  MatchmakingError,
  reportedRegions,
  SeedMessage,
  type ServerEvent,
} from '@matchmaking/core';
import type { PartyItem, PlayerItem, TicketItem } from '../data/items.js';
import type { PartiesRepository } from '../data/parties-repository.js';
import type { QueueStatsRepository } from '../data/queue-stats-repository.js';
import { newTicketId } from '../data/tickets-repository.js';
import { notifyConnection } from '../match/notify.js';
import type { MatchmakingMetrics } from '../metrics/matchmaking-metrics.js';
import type { WaitingTicket } from '../ports.js';
import type { PoolRef, Queue, QueueCatalog } from '../queues/queue-config.js';
import { type EstimateCache, estimateWait } from '../queues/queue-stats.js';
import { servedLatencies } from '../regions/served-latencies.js';
import type { Deps } from './deps.js';
import { withdrawTicketAt } from './withdraw-ticket.js';

export interface JoinQueueInput {
  userId: string;
  connectionId: string;
  queue?: string;
  /** That region only. */
  region?: string;
  /** The round trips (ms) the player measured: any served region every member reported (see placeTicket). */
  latencies?: Record<string, number>;
}

export interface JoinQueueDeps
  extends Pick<
    Deps,
    'players' | 'tickets' | 'matches' | 'queue' | 'clock' | 'ids' | 'notifier' | 'connections'
  > {
  stats: Pick<QueueStatsRepository, 'read'>;
  parties: Pick<PartiesRepository, 'get'>;
  /** This instance's recent wait estimates (optional: without it every join reads the figures). */
  estimates?: EstimateCache;
  metrics: Pick<MatchmakingMetrics, 'playerJoined' | 'flush'>;
}

export interface QueueingSettings {
  regions: readonly string[];
  catalog: QueueCatalog;
}

/**
 * joinQueue: stores the region, creates one ticket in the queue (the default
 * one when none is named) and asks for a matchmaking pass. A party's leader
 * queues the whole party as one ticket: every member must be connected and
 * idle and the party must fit a team; every member hears joinedQueue. Players
 * are marked queued first (conditionally on being idle), then the ticket is
 * written: two joins at once make one ticket, and a join that died in between
 * can be repeated. The answer carries a wait estimate from the queue's recent
 * times to match in that region.
 */
export async function joinQueue(
  deps: JoinQueueDeps,
  settings: QueueingSettings,
  input: JoinQueueInput,
): Promise<ServerEvent> {
  const player = await deps.players.get(input.userId);
  if (!player) throw new MatchmakingError(ErrorCode.NotFound, 'unknown player: reconnect and try again');
  const queue = queueNamed(settings.catalog, input.queue);
  const staleTicketId = await assertCanJoin(deps, player);
  const party = player.partyId ? await deps.parties.get(player.partyId) : undefined;
  const members = party ? await partyMembers(deps, party, player, queue) : [player];
  const placed = placeTicket(settings.regions, input, player, members);
  const { region } = placed;
  const pool: PoolRef = { queue: queue.name, region };
  const now = deps.clock.now();
  const ticketId = newTicketId(now, deps.ids.next());
  await markAllQueued(deps, members, pool, ticketId, now, staleTicketId);
  const ticket: TicketItem = {
    ...pool,
    ticketId,
    enqueuedAt: now,
    state: 'waiting',
    players: members.map((member) => ({
      userId: member.userId,
      connectionId: member.userId === player.userId ? input.connectionId : (member.connectionId as string),
      rating: member.rating,
      rd: member.rd,
      vol: member.vol,
      ...(placed.latencies ? { latencies: placed.latencies.get(member.userId) } : {}),
    })),
    ...(party ? { partyId: party.partyId } : {}),
  };
  await deps.tickets.create(ticket);
  if (party) await assertPartyUnchanged(deps, party, player, ticket);
  // The ticket is in (a repeated join is ALREADY_QUEUED): counted and published at once, so a function
  // dying below (the pass request, telling the party) does not lose the join.
  deps.metrics.playerJoined(queue.name, region, members.length);
  deps.metrics.flush();
  await deps.queue.requestPass(
    {
      reason: 'joined',
      queue: queue.name,
      regions: [region],
      requestedAt: now,
      waiting: [ticket as WaitingTicket],
    },
    `joined:${ticketId}`,
  );
  // The player is queued by now: a figure that cannot be read is left out, never an error.
  const estimate = await estimateWait(deps.stats, pool, now, deps.estimates).catch(() => undefined);
  const joined = events.joinedQueue(
    {
      ticketId,
      queue: queue.name,
      region,
      players: members.map((member) => member.userId),
      ...(placed.worstMs ? { latencies: placed.worstMs } : {}),
    },
    estimate,
  );
  await Promise.all(
    members
      .filter((member) => member.userId !== player.userId)
      .map((member) => notifyConnection(deps, member.connectionId, joined)),
  );
  return joined;
}

/**
 * The members of the caller's party, checked: the caller leads it, it fits a
 * team of the queue, and every other member is connected and idle.
 */
async function partyMembers(
  deps: Pick<JoinQueueDeps, 'players'>,
  party: PartyItem,
  leader: PlayerItem,
  queue: Queue,
): Promise<PlayerItem[]> {
  if (party.leaderId !== leader.userId) {
    throw new MatchmakingError(
      ErrorCode.NotPartyLeader,
      `only the party leader (${party.leaderId}) can queue the party; leave the party to queue alone`,
    );
  }
  if (party.members.length > queue.teamSize) {
    throw new MatchmakingError(
      ErrorCode.PartyCannotQueue,
      `a party of ${party.members.length} does not fit a team of ${queue.teamSize} in ${queue.name}`,
      { partySize: party.members.length, teamSize: queue.teamSize },
    );
  }
  const otherIds = party.members.filter((id) => id !== leader.userId);
  const others = await Promise.all(otherIds.map((id) => deps.players.get(id)));
  others.forEach((member, i) => {
    const userId = otherIds[i] as string;
    if (!member?.connectionId || member.partyId !== party.partyId) {
      throw new MatchmakingError(ErrorCode.PartyCannotQueue, `${userId} is not connected`, { userId });
    }
    if (member.status !== 'idle') {
      throw new MatchmakingError(
        ErrorCode.PartyCannotQueue,
        `${userId} is ${member.status.replace('_', ' ')}`,
        {
          userId,
          status: member.status,
        },
      );
    }
  });
  return [leader, ...(others as PlayerItem[])];
}

/** Marks every player queued with the ticket, or none: one that is not idle any more undoes the others. */
async function markAllQueued(
  deps: Pick<JoinQueueDeps, 'players'>,
  members: readonly PlayerItem[],
  pool: PoolRef,
  ticketId: string,
  now: number,
  staleTicketId: string | undefined,
): Promise<void> {
  const marked = await Promise.all(
    members.map((member, i) =>
      deps.players.markQueued(member.userId, pool, ticketId, now, i === 0 ? staleTicketId : undefined),
    ),
  );
  if (marked.every(Boolean)) return;
  await Promise.all(
    members.filter((_, i) => marked[i]).map((member) => deps.players.leaveQueue(member.userId, ticketId)),
  );
  if (!marked[0])
    throw new MatchmakingError(ErrorCode.AlreadyQueued, 'already in the queue (another join won)');
  const busy = members.find((_, i) => !marked[i]) as PlayerItem;
  throw new MatchmakingError(ErrorCode.PartyCannotQueue, `${busy.userId} is not idle any more`, {
    userId: busy.userId,
  });
}

/**
 * A member who left (or joined) while the ticket was being written would
 * otherwise queue with a party they are not in: the ticket comes out again.
 */
async function assertPartyUnchanged(
  deps: Pick<
    JoinQueueDeps,
    'parties' | 'players' | 'tickets' | 'notifier' | 'connections' | 'queue' | 'clock'
  >,
  party: PartyItem,
  leader: PlayerItem,
  ticket: TicketItem,
): Promise<void> {
  const now = await deps.parties.get(party.partyId);
  if (now?.version === party.version) return;
  // By its own key: whatever the members' records say by now, this ticket must not stay.
  await withdrawTicketAt(deps, ticket, 'the party changed while it was joining', leader.userId);
  throw new MatchmakingError(ErrorCode.Conflict, 'the party changed while it was joining; queue again');
}

/** The queue a join names, or the default one; UNKNOWN_QUEUE naming the served ones otherwise. */
export function queueNamed(catalog: QueueCatalog, name: string | undefined): Queue {
  const queue = catalog.queues.get(name ?? catalog.defaultQueue);
  if (queue) return queue;
  const names = [...catalog.queues.keys()];
  throw new MatchmakingError(ErrorCode.UnknownQueue, `no queue ${name}; choose one of ${names.join(', ')}`, {
    queues: names,
  });
}

/** Where a ticket waits: one region, or (joined with latencies) its players' reported served regions. */
interface Placement {
  /** The region it is stored and counted in: the fixed one, or the best of the reported ones. */
  region: string;
  /** Per player, their latencies to the served regions (a ticket joined with latencies). */
  latencies?: Map<string, Record<string, number>>;
  /** Per region every player reported, the worst player's latency there. */
  worstMs?: Record<string, number>;
}

/**
 * A join with `region` (or none: the player's last region) waits in that
 * region only. A join with `latencies` may be matched in any served region
 * every player reported (a party: each member's latencies, from their
 * createParty/joinParty): unserved regions are ignored, and it is stored in
 * the best of them (lowest worst latency, then lowest mean, then name).
 */
export function placeTicket(
  served: readonly string[],
  input: Pick<JoinQueueInput, 'region' | 'latencies' | 'userId'>,
  player: PlayerItem,
  members: readonly PlayerItem[],
): Placement {
  if (!input.latencies) {
    const region = input.region ?? player.region;
    if (!region) throw new MatchmakingError(ErrorCode.NoRegion, SeedMessage.noRegion);
    assertServed(served, region);
    return { region };
  }
  const servedSet = new Set(served);
  const own = servedLatencies(input.latencies, servedSet);
  if (Object.keys(own).length === 0) {
    throw new MatchmakingError(
      ErrorCode.UnknownRegion,
      `none of the regions you measured (${Object.keys(input.latencies).join(', ')}) is served; measure ${served.join(', ')} (getPingTargets)`,
      { regions: served },
    );
  }
  const latencies = new Map(
    members.map((member) => [
      member.userId,
      member.userId === input.userId ? own : servedLatencies(member.latencies ?? {}, servedSet),
    ]),
  );
  // The matcher's own view of the ticket: the regions every player reported, best first.
  const players = members.map((m) => ({
    userId: m.userId,
    rating: 0,
    rd: 0,
    latencies: latencies.get(m.userId),
  }));
  const regions = reportedRegions({ ticketId: '', region: '', enqueuedAt: 0, players }).sort(latencyOrder);
  const best = regions[0];
  if (best === undefined) {
    const silent = members.filter((m) => Object.keys(latencies.get(m.userId) ?? {}).length === 0);
    throw new MatchmakingError(
      ErrorCode.PartyCannotQueue,
      silent.length > 0
        ? `${silent.map((m) => m.userId).join(', ')} reported no latencies to a served region: they join the party again with {"action":"joinParty","code":"...","latencies":{...}}`
        : 'no served region was reported by every member of the party',
      { regions: served },
    );
  }
  const worstMs = Object.fromEntries(regions.map((r) => [r.region, r.worstMs]));
  return { region: best.region, latencies, worstMs };
}

function assertServed(regions: readonly string[], region: string): void {
  if (regions.includes(region)) return;
  throw new MatchmakingError(
    ErrorCode.UnknownRegion,
    `region ${region} is not served; choose one of ${regions.join(', ')}`,
    { regions },
  );
}

/** The match states a player may be held in: any other is over (or gone). */
const LIVE_MATCH = new Set(['proposed', 'starting', 'ready']);

/**
 * Refuses a player who is queued or in a match; returns the ticket id of a
 * join that died half-way. A player still marked for a match that is over
 * (a late, redelivered start marked them after it was dropped; a function
 * that died while settling it) is freed here, so nobody is stuck.
 */
async function assertCanJoin(
  deps: Pick<Deps, 'tickets' | 'matches' | 'players'>,
  player: PlayerItem,
): Promise<string | undefined> {
  if ((player.status === 'matched' || player.status === 'in_match') && player.matchId) {
    const match = await deps.matches.get(player.matchId);
    if (!match || !LIVE_MATCH.has(match.state)) {
      const freed = await deps.players.freeFromMatch(player.userId, player.matchId);
      if (freed) return undefined;
    }
  }
  if (player.status === 'matched' || player.status === 'in_match') {
    throw new MatchmakingError(ErrorCode.AlreadyInMatch, SeedMessage.alreadyInMatch, {
      matchId: player.matchId,
      ...(player.server ? { ip: player.server.ip, port: player.server.port } : {}),
    });
  }
  if (player.status !== 'queued') return undefined;
  const ticket =
    player.ticketId && player.region && player.queue
      ? await deps.tickets.get({ queue: player.queue, region: player.region, ticketId: player.ticketId })
      : undefined;
  if (ticket)
    throw new MatchmakingError(ErrorCode.AlreadyQueued, 'already in the queue', {
      ticketId: ticket.ticketId,
    });
  return player.ticketId;
}
