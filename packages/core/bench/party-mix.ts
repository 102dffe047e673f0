import type { FormedMatch, Ticket } from '../src/matching/types.js';
import { normal, random } from './random.js';

/** Share of tickets by party size (1..5): half solos, then fewer the larger the party. */
const PARTY_MIX: readonly [size: number, share: number][] = [
  [1, 0.5],
  [2, 0.2],
  [3, 0.15],
  [4, 0.1],
  [5, 0.05],
];

export const PARTY_MIX_LABEL = `tickets by party size ${PARTY_MIX.map(([size, share]) => `${size}: ${100 * share}%`).join(', ')}`;

/**
 * `players` players in one region as parties of 1..5 (PARTY_MIX by ticket),
 * waited 0..60 s. Player ratings are ~N(1500, 300) overall: a party's centre
 * ~N(1500, 285) and each member the centre + N(0, 100), since friends who
 * queue together play at similar levels. The last party is cut to fit.
 */
export function makePartyPool(players: number, now: number, seed: number): Ticket[] {
  const next = random(seed);
  const pool: Ticket[] = [];
  for (let placed = 0, i = 0; placed < players; i += 1) {
    const size = Math.min(partySize(next()), players - placed);
    const centre = 1500 + 285 * normal(next);
    pool.push({
      ticketId: `${String(i).padStart(7, '0')}`,
      region: 'eu-west-1',
      enqueuedAt: now - Math.floor(next() * 60_000),
      players: Array.from({ length: size }, (_, j) => ({
        userId: `u${i}-${j}`,
        rating: Math.min(2900, Math.max(100, centre + 100 * normal(next))),
        rd: 50 + next() * 300,
      })),
    });
    placed += size;
  }
  return pool;
}

function partySize(draw: number): number {
  let cumulative = 0;
  for (const [size, share] of PARTY_MIX) {
    cumulative += share;
    if (draw < cumulative) return size;
  }
  return PARTY_MIX[PARTY_MIX.length - 1]?.[0] ?? 1;
}

/** How the matches' teams are made of parties. Shares are of matches formed. */
export interface Composition {
  /** One team has a party of 2 or more, the other is all solos. */
  premadeVsSolo: number;
  /** Both teams have the same party sizes. */
  mirrored: number;
  /** Mean |largest party home - largest party away|, in players. */
  largestPartyGap: number;
}

export function composition(matches: readonly FormedMatch[]): Composition {
  const sizes = (team: readonly Ticket[]) => team.map((t) => t.players.length).sort((a, b) => a - b);
  const largest = (team: readonly Ticket[]) => Math.max(...sizes(team));
  const share = (test: (m: FormedMatch) => boolean) =>
    matches.filter(test).length / Math.max(1, matches.length);
  const premade = (team: readonly Ticket[], other: readonly Ticket[]) =>
    largest(team) >= 2 && largest(other) === 1;
  return {
    premadeVsSolo: share((m) => premade(m.home, m.away) || premade(m.away, m.home)),
    mirrored: share((m) => sizes(m.home).join() === sizes(m.away).join()),
    largestPartyGap:
      matches.reduce((sum, m) => sum + Math.abs(largest(m.home) - largest(m.away)), 0) /
      Math.max(1, matches.length),
  };
}
