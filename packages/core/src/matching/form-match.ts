import { splitTeams, type TeamSplit } from './team-split.js';
import type { MatchingConfig, Ticket } from './types.js';
import { currentWindow } from './window.js';

/** A ticket with what the matcher needs precomputed. */
export interface Entry {
  ticket: Ticket;
  /** The rating the tickets are ordered by: the mean of the party's players. */
  rating: number;
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

export function toEntry(ticket: Ticket, now: number, config: MatchingConfig): Entry {
  const ratings = ticket.players.map((player) => player.rating);
  return {
    ticket,
    rating: ratings.reduce((a, b) => a + b, 0) / ratings.length,
    min: Math.min(...ratings),
    max: Math.max(...ratings),
    window: currentWindow(ticket, now, config),
  };
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
