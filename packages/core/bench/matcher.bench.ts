import { findMatches } from '../src/matching/find-matches.js';
import type { FormedMatch, MatchingConfig, Ticket } from '../src/matching/types.js';
import { seedFindMatches } from './seed-matcher.js';

/**
 * `pnpm bench:matcher`: one matching pass over 1k, 10k and 100k waiting
 * players (5v5, one region), our engine against the seed's algorithm. Prints
 * one table: median ms per pass, our/seed ratio, matches, match quality.
 */
const SIZES = [1_000, 10_000, 100_000];
const TEAM_SIZE = 5;
const NOW = 1_700_000_000_000;
const SEED_CAP_MS = 20_000;
const CONFIG: MatchingConfig = {
  teamSize: TEAM_SIZE,
  windowInitial: 100,
  windowGrowthPerSecond: 10,
  windowMax: 600,
};

/** Deterministic PRNG (mulberry32) so every run benchmarks the same pools. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ratings ~ N(1500, 300) clamped to 100..2900, RD uniform 50..350, waited 0..60 s. */
function makePool(count: number): Ticket[] {
  const next = random(count);
  return Array.from({ length: count }, (_, i) => {
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const rating = Math.min(2900, Math.max(100, 1500 + 300 * normal));
    return {
      ticketId: `${String(i).padStart(7, '0')}`,
      region: 'eu-west-1',
      enqueuedAt: NOW - Math.floor(next() * 60_000),
      players: [{ userId: `u${i}`, rating, rd: 50 + next() * 300 }],
    };
  });
}

interface Quality {
  matches: number;
  meanDiff: number;
  p95Diff: number;
  meanSpread: number;
}

function quality(matches: readonly FormedMatch[]): Quality {
  const ratings = (tickets: Ticket[]) => tickets.flatMap((t) => t.players.map((p) => p.rating));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const diffs = matches
    .map((m) => Math.abs(mean(ratings(m.home)) - mean(ratings(m.away))))
    .sort((a, b) => a - b);
  const spreads = matches.map((m) => {
    const all = ratings([...m.home, ...m.away]);
    return Math.max(...all) - Math.min(...all);
  });
  return {
    matches: matches.length,
    meanDiff: mean(diffs),
    p95Diff: diffs[Math.min(diffs.length - 1, Math.floor(diffs.length * 0.95))] ?? 0,
    meanSpread: mean(spreads),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function timeOurs(pool: Ticket[], runs: number): { ms: number; matches: FormedMatch[] } {
  let matches: FormedMatch[] = [];
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    matches = findMatches(pool, NOW, CONFIG).matches;
    times.push(performance.now() - start);
  }
  return { ms: median(times), matches };
}

function timeSeed(pool: Ticket[], runs: number): { ms: number; matches: FormedMatch[]; capped: boolean } {
  let result = { matches: [] as FormedMatch[], capped: false };
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    result = seedFindMatches(pool, TEAM_SIZE, start + SEED_CAP_MS);
    times.push(performance.now() - start);
    if (result.capped) break;
  }
  return { ms: median(times), ...result };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const rows: Record<string, string>[] = [];
for (const size of SIZES) {
  const pool = makePool(size);
  findMatches(pool, NOW, CONFIG); // warm-up: JIT
  const ours = timeOurs(pool, size >= 100_000 ? 5 : 9);
  const seed = timeSeed(pool, size >= 10_000 ? 1 : 5);
  const q = quality(ours.matches);
  const s = quality(seed.matches);
  rows.push({
    players: String(size),
    'ours ms': fmt(ours.ms, 2),
    'seed ms': `${fmt(seed.ms, 0)}${seed.capped ? ` (cap ${SEED_CAP_MS / 1000}s hit)` : ''}`,
    'ours/seed': seed.capped ? `< ${fmt(ours.ms / seed.ms, 4)}` : fmt(ours.ms / seed.ms, 4),
    'matches ours/seed': `${q.matches}/${s.matches}`,
    'mean team diff ours/seed': `${fmt(q.meanDiff)}/${fmt(s.meanDiff)}`,
    'p95 team diff ours/seed': `${fmt(q.p95Diff)}/${fmt(s.p95Diff)}`,
    'mean spread ours/seed': `${fmt(q.meanSpread)}/${fmt(s.meanSpread)}`,
  });
}
console.log('One matching pass, 5v5, one region (median ms per pass; quality in rating points)');
console.table(rows);
