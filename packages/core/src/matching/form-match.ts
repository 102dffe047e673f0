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
 * Grows a selection from the anchor through the candidates (nearest rating
 * first) until two full teams can be split.
 */
export function formMatch(
  anchor: Entry,
  candidates: readonly Entry[],
  teamSize: number,
): TeamSplit | undefined {
  const target = 2 * teamSize;
  let selection = select(undefined, anchor);
  for (const candidate of candidates) {
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
    players: selection.players + entry.ticket.players.length,
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
