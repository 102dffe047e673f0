import { ErrorCode, events, MatchmakingError, type ServerEvent } from '@matchmaking/core';
import type { PartyItem, PlayerItem } from '../data/items.js';
import { notifyConnection } from '../match/notify.js';
import { withdrawTicket } from '../use-cases/withdraw-ticket.js';
import { changeParty, type PartyDeps, tellMembers, withoutMember } from './party-changes.js';

/** Codes tried when a new one is taken (1 in 10^12 each: never more than one in practice). */
const CODE_ATTEMPTS = 5;

/**
 * createParty: a party of one with a new invite code, its creator the leader.
 * A queued player must leave the queue first (a party queues together).
 */
export async function createParty(
  deps: PartyDeps,
  userId: string,
  latencies?: Record<string, number>,
): Promise<ServerEvent> {
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
  if (!(await deps.players.joinParty(userId, party.partyId, latencies))) {
    await deps.parties.delete(party.partyId, party.version);
    throw new MatchmakingError(ErrorCode.AlreadyInParty, 'already in a party (another request won)');
  }
  return events.partyUpdated(party, 'created', userId);
}

/**
 * joinParty {code}: joins a party that has room (the largest team of any
 * queue), is not in the queue (the leader takes it out first: nobody
 * holding the code can pull a queued party out) and has not removed this
 * player. If a join races the leader's joinQueue, the leader's join sees
 * the party changed and takes its ticket out again.
 */
export async function joinParty(
  deps: PartyDeps,
  largestTeam: number,
  userId: string,
  code: string,
  latencies?: Record<string, number>,
): Promise<ServerEvent> {
  const player = await playerOf(deps, userId);
  assertNoParty(player);
  assertNotQueued(player);
  const party = await deps.parties.get(code);
  if (!party) throw new MatchmakingError(ErrorCode.NotFound, `no party with code ${code}`);
  const admit = (current: PartyItem) => {
    if (current.kicked?.includes(userId)) {
      throw new MatchmakingError(ErrorCode.Forbidden, 'the party leader removed you from this party');
    }
    if (current.members.length >= largestTeam) throw partyFull(largestTeam);
  };
  admit(party);
  const leader = await deps.players.get(party.leaderId);
  if (leader?.status === 'queued' || leader?.status === 'matched') {
    // A party whose match is proposed or starting may go back to the queue as it was: nobody joins meanwhile.
    throw new MatchmakingError(
      ErrorCode.PartyCannotQueue,
      leader.status === 'queued'
        ? 'the party is in the queue: its leader must leave the queue before anyone joins'
        : 'the party has a match starting: join once it is under way',
    );
  }
  if (!(await deps.players.joinParty(userId, code, latencies))) {
    throw new MatchmakingError(ErrorCode.AlreadyInParty, 'already in a party, or in the queue');
  }
  let joined: PartyItem | undefined;
  try {
    joined = await changeParty(deps, code, (current) => {
      // A retried request that already got in changes nothing.
      if (current.members.includes(userId)) return current;
      admit(current);
      return { ...current, members: [...current.members, userId] };
    });
  } catch (error) {
    await deps.players.leaveParty(userId, code);
    throw error;
  }
  const updated = joined as PartyItem;
  const event = events.partyUpdated(updated, 'joined', userId);
  await tellMembers(deps, updated.members, event, userId);
  return event;
}

/** leaveParty: leaves the party (and takes its ticket out of the queue); the next member leads if the leader left. */
export async function leaveParty(deps: PartyDeps, userId: string): Promise<ServerEvent> {
  const player = await playerOf(deps, userId);
  if (!player.partyId) throw new MatchmakingError(ErrorCode.NotInParty, 'not in a party');
  await removeMember(deps, player.partyId, userId, 'left');
  return events.partyLeft(player.partyId, 'left');
}

/** A member who disconnected leaves their party (so no party waits on someone gone). */
export async function leavePartyOnDisconnect(deps: PartyDeps, player: PlayerItem): Promise<void> {
  if (player.partyId) await removeMember(deps, player.partyId, player.userId, 'disconnected');
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
  const notMember = () => new MatchmakingError(ErrorCode.NotFound, `${targetId} is not in your party`);
  if (!party.members.includes(targetId)) throw notMember();
  const updated = await removeMember(deps, party.partyId, targetId, 'kicked', (current) => {
    if (current.leaderId !== userId) throw notLeader(current);
    if (!current.members.includes(targetId)) throw notMember();
  });
  const target = await deps.players.get(targetId);
  await notifyConnection(deps, target?.connectionId, events.partyLeft(party.partyId, 'kicked'));
  return events.partyUpdated(updated as PartyItem, 'kicked', targetId);
}

/**
 * Takes a member out: the party changes first (a kick is checked in the same
 * conditional write), then the member's record, then the party's ticket
 * leaves the queue if it was waiting (read after the change, so a leader's
 * joinQueue racing it either sees the new party or has its ticket taken out
 * here; everyone on it is told). A ticket a match already claimed stays with
 * the match. The rest of the party hear partyUpdated.
 */
async function removeMember(
  deps: PartyDeps,
  partyId: string,
  userId: string,
  change: 'left' | 'kicked' | 'disconnected',
  check?: (party: PartyItem) => void,
): Promise<PartyItem | undefined> {
  let updated: PartyItem | undefined;
  try {
    updated = await changeParty(deps, partyId, (party) => {
      check?.(party);
      const rest = withoutMember(party, userId);
      if (!rest || change !== 'kicked') return rest;
      return { ...rest, kicked: [...new Set([...(party.kicked ?? []), userId])].slice(-100) };
    });
  } catch (error) {
    // A party already gone has nothing left to leave; anything else is the caller's to hear.
    if (!(error instanceof MatchmakingError && error.code === ErrorCode.NotFound) || check) throw error;
  }
  await deps.players.leaveParty(userId, partyId);
  const member = await deps.players.get(userId);
  const why = { left: 'left the party', kicked: 'was removed from the party', disconnected: 'disconnected' }[
    change
  ];
  if (member) await withdrawTicket(deps, member, `${userId} ${why}`, change === 'left' ? userId : undefined);
  if (updated) await tellMembers(deps, updated.members, events.partyUpdated(updated, change, userId));
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
  // A match being proposed or started may still put its tickets back in the queue, as they were.
  if (player.status === 'matched') {
    throw new MatchmakingError(
      ErrorCode.AlreadyInMatch,
      'a match was found for you: answer or play it first',
      {
        matchId: player.matchId,
      },
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
