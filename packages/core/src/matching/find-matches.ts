import { splitTeams } from './team-split.js';
import type { FormedMatch, MatchingConfig, MatchingResult, Ticket } from './types.js';
import { assertMatchingConfig, currentWindow, isMatchable } from './window.js';

/**
 * How many unused neighbours (by rating) a ticket looks at on each side before
 * it gives up for this pass. It bounds a pass to O(N log N) (the sort) plus
 * O(N * probes); a ticket that gives up is tried again on the next pass.
 */
const PROBES_PER_SIDE = 64;

/**
 * One matching pass. Rules (see the matching tests for each):
 * - a ticket's window is +-currentWindow() rating points around each of its
 *   players; every player of a match lies inside the window of every member;
 * - the longest-waiting ticket is served first and picks the nearest ratings;
 * - parties stay whole on one team; regions never mix;
 * - teams are split to minimise the difference of team mean ratings;
 * - the same input gives the same output; matched + remaining = pool.
 * Tickets that can never match (empty, larger than a team, non-finite ratings)
 * stay in `remaining` for the caller to reject.
 */
export function findMatches(pool: readonly Ticket[], now: number, config: MatchingConfig): MatchingResult {
  assertMatchingConfig(config);
  const byRegion = new Map<string, Ticket[]>();
  for (const ticket of pool) {
    if (!isMatchable(ticket, config.teamSize)) continue;
    const list = byRegion.get(ticket.region) ?? [];
    list.push(ticket);
    byRegion.set(ticket.region, list);
  }
  const matches: FormedMatch[] = [];
  const used = new Set<Ticket>();
  for (const region of [...byRegion.keys()].sort()) {
    for (const match of matchRegion(byRegion.get(region) ?? [], now, config)) {
      matches.push(match);
      for (const ticket of [...match.home, ...match.away]) used.add(ticket);
    }
  }
  return { matches, remaining: pool.filter((ticket) => !used.has(ticket)) };
}

/** A ticket with what the matcher needs precomputed. */
interface Entry {
  ticket: Ticket;
  mean: number;
  min: number;
  max: number;
  window: number;
}

/** The intersection of the chosen members' windows and the spread of their players. */
interface Selection {
  entries: Entry[];
  players: number;
  lo: number;
  hi: number;
  min: number;
  max: number;
}

function matchRegion(tickets: readonly Ticket[], now: number, config: MatchingConfig): FormedMatch[] {
  const entries = tickets.map((ticket) => toEntry(ticket, now, config));
  const byRating = [...entries].sort((a, b) => a.mean - b.mean || compareIds(a, b));
  const list = new RatingList(byRating);
  const byWait = [...entries].sort((a, b) => a.ticket.enqueuedAt - b.ticket.enqueuedAt || compareIds(a, b));
  const matches: FormedMatch[] = [];
  for (const anchor of byWait) {
    if (!list.has(anchor)) continue;
    const match = formAround(anchor, list, config.teamSize);
    if (!match) continue;
    for (const ticket of [...match.home, ...match.away]) list.remove(ticket);
    matches.push({ region: anchor.ticket.region, home: match.home, away: match.away });
  }
  return matches;
}

/** Grows a selection from the anchor outwards, nearest rating first, until two full teams can be split. */
function formAround(anchor: Entry, list: RatingList, teamSize: number) {
  const target = 2 * teamSize;
  let selection = select(undefined, anchor);
  if (selection.players === target) return splitTeams([anchor.ticket], teamSize);
  for (const candidate of list.nearest(anchor, PROBES_PER_SIDE)) {
    if (selection.players + candidate.ticket.players.length > target) continue;
    if (!compatible(selection, candidate)) continue;
    const next = select(selection, candidate);
    if (next.players < target) {
      selection = next;
      continue;
    }
    const split = splitTeams(
      next.entries.map((entry) => entry.ticket),
      teamSize,
    );
    if (split) return split;
  }
  return undefined;
}

function select(selection: Selection | undefined, entry: Entry): Selection {
  const lo = entry.max - entry.window;
  const hi = entry.min + entry.window;
  if (!selection)
    return { entries: [entry], players: entry.ticket.players.length, lo, hi, min: entry.min, max: entry.max };
  return {
    entries: [...selection.entries, entry],
    players: selection.players + entry.ticket.players.length,
    lo: Math.max(selection.lo, lo),
    hi: Math.min(selection.hi, hi),
    min: Math.min(selection.min, entry.min),
    max: Math.max(selection.max, entry.max),
  };
}

/** Every player inside every window: the candidate's players in the selection's windows and vice versa. */
function compatible(selection: Selection, entry: Entry): boolean {
  const min = Math.min(selection.min, entry.min);
  const max = Math.max(selection.max, entry.max);
  return (
    min >= selection.lo &&
    max <= selection.hi &&
    min >= entry.max - entry.window &&
    max <= entry.min + entry.window
  );
}

function toEntry(ticket: Ticket, now: number, config: MatchingConfig): Entry {
  const ratings = ticket.players.map((player) => player.rating);
  return {
    ticket,
    mean: ratings.reduce((a, b) => a + b, 0) / ratings.length,
    min: Math.min(...ratings),
    max: Math.max(...ratings),
    window: currentWindow(ticket, now, config),
  };
}

function compareIds(a: Entry, b: Entry): number {
  return a.ticket.ticketId < b.ticket.ticketId ? -1 : a.ticket.ticketId > b.ticket.ticketId ? 1 : 0;
}

/** The unmatched tickets of a region in rating order, as a linked list so removal is O(1). */
class RatingList {
  private readonly index = new Map<Ticket, number>();
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly removed: Uint8Array;

  constructor(private readonly entries: readonly Entry[]) {
    const n = entries.length;
    this.prev = new Int32Array(n);
    this.next = new Int32Array(n);
    this.removed = new Uint8Array(n);
    entries.forEach((entry, i) => {
      this.index.set(entry.ticket, i);
      this.prev[i] = i - 1;
      this.next[i] = i + 1 < n ? i + 1 : -1;
    });
  }

  has(entry: Entry): boolean {
    const i = this.index.get(entry.ticket);
    return i !== undefined && this.removed[i] === 0;
  }

  remove(ticket: Ticket): void {
    const i = this.index.get(ticket);
    if (i === undefined || this.removed[i]) return;
    this.removed[i] = 1;
    const p = this.prev[i] as number;
    const n = this.next[i] as number;
    if (p >= 0) this.next[p] = n;
    if (n >= 0) this.prev[n] = p;
  }

  /** Unmatched neighbours of the anchor, nearest mean rating first, at most `perSide` on each side. */
  *nearest(anchor: Entry, perSide: number): Generator<Entry> {
    const at = this.index.get(anchor.ticket) as number;
    let left = this.prev[at] as number;
    let right = this.next[at] as number;
    let leftLeft = perSide;
    let rightLeft = perSide;
    while ((left >= 0 && leftLeft > 0) || (right >= 0 && rightLeft > 0)) {
      const l = left >= 0 && leftLeft > 0 ? (this.entries[left] as Entry) : undefined;
      const r = right >= 0 && rightLeft > 0 ? (this.entries[right] as Entry) : undefined;
      const takeLeft = l !== undefined && (r === undefined || anchor.mean - l.mean <= r.mean - anchor.mean);
      if (takeLeft) {
        left = this.prev[left] as number;
        leftLeft -= 1;
        yield l;
      } else if (r) {
        right = this.next[right] as number;
        rightLeft -= 1;
        yield r;
      }
    }
  }
}
