import type { Ticket } from './types.js';

/** Two teams of whole tickets, each with exactly teamSize players. */
export interface TeamSplit {
  home: Ticket[];
  away: Ticket[];
}

/** Up to this many tickets every assignment is tried (2^(n-1) subsets); above it a heuristic runs. */
const EXHAUSTIVE_LIMIT = 14;

const ratingSum = (tickets: readonly Ticket[]): number =>
  tickets.reduce((sum, ticket) => sum + ticket.players.reduce((s, player) => s + player.rating, 0), 0);
const size = (tickets: readonly Ticket[]): number =>
  tickets.reduce((sum, ticket) => sum + ticket.players.length, 0);

/**
 * Splits the tickets (2*teamSize players in all) into two teams of teamSize
 * players, parties kept whole, minimising the difference of team mean ratings
 * (equal sizes, so of the rating sums). Returns undefined when the party sizes
 * cannot make two equal teams. Deterministic: ties keep the first split found.
 */
export function splitTeams(tickets: readonly Ticket[], teamSize: number): TeamSplit | undefined {
  if (size(tickets) !== 2 * teamSize) return undefined;
  return tickets.length <= EXHAUSTIVE_LIMIT
    ? exhaustiveSplit(tickets, teamSize)
    : heuristicSplit(tickets, teamSize);
}

/** The absolute difference of the two teams' mean ratings. */
export function teamMeanDifference(split: TeamSplit): number {
  return Math.abs(ratingSum(split.home) / size(split.home) - ratingSum(split.away) / size(split.away));
}

function exhaustiveSplit(tickets: readonly Ticket[], teamSize: number): TeamSplit | undefined {
  const sizes = tickets.map((ticket) => ticket.players.length);
  const sums = tickets.map((ticket) => ratingSum([ticket]));
  const total = sums.reduce((a, b) => a + b, 0);
  let best = -1;
  let bestDiff = Number.POSITIVE_INFINITY;
  // The first ticket is always home: the mirrored assignments are the same split.
  const count = tickets.length;
  for (let mask = 1; mask < 1 << count; mask += 2) {
    let players = 0;
    let sum = 0;
    for (let i = 0; i < count; i += 1) {
      if (mask & (1 << i)) {
        players += sizes[i] ?? 0;
        sum += sums[i] ?? 0;
      }
    }
    if (players !== teamSize) continue;
    const diff = Math.abs(2 * sum - total);
    if (diff < bestDiff) {
      bestDiff = diff;
      best = mask;
    }
  }
  if (best < 0) return undefined;
  return {
    home: tickets.filter((_, i) => best & (1 << i)),
    away: tickets.filter((_, i) => !(best & (1 << i))),
  };
}

/**
 * Large teams: greedy by rating into the lighter team with room, then the
 * seed's alternate and ABBA orders (solo tickets only) as candidates, then
 * pairwise swaps of equal-size tickets while they improve the balance.
 */
function heuristicSplit(tickets: readonly Ticket[], teamSize: number): TeamSplit | undefined {
  const byRating = [...tickets].sort((a, b) => meanOf(b) - meanOf(a) || a.ticketId.localeCompare(b.ticketId));
  const candidates: TeamSplit[] = [];
  const greedy = greedySplit(byRating, teamSize);
  if (greedy) candidates.push(greedy);
  if (tickets.every((ticket) => ticket.players.length === 1)) {
    candidates.push(patternSplit(byRating, (i) => i % 2 === 0));
    candidates.push(patternSplit(byRating, (i) => i % 4 === 0 || i % 4 === 3));
  }
  let best: TeamSplit | undefined;
  for (const candidate of candidates) {
    if (!best || teamMeanDifference(candidate) < teamMeanDifference(best)) best = candidate;
  }
  return best && improveBySwaps(best);
}

function greedySplit(byRating: readonly Ticket[], teamSize: number): TeamSplit | undefined {
  // Largest parties first so they still fit, then by rating.
  const order = [...byRating].sort((a, b) => b.players.length - a.players.length);
  const home: Ticket[] = [];
  const away: Ticket[] = [];
  for (const ticket of order) {
    const fitsHome = size(home) + ticket.players.length <= teamSize;
    const fitsAway = size(away) + ticket.players.length <= teamSize;
    if (fitsHome && (!fitsAway || ratingSum(home) <= ratingSum(away))) home.push(ticket);
    else if (fitsAway) away.push(ticket);
    else return undefined;
  }
  return { home, away };
}

function patternSplit(byRating: readonly Ticket[], isHome: (index: number) => boolean): TeamSplit {
  return { home: byRating.filter((_, i) => isHome(i)), away: byRating.filter((_, i) => !isHome(i)) };
}

function improveBySwaps(split: TeamSplit): TeamSplit {
  const home = [...split.home];
  const away = [...split.away];
  let improved = true;
  while (improved) {
    improved = false;
    const gap = ratingSum(home) - ratingSum(away);
    for (let i = 0; i < home.length && !improved; i += 1) {
      for (let j = 0; j < away.length && !improved; j += 1) {
        const h = home[i] as Ticket;
        const a = away[j] as Ticket;
        if (h.players.length !== a.players.length) continue;
        const delta = ratingSum([h]) - ratingSum([a]);
        if (Math.abs(gap - 2 * delta) < Math.abs(gap) - 1e-9) {
          home[i] = a;
          away[j] = h;
          improved = true;
        }
      }
    }
  }
  return { home, away };
}

function meanOf(ticket: Ticket): number {
  return ratingSum([ticket]) / ticket.players.length;
}
