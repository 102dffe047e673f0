import type { Ticket } from './types.js';

/** Two teams of whole tickets, each with exactly teamSize players. */
export interface TeamSplit {
  home: Ticket[];
  away: Ticket[];
}

/** Constraints on a split. */
export interface SplitOptions {
  /** Both teams must have the same multiset of party sizes ({2,1} vs {2,1}, never {2} vs {1,1}). */
  mirrored?: boolean;
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
 * (equal sizes, so of the rating sums), among the mirrored splits only if
 * asked. Returns undefined when the party sizes cannot make two such teams.
 * Deterministic: ties keep the first split found.
 */
export function splitTeams(
  tickets: readonly Ticket[],
  teamSize: number,
  options: SplitOptions = {},
): TeamSplit | undefined {
  if (size(tickets) !== 2 * teamSize) return undefined;
  // Half of each party size's count per team; odd counts cannot be mirrored.
  const quota = options.mirrored ? halfCounts(tickets) : undefined;
  if (quota === null) return undefined;
  return tickets.length <= EXHAUSTIVE_LIMIT
    ? exhaustiveSplit(tickets, teamSize, quota)
    : heuristicSplit(tickets, teamSize, quota);
}

/** The absolute difference of the two teams' mean ratings. */
export function teamMeanDifference(split: TeamSplit): number {
  return Math.abs(ratingSum(split.home) / size(split.home) - ratingSum(split.away) / size(split.away));
}

/** Party size -> how many tickets of that size each team gets in a mirrored split; null if a count is odd. */
type Quota = ReadonlyMap<number, number>;

function halfCounts(tickets: readonly Ticket[]): Quota | null {
  const counts = new Map<number, number>();
  for (const ticket of tickets)
    counts.set(ticket.players.length, (counts.get(ticket.players.length) ?? 0) + 1);
  for (const [partySize, count] of counts) {
    if (count % 2 !== 0) return null;
    counts.set(partySize, count / 2);
  }
  return counts;
}

/**
 * The mirrored check without allocating per split: each ticket's digit is 1
 * at its party size's place in base (tickets + 1), so a team's digit sum
 * counts its tickets of each size without carries, and equals `target` only
 * if every count meets the quota (at most 14 tickets in pairs: 7 places, 15^7
 * is exact in a double).
 */
function quotaCheck(tickets: readonly Ticket[], quota: Quota): (mask: number) => boolean {
  const base = tickets.length + 1;
  const place = new Map([...quota.keys()].map((partySize, i) => [partySize, base ** i]));
  const digits = tickets.map((ticket) => place.get(ticket.players.length) ?? 0);
  const target = [...quota].reduce((sum, [partySize, count]) => sum + count * (place.get(partySize) ?? 0), 0);
  return (mask) => {
    let composition = 0;
    for (let i = 0; i < digits.length; i += 1) if (mask & (1 << i)) composition += digits[i] ?? 0;
    return composition === target;
  };
}

function exhaustiveSplit(tickets: readonly Ticket[], teamSize: number, quota?: Quota): TeamSplit | undefined {
  const sizes = tickets.map((ticket) => ticket.players.length);
  const sums = tickets.map((ticket) => ratingSum([ticket]));
  const total = sums.reduce((a, b) => a + b, 0);
  // One party size only (all solos, say): every split of teamSize players meets it.
  const meetsQuota = quota && quota.size > 1 && quotaCheck(tickets, quota);
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
    if (players !== teamSize || (meetsQuota && !meetsQuota(mask))) continue;
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
 * pairwise swaps of equal-size tickets while they improve the balance. Every
 * candidate of a mirrored split is mirrored (solos trivially), and swaps of
 * equal sizes keep it so.
 */
function heuristicSplit(tickets: readonly Ticket[], teamSize: number, quota?: Quota): TeamSplit | undefined {
  const byRating = [...tickets].sort((a, b) => meanOf(b) - meanOf(a) || a.ticketId.localeCompare(b.ticketId));
  const candidates: TeamSplit[] = [];
  const greedy = greedySplit(byRating, teamSize, quota);
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

function greedySplit(byRating: readonly Ticket[], teamSize: number, quota?: Quota): TeamSplit | undefined {
  // Largest parties first so they still fit, then by rating.
  const order = [...byRating].sort((a, b) => b.players.length - a.players.length);
  const home: Ticket[] = [];
  const away: Ticket[] = [];
  const fits = (team: Ticket[], ticket: Ticket): boolean =>
    size(team) + ticket.players.length <= teamSize &&
    (!quota || countOfSize(team, ticket.players.length) < (quota.get(ticket.players.length) ?? 0));
  for (const ticket of order) {
    const fitsHome = fits(home, ticket);
    const fitsAway = fits(away, ticket);
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

function countOfSize(team: readonly Ticket[], partySize: number): number {
  return team.filter((ticket) => ticket.players.length === partySize).length;
}

function meanOf(ticket: Ticket): number {
  return ratingSum([ticket]) / ticket.players.length;
}
