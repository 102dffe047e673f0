import { ErrorCode, events, MatchmakingError, type ServerEvent } from '@matchmaking/core';
import type { PartyItem, PlayerItem } from '../data/items.js';
import { notifyConnection } from '../match/notify.js';
import { withdrawTicket } from '../use-cases/withdraw-ticket.js';
import { changeParty, type PartyDeps, partyEvent, tellMembers, withoutMember } from './party-changes.js';

/** Codes tried when a new one is taken (1 in 10^12 each: never more than one in practice). */
const CODE_ATTEMPTS = 5;

/**
 * createParty: a party of one with a new invite code, its creator the leader.
 * A queued player must leave the queue first (a party queues together).
 */
export async function createParty(deps: PartyDeps, userId: string): Promise<ServerEvent> {
  const player = await playerOf(deps, userId);
  assertNoParty(player);
  assertNotQueued(player);
  const now = deps.clock.now();
  let party: PartyItem | undefined;
  for (let attempt = 0; attempt < CODE_ATTEMPTS && !party; attempt += 1) {
    const candidate = {
      partyId: deps.codes.next(),
      leaderId: userId,
      members: [userId],
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    if (await deps.parties.create(candidate)) party = candidate;
  }
  if (!party) throw new MatchmakingError(ErrorCode.Internal, 'could not make an invite code; try again');
  if (!(await deps.players.joinParty(userId, party.partyId))) {
    await deps.parties.delete(party.partyId, party.version);
    throw new MatchmakingError(ErrorCode.AlreadyInParty, 'already in a party (another request won)');
  }
  return partyEvent(party, 'created', userId);
}

/**
 * joinParty {code}: joins a party that has room (the largest team of any
 * queue). If the party was waiting in a queue, its ticket comes out (the
 * party changed) and every member is told.
 */
export async function joinParty(
  deps: PartyDeps,
  largestTeam: number,
  userId: string,
  code: string,
): Promise<ServerEvent> {
  const player = await playerOf(deps, userId);
  assertNoParty(player);
  assertNotQueued(player);
  const party = await deps.parties.get(code);
  if (!party) throw new MatchmakingError(ErrorCode.NotFound, `no party with code ${code}`);
  if (party.members.length >= largestTeam) throw partyFull(largestTeam);
  if (!(await deps.players.joinParty(userId, code))) {
    throw new MatchmakingError(ErrorCode.AlreadyInParty, 'already in a party (another request won)');
  }
  let joined: PartyItem | undefined;
  try {
    joined = await changeParty(deps, code, (current) => {
      if (current.members.length >= largestTeam) throw partyFull(largestTeam);
      return { ...current, members: [...current.members, userId] };
    });
  } catch (error) {
    await deps.players.leaveParty(userId, code);
    throw error;
  }
  const updated = joined as PartyItem;
  const leader = await deps.players.get(updated.leaderId);
  if (leader) await withdrawTicket(deps, leader, `${userId} joined the party`);
  const event = partyEvent(updated, 'joined', userId);
  await tellMembers(deps, updated.members, event, userId);
  return event;
}

/** leaveParty: leaves the party (and takes its ticket out of the queue); the next member leads if the leader left. */
export async function leaveParty(deps: PartyDeps, userId: string): Promise<ServerEvent> {
  const player = await playerOf(deps, userId);
  if (!player.partyId) throw new MatchmakingError(ErrorCode.NotInParty, 'not in a party');
  await removeMember(deps, player, 'left');
  return events.partyLeft(player.partyId, 'left');
}

/** A member who disconnected leaves their party (so no party waits on someone gone). */
export async function leavePartyOnDisconnect(deps: PartyDeps, player: PlayerItem): Promise<void> {
  if (player.partyId) await removeMember(deps, player, 'disconnected');
}

/** kickFromParty {userId}: the leader removes a member, who hears `partyLeft` (kicked). */
export async function kickFromParty(deps: PartyDeps, userId: string, targetId: string): Promise<ServerEvent> {
  const player = await playerOf(deps, userId);
  if (!player.partyId) throw new MatchmakingError(ErrorCode.NotInParty, 'not in a party');
  const party = await deps.parties.get(player.partyId);
  if (!party || party.leaderId !== userId) throw notLeader(party);
  if (targetId === userId) {
    throw new MatchmakingError(ErrorCode.InvalidMessage, 'use leaveParty to leave your own party');
  }
  const target = await deps.players.get(targetId);
  if (!party.members.includes(targetId) || !target) {
    throw new MatchmakingError(ErrorCode.NotFound, `${targetId} is not in your party`);
  }
  const updated = await removeMember(deps, target, 'kicked', (current) => {
    if (current.leaderId !== userId) throw notLeader(current);
  });
  await notifyConnection(deps, target.connectionId, events.partyLeft(party.partyId, 'kicked'));
  return updated ? partyEvent(updated, 'kicked', targetId) : events.partyLeft(party.partyId, 'left');
}

/**
 * Takes a member out: the party's ticket leaves the queue first (everyone
 * on it is told), then the member leaves the party and the rest hear
 * partyUpdated. A ticket a match already claimed stays with the match.
 */
async function removeMember(
  deps: PartyDeps,
  member: PlayerItem,
  change: 'left' | 'kicked' | 'disconnected',
  check?: (party: PartyItem) => void,
): Promise<PartyItem | undefined> {
  const partyId = member.partyId as string;
  const why = { left: 'left the party', kicked: 'was removed from the party', disconnected: 'disconnected' }[
    change
  ];
  await withdrawTicket(
    deps,
    member,
    `${member.userId} ${why}`,
    change === 'left' ? member.userId : undefined,
  );
  let updated: PartyItem | undefined;
  try {
    updated = await changeParty(deps, partyId, (party) => {
      check?.(party);
      return withoutMember(party, member.userId);
    });
  } catch (error) {
    // A party already gone has nothing left to leave; anything else is the caller's to hear.
    if (!(error instanceof MatchmakingError && error.code === ErrorCode.NotFound)) throw error;
  }
  await deps.players.leaveParty(member.userId, partyId);
  if (updated) await tellMembers(deps, updated.members, partyEvent(updated, change, member.userId));
  return updated;
}

async function playerOf(deps: Pick<PartyDeps, 'players'>, userId: string): Promise<PlayerItem> {
  const player = await deps.players.get(userId);
  if (!player) throw new MatchmakingError(ErrorCode.NotFound, 'unknown player: reconnect and try again');
  return player;
}

function assertNoParty(player: PlayerItem): void {
  if (player.partyId) {
    throw new MatchmakingError(ErrorCode.AlreadyInParty, 'already in a party: leave it first', {
      partyId: player.partyId,
    });
  }
}

function assertNotQueued(player: PlayerItem): void {
  if (player.status === 'queued') {
    throw new MatchmakingError(
      ErrorCode.AlreadyQueued,
      'in the queue: leave it first (a party queues together)',
    );
  }
}

function partyFull(largestTeam: number): MatchmakingError {
  return new MatchmakingError(
    ErrorCode.PartyFull,
    `the party is full (${largestTeam} players, the largest team)`,
  );
}

function notLeader(party: PartyItem | undefined): MatchmakingError {
  return new MatchmakingError(
    ErrorCode.NotPartyLeader,
    `only the party leader${party ? ` (${party.leaderId})` : ''} can do that`,
  );
}
