import { matchLatency } from '../src/matching/latency.js';
import type { FormedMatch, Ticket } from '../src/matching/types.js';
import { random } from './random.js';

export const LATENCY_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1'] as const;

/**
 * Where players live (share of tickets) and their typical round trip to each
 * region (ms, in LATENCY_REGIONS order): public cloud ping tables' orders of
 * magnitude, from a home connection.
 */
const CONTINENTS: readonly { name: string; share: number; rtt: readonly number[] }[] = [
  { name: 'North America east', share: 0.3, rtt: [25, 75, 90, 170] },
  { name: 'North America west', share: 0.15, rtt: [75, 25, 150, 115] },
  { name: 'Europe', share: 0.35, rtt: [90, 155, 25, 240] },
  { name: 'Asia', share: 0.2, rtt: [175, 115, 235, 35] },
];

export const LATENCY_MIX_LABEL = `${CONTINENTS.map((c) => `${c.name} ${100 * c.share}%`).join(', ')}; regions ${LATENCY_REGIONS.join(', ')}`;

/**
 * The pool's tickets with latencies for every player: a ticket's home
 * continent by CONTINENTS' shares, each member from it (one in ten from
 * another continent: friends abroad), each ping the continent's round trip
 * x 0.9..1.15 plus a last-mile tail of 0..30 ms; one player in twenty did not
 * report one region (not their best).
 */
export function withLatencies(pool: readonly Ticket[], seed: number): Ticket[] {
  const next = random(seed);
  return pool.map((ticket) => {
    const home = continent(next());
    return {
      ...ticket,
      players: ticket.players.map((player) => {
        const from = next() < 0.1 ? continent(next()) : home;
        const pings = from.rtt.map((rtt) => Math.round(rtt * (0.9 + 0.25 * next()) + 30 * next() ** 2));
        const best = pings.indexOf(Math.min(...pings));
        const missing = next() < 0.05 ? Math.floor(next() * pings.length) : -1;
        const latencies = Object.fromEntries(
          LATENCY_REGIONS.flatMap((region, i) =>
            i === missing && i !== best ? [] : [[region, pings[i] as number]],
          ),
        );
        return { ...player, latencies };
      }),
    };
  });
}

function continent(draw: number): (typeof CONTINENTS)[number] {
  let cumulative = 0;
  for (const c of CONTINENTS) {
    cumulative += c.share;
    if (draw < cumulative) return c;
  }
  return CONTINENTS[CONTINENTS.length - 1] as (typeof CONTINENTS)[number];
}

/**
 * Today's way, for comparison: each ticket queues in one region, the one
 * where its worst member ping is lowest among the regions all reported, and
 * carries no latencies (matched in that region only).
 */
export function fixedAtBestRegion(pool: readonly Ticket[]): Ticket[] {
  return pool.map((ticket) => {
    let region = ticket.region;
    let worst = Number.POSITIVE_INFINITY;
    for (const candidate of LATENCY_REGIONS) {
      const here = matchLatency([ticket], candidate);
      if (here && here.worstMs < worst) {
        worst = here.worstMs;
        region = candidate;
      }
    }
    return { ...ticket, region, players: ticket.players.map(({ latencies: _, ...player }) => player) };
  });
}

export interface LatencyQuality {
  /** Worst member latency of the formed matches (ms), median and 95th percentile. */
  worstP50: number;
  worstP95: number;
  /** Share of matches whose worst member latency is over 150 ms. */
  over150: number;
}

/** Latency of matches by the players' real pings (from `measured`, by ticket id), whatever the pass saw. */
export function latencyQuality(matches: readonly FormedMatch[], measured: readonly Ticket[]): LatencyQuality {
  const byId = new Map(measured.map((ticket) => [ticket.ticketId, ticket]));
  const worst = matches
    .map((match) => {
      const tickets = [...match.home, ...match.away].map((t) => byId.get(t.ticketId) as Ticket);
      return matchLatency(tickets, match.region)?.worstMs ?? Number.POSITIVE_INFINITY;
    })
    .sort((a, b) => a - b);
  const at = (q: number) => worst[Math.min(worst.length - 1, Math.floor(worst.length * q))] ?? 0;
  return {
    worstP50: at(0.5),
    worstP95: at(0.95),
    over150: worst.filter((ms) => ms > 150).length / Math.max(1, worst.length),
  };
}
