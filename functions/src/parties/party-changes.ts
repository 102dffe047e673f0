import { ErrorCode, MatchmakingError, type ServerEvent } from '@matchmaking/core';
import type { PartyItem } from '../data/items.js';
import type { PartiesRepository } from '../data/parties-repository.js';
import { notifyConnection } from '../match/notify.js';
import type { Deps } from '../use-cases/deps.js';

export interface PartyDeps
  extends Pick<Deps, 'players' | 'tickets' | 'notifier' | 'connections' | 'clock' | 'queue'> {
  parties: PartiesRepository;
  /** New invite codes (random; see newPartyCode). */
  codes: { next(): string };
}

/** Times a change is retried when another change to the same party won the conditional write. */
const CHANGE_ATTEMPTS = 5;

/**
 * Applies `change` to the party's current version and writes it
 * conditionally, reading again when another change came first. `change`
 * returns the next party, `null` to delete it (its last member left), or
 * throws a MatchmakingError (the party is full, the caller is no longer
 * leader...). Returns the party as written (undefined when deleted).
 */
export async function changeParty(
  deps: Pick<PartyDeps, 'parties' | 'clock'>,
  partyId: string,
  change: (party: PartyItem) => Omit<PartyItem, 'version' | 'updatedAt'> | null,
): Promise<PartyItem | undefined> {
  for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt += 1) {
    const party = await deps.parties.get(partyId);
    if (!party) throw new MatchmakingError(ErrorCode.NotFound, `no party with code ${partyId}`);
    const next = change(party);
    if (next === null) {
      if (await deps.parties.delete(partyId, party.version)) return undefined;
      continue;
    }
    const written: PartyItem = { ...next, version: party.version + 1, updatedAt: deps.clock.now() };
    if (await deps.parties.replace(written)) return written;
  }
  throw new MatchmakingError(ErrorCode.Conflict, 'the party is changing too fast; try again');
}

/** Takes a member out of the party (leadership passes to the next member); undefined if it is now empty. */
export function withoutMember(
  party: PartyItem,
  userId: string,
): Omit<PartyItem, 'version' | 'updatedAt'> | null {
  const members = party.members.filter((member) => member !== userId);
  if (members.length === 0) return null;
  const leaderId = party.leaderId === userId ? (members[0] as string) : party.leaderId;
  return { ...party, members, leaderId };
}

/** Sends an event to every member but `except` (who gets the answer to their own request). */
export async function tellMembers(
  deps: Pick<PartyDeps, 'players' | 'notifier' | 'connections'>,
  members: readonly string[],
  event: ServerEvent,
  except?: string,
): Promise<void> {
  await Promise.all(
    members
      .filter((member) => member !== except)
      .map(async (member) => {
        const player = await deps.players.get(member);
        await notifyConnection(deps, player?.connectionId, event);
      }),
  );
}
