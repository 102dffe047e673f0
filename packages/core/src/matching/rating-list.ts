import type { Ticket } from './types.js';

/** What the list needs of an entry: its ticket and the rating it is ordered by. */
export interface Rated {
  ticket: Ticket;
  rating: number;
}

/**
 * The unmatched tickets of a group in rating order (ties by ticket id, so the
 * order does not depend on the pool's), as a linked list so removal is O(1).
 */
export class RatingList<E extends Rated> {
  private readonly entries: readonly E[];
  private readonly index = new Map<Ticket, number>();
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly removed: Uint8Array;

  constructor(entries: readonly E[]) {
    this.entries = [...entries].sort((a, b) => a.rating - b.rating || compareIds(a.ticket, b.ticket));
    const n = this.entries.length;
    this.prev = new Int32Array(n);
    this.next = new Int32Array(n);
    this.removed = new Uint8Array(n);
    this.entries.forEach((entry, i) => {
      this.index.set(entry.ticket, i);
      this.prev[i] = i - 1;
      this.next[i] = i + 1 < n ? i + 1 : -1;
    });
  }

  has(ticket: Ticket): boolean {
    const i = this.index.get(ticket);
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

  /** Unmatched neighbours of the anchor, nearest rating first, at most `perSide` on each side. */
  *nearest(anchor: E, perSide: number): Generator<E> {
    const at = this.index.get(anchor.ticket) as number;
    let left = this.prev[at] as number;
    let right = this.next[at] as number;
    let leftLeft = perSide;
    let rightLeft = perSide;
    while ((left >= 0 && leftLeft > 0) || (right >= 0 && rightLeft > 0)) {
      const l = left >= 0 && leftLeft > 0 ? (this.entries[left] as E) : undefined;
      const r = right >= 0 && rightLeft > 0 ? (this.entries[right] as E) : undefined;
      if (l !== undefined && (r === undefined || anchor.rating - l.rating <= r.rating - anchor.rating)) {
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

export function compareIds(a: Ticket, b: Ticket): number {
  return a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0;
}
