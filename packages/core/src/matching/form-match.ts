import { splitTeams, type TeamSplit } from './team-split.js';
import type { MatchingConfig, Ticket } from './types.js';
import { currentWindow, windowRating } from './window.js';

/** A ticket with what the matcher needs precomputed. */
export interface Entry {
  ticket: Ticket;
  /** The ticket's rating for the window (its party rating); also the order of nearest ratings. */
  rating: number;
  window: number;
}

/** The chosen tickets, the intersection of their windows and the range of their ratings. */
interface Selection {
  entries: Entry[];
  players: number;
  lo: number;
  hi: number;
  min: number;
  max: number;
}

export function toEntry(ticket: Ticket, now: number, config: MatchingConfig): Entry {
  return { ticket, rating: windowRating(ticket, config), window: currentWindow(ticket, now, config) };
}

/**
 * Forms a match around the anchor from its nearest tickets (nearest rating
 * first, at most the probe bound). Phase 1 (preferSimilarParties, the
 * default) only accepts two teams with the same party sizes; phase 2, only if
 * phase 1 found nothing, accepts any two full teams.
 */
export function formMatch(
  anchor: Entry,
  nearest: Iterator<Entry>,
  config: MatchingConfig,
): TeamSplit | undefined {
  const candidates = new Candidates(nearest);
  const mirrored =
    config.preferSimilarParties === false ? undefined : formMirrored(anchor, candidates, config);
  return mirrored ?? formAny(anchor, candidates, config.teamSize);
}

/**
 * Phase 1: grows the selection in pairs of equal party sizes, one of each
 * pair per team. A candidate either mirrors a party size still waiting for its
 * counterpart, or opens a new pair when there is room on each team for it and
 * its mirror and a candidate of its size is still ahead to close it (so a
 * party with no counterpart in reach does not block a match of the others).
 */
function formMirrored(anchor: Entry, candidates: Candidates, config: MatchingConfig) {
  const { teamSize } = config;
  const ahead = new SizesAhead(candidates);
  const pairs = new Pairs(teamSize);
  pairs.add(sizeOf(anchor));
  let selection = select(undefined, anchor);
  for (const [i, candidate] of candidates) {
    const partySize = sizeOf(candidate);
    const fits = pairs.closes(partySize) || (pairs.canOpen(partySize) && ahead.has(i, partySize));
    if (!fits || !compatible(selection, candidate)) continue;
    selection = select(selection, candidate);
    pairs.add(partySize);
    if (pairs.complete) return splitTeams(ticketsOf(selection), teamSize, { mirrored: true });
  }
  return undefined;
}

/** The party sizes of a mirrored selection: pairs of equal sizes, one per team. */
class Pairs {
  /** Per party size, the tickets still waiting for their mirror on the other team. */
  private readonly waiting: number[];
  private open = 0;
  /** Players per team once every pair closes. */
  private perTeam = 0;

  constructor(private readonly teamSize: number) {
    this.waiting = new Array<number>(teamSize + 1).fill(0);
  }

  closes(partySize: number): boolean {
    return (this.waiting[partySize] ?? 0) > 0;
  }

  canOpen(partySize: number): boolean {
    return this.perTeam + partySize <= this.teamSize;
  }

  /** Closes the pair waiting for this size, or opens a new one. */
  add(partySize: number): void {
    const closes = this.closes(partySize);
    this.waiting[partySize] = (this.waiting[partySize] ?? 0) + (closes ? -1 : 1);
    this.open += closes ? -1 : 1;
    if (!closes) this.perTeam += partySize;
  }

  /** Two full teams with the same party sizes. */
  get complete(): boolean {
    return this.open === 0 && this.perTeam === this.teamSize;
  }
}

/** Phase 2: nearest ratings first until two full teams of any party sizes can be split. */
function formAny(anchor: Entry, candidates: Candidates, teamSize: number): TeamSplit | undefined {
  const target = 2 * teamSize;
  let selection = select(undefined, anchor);
  for (const [, candidate] of candidates) {
    if (selection.players + sizeOf(candidate) > target) continue;
    if (!compatible(selection, candidate)) continue;
    const next = select(selection, candidate);
    if (next.players < target) {
      selection = next;
      continue;
    }
    const split = splitTeams(ticketsOf(next), teamSize);
    if (split) return split;
  }
  return undefined;
}

const sizeOf = (entry: Entry): number => entry.ticket.players.length;
const ticketsOf = (selection: Selection): Ticket[] => selection.entries.map((entry) => entry.ticket);

/**
 * The anchor's nearest tickets, read from the walk only as far as a phase
 * needs (a match is usually formed from the first few), and kept for the
 * other phase.
 */
class Candidates {
  private readonly read: Entry[] = [];
  private done = false;

  constructor(private readonly walk: Iterator<Entry>) {}

  at(position: number): Entry | undefined {
    while (!this.done && this.read.length <= position) {
      const next = this.walk.next();
      if (next.done) this.done = true;
      else this.read.push(next.value);
    }
    return this.read[position];
  }

  /** The candidates in order, with their positions. */
  *[Symbol.iterator](): Generator<[number, Entry]> {
    for (let i = 0, candidate = this.at(0); candidate; i += 1, candidate = this.at(i)) yield [i, candidate];
  }
}

/**
 * Whether a candidate of a party size follows a position. Looked up lazily
 * and remembered per size, so a phase reads each candidate's size about once
 * per size asked for, and usually far fewer (the next solo is near).
 */
class SizesAhead {
  /** Per party size, the position of a later candidate of that size, or -1 if there is none. */
  private readonly found = new Map<number, number>();

  constructor(private readonly candidates: Candidates) {}

  has(position: number, partySize: number): boolean {
    const known = this.found.get(partySize);
    if (known === -1) return false;
    if (known !== undefined && known > position) return true;
    let next = position + 1;
    for (let c = this.candidates.at(next); c && sizeOf(c) !== partySize; c = this.candidates.at(next))
      next += 1;
    const found = this.candidates.at(next) !== undefined;
    this.found.set(partySize, found ? next : -1);
    return found;
  }
}

function select(selection: Selection | undefined, entry: Entry): Selection {
  const lo = entry.rating - entry.window;
  const hi = entry.rating + entry.window;
  if (!selection)
    return {
      entries: [entry],
      players: entry.ticket.players.length,
      lo,
      hi,
      min: entry.rating,
      max: entry.rating,
    };
  return {
    entries: [...selection.entries, entry],
    players: selection.players + sizeOf(entry),
    lo: Math.max(selection.lo, lo),
    hi: Math.min(selection.hi, hi),
    min: Math.min(selection.min, entry.rating),
    max: Math.max(selection.max, entry.rating),
  };
}

/**
 * Every ticket's rating inside every other ticket's window: the candidate's
 * rating in the selection's windows, and the selection's ratings in the
 * candidate's window.
 */
function compatible(selection: Selection, entry: Entry): boolean {
  return (
    entry.rating >= selection.lo &&
    entry.rating <= selection.hi &&
    Math.abs(selection.min - entry.rating) <= entry.window &&
    Math.abs(selection.max - entry.rating) <= entry.window
  );
}
