import { leavePartyOnDisconnect } from '../parties/parties.js';
import type { PartyDeps } from '../parties/party-changes.js';
import { withdrawTicket } from './withdraw-ticket.js';

/**
 * $disconnect: forgets the connection. A player who was waiting loses the
 * ticket (a match already claimed it otherwise, and the match deals with
 * it); a party member leaves the party, and the party's ticket comes out of
 * the queue with everyone told. An older connection of the same player
 * closing changes nothing.
 */
export async function disconnectPlayer(deps: PartyDeps, connectionId: string): Promise<void> {
  const connection = await deps.connections.get(connectionId);
  if (!connection) return;
  await deps.connections.delete(connectionId);
  const player = await deps.players.get(connection.userId);
  if (!player || player.connectionId !== connectionId) return;
  const gone = (await deps.players.forgetConnection(player.userId, connectionId)) ?? player;
  if (gone.partyId) await leavePartyOnDisconnect(deps, gone);
  else await withdrawTicket(deps, gone, `${player.userId} disconnected`);
}
