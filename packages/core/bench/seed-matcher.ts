import type { FormedMatch, Ticket } from '../src/matching/types.js';

/**
 * The seed's matching pass, re-implemented faithfully for the benchmark only
 * (its find_matches_from_queue / find_intersecting_players, DESIGN.md): for
 * each queued player in table order, the candidates are every other queued
 * player whose rating lies within the player's +-2*RD (a full pass over the
 * queue: O(N^2)); a group fits while the lowest (rating + 2RD) stays >= the
 * highest (rating - 2RD); teams are the players sorted by rating split either
 * alternately or in ABBA order, whichever gives the smaller difference of
 * rating sums. Solo tickets only, as in the seed.
 */
export function seedFindMatches(
  pool: readonly Ticket[],
  teamSize: number,
  deadline: number,
): { matches: FormedMatch[]; capped: boolean } {
  const size = 2 * teamSize;
  const queued = [...pool];
  const taken = new Set<Ticket>();
  const matches: FormedMatch[] = [];
  for (const player of queued) {
    if (performance.now() > deadline) return { matches, capped: true };
    if (taken.has(player)) continue;
    const group = intersectingPlayers(player, queued, taken, size);
    if (!group) continue;
    for (const ticket of group) taken.add(ticket);
    matches.push({ region: player.region, ...seedTeams(group) });
  }
  return { matches, capped: false };
}

const ratingOf = (ticket: Ticket): number => ticket.players[0]?.rating ?? 0;
const rdOf = (ticket: Ticket): number => ticket.players[0]?.rd ?? 0;

function intersectingPlayers(
  player: Ticket,
  queued: readonly Ticket[],
  taken: ReadonlySet<Ticket>,
  size: number,
): Ticket[] | undefined {
  const low = ratingOf(player) - 2 * rdOf(player);
  const high = ratingOf(player) + 2 * rdOf(player);
  const group = [player];
  let lowestTop = high;
  let highestBottom = low;
  for (const other of queued) {
    if (other === player || taken.has(other)) continue;
    const rating = ratingOf(other);
    if (rating < low || rating > high) continue;
    const top = Math.min(lowestTop, rating + 2 * rdOf(other));
    const bottom = Math.max(highestBottom, rating - 2 * rdOf(other));
    if (top < bottom) continue;
    group.push(other);
    lowestTop = top;
    highestBottom = bottom;
    if (group.length === size) return group;
  }
  return undefined;
}

function seedTeams(group: readonly Ticket[]): { home: Ticket[]; away: Ticket[] } {
  const sorted = [...group].sort((a, b) => ratingOf(b) - ratingOf(a));
  const alternate = split(sorted, (i) => i % 2 === 0);
  const abba = split(sorted, (i) => i % 4 === 0 || i % 4 === 3);
  return gap(alternate) <= gap(abba) ? alternate : abba;
}

function split(sorted: readonly Ticket[], isHome: (i: number) => boolean) {
  return { home: sorted.filter((_, i) => isHome(i)), away: sorted.filter((_, i) => !isHome(i)) };
}

function gap(teams: { home: Ticket[]; away: Ticket[] }): number {
  const sum = (tickets: Ticket[]) => tickets.reduce((s, t) => s + ratingOf(t), 0);
  return Math.abs(sum(teams.home) - sum(teams.away));
}
