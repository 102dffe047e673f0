import { events } from '@matchmaking/core';
import { proposals } from '../lifecycle/ready-check.js';
import type { Deps } from '../use-cases/deps.js';
import { notifyConnection } from './notify.js';

/**
 * Sends players who reconnected during a match its state: the proposal (the
 * ready check), or MATCH FOUND again and, once ready, the server address.
 */
export async function resendMatchState(
  deps: Pick<Deps, 'players' | 'matches' | 'notifier' | 'connections'>,
  userIds: readonly string[],
): Promise<void> {
  for (const userId of userIds) {
    const player = await deps.players.get(userId);
    if (!player?.matchId || !player.connectionId) continue;
    const match = await deps.matches.get(player.matchId);
    // The ready check: a player who reconnected can still accept before the deadline.
    const proposal = match?.state === 'proposed' ? proposals(match).get(userId) : undefined;
    if (proposal) await notifyConnection(deps, player.connectionId, proposal);
    if (!match || (match.state !== 'starting' && match.state !== 'ready')) continue;
    const team = match.home.some((p) => p.userId === userId) ? 'home' : 'away';
    const member = match[team].find((p) => p.userId === userId);
    const teams = { home: match.home.map((p) => p.userId), away: match.away.map((p) => p.userId) };
    const found = events.matchFound(match.matchId, match.region, team, teams);
    if (!(await notifyConnection(deps, player.connectionId, found)) || !match.server || !member) continue;
    await notifyConnection(
      deps,
      player.connectionId,
      events.serverReady(match.matchId, match.server.ip, match.server.port, member.joinKey),
    );
  }
}
