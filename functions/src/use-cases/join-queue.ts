import { ErrorCode, events, MatchmakingError, SeedMessage, type ServerEvent } from '@matchmaking/core';
import type { PlayerItem, TicketItem } from '../data/items.js';
import { newTicketId } from '../data/tickets-repository.js';
import type { WaitingTicket } from '../ports.js';
import type { Deps } from './deps.js';

export interface JoinQueueInput {
  userId: string;
  connectionId: string;
  region?: string;
}

/**
 * joinQueue: stores the region, creates the player's one ticket and asks for a
 * matchmaking pass. The player is marked queued first (conditionally on being
 * idle), then the ticket is written: two joins at once make one ticket, and a
 * join that died in between can be repeated.
 */
export async function joinQueue(
  deps: Pick<Deps, 'players' | 'tickets' | 'queue' | 'clock' | 'ids'>,
  regions: readonly string[],
  input: JoinQueueInput,
): Promise<ServerEvent> {
  const player = await deps.players.get(input.userId);
  if (!player) throw new MatchmakingError(ErrorCode.NotFound, 'unknown player: reconnect and try again');
  const staleTicketId = await assertCanJoin(deps, player);
  const region = input.region ?? player.region;
  if (!region) throw new MatchmakingError(ErrorCode.NoRegion, SeedMessage.noRegion);
  if (!regions.includes(region)) {
    throw new MatchmakingError(
      ErrorCode.UnknownRegion,
      `region ${region} is not served; choose one of ${regions.join(', ')}`,
      {
        regions,
      },
    );
  }
  const now = deps.clock.now();
  const ticketId = newTicketId(now, deps.ids.next());
  if (!(await deps.players.markQueued(player.userId, region, ticketId, now, staleTicketId))) {
    throw new MatchmakingError(ErrorCode.AlreadyQueued, 'already in the queue (another join won)');
  }
  const ticket: TicketItem = {
    region,
    ticketId,
    enqueuedAt: now,
    state: 'waiting',
    players: [
      {
        userId: player.userId,
        connectionId: input.connectionId,
        rating: player.rating,
        rd: player.rd,
        vol: player.vol,
      },
    ],
  };
  await deps.tickets.create(ticket);
  await deps.queue.requestPass(
    { reason: 'joined', regions: [region], requestedAt: now, waiting: [ticket as WaitingTicket] },
    `joined:${ticketId}`,
  );
  return events.joinedQueue(ticketId, region);
}

/** Refuses a player who is queued or in a match; returns the ticket id of a join that died half-way. */
async function assertCanJoin(deps: Pick<Deps, 'tickets'>, player: PlayerItem): Promise<string | undefined> {
  if (player.status === 'matched' || player.status === 'in_match') {
    throw new MatchmakingError(ErrorCode.AlreadyInMatch, SeedMessage.alreadyInMatch, {
      matchId: player.matchId,
      ...(player.server ? { ip: player.server.ip, port: player.server.port } : {}),
    });
  }
  if (player.status !== 'queued') return undefined;
  const ticket =
    player.ticketId && player.region ? await deps.tickets.get(player.region, player.ticketId) : undefined;
  if (ticket)
    throw new MatchmakingError(ErrorCode.AlreadyQueued, 'already in the queue', {
      ticketId: ticket.ticketId,
    });
  return player.ticketId;
}
