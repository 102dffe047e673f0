import { findMatches } from '../src/matching/find-matches.js';
import type { FormedMatch, MatchingConfig, Ticket } from '../src/matching/types.js';
import { fixedAtBestRegion, LATENCY_MIX_LABEL, latencyQuality, withLatencies } from './latency-mix.js';
import { composition, makePartyPool, PARTY_MIX_LABEL } from './party-mix.js';
import { normal, random } from './random.js';
import { seedFindMatches } from './seed-matcher.js';

/**
 * `pnpm bench:matcher`: one matching pass over 1k, 10k and 100k waiting
 * players (5v5, one region), our engine against the seed's algorithm. Prints
 * one table: median ms per pass, our/seed ratio, matches, match quality.
 * Then a mixed pool of parties (10k players, parties of 1..5), with
 * preferSimilarParties on and off: matches, quality and team compositions.
 * Then players on four continents with pings to four regions (10k players,
 * 5v5 parties and 1v1): each ticket in its lowest-ping region (today) against
 * regions chosen by the players' latencies, with and without a limit.
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

/** Ratings ~ N(1500, 300) clamped to 100..2900, RD uniform 50..350, waited 0..60 s. */
function makePool(count: number): Ticket[] {
  const next = random(count);
  return Array.from({ length: count }, (_, i) => {
    const rating = Math.min(2900, Math.max(100, 1500 + 300 * normal(next)));
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

function timeOurs(pool: Ticket[], runs: number, config = CONFIG): { ms: number; matches: FormedMatch[] } {
  let matches: FormedMatch[] = [];
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    matches = findMatches(pool, NOW, config).matches;
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

const MIXED_PLAYERS = 10_000;

/** One row of the mixed-pool table: the pass with fairness on or off. */
function mixedRow(pool: Ticket[], preferSimilarParties: boolean): Record<string, string> {
  const config = { ...CONFIG, preferSimilarParties };
  findMatches(pool, NOW, config); // warm-up: JIT
  const { ms, matches } = timeOurs(pool, 9, config);
  const q = quality(matches);
  const c = composition(matches);
  const pct = (share: number) => `${fmt(100 * share)}%`;
  return {
    preferSimilarParties: String(preferSimilarParties),
    matches: String(q.matches),
    'players matched': pct((q.matches * 2 * TEAM_SIZE) / MIXED_PLAYERS),
    'ms per pass': fmt(ms, 2),
    'mean team diff': fmt(q.meanDiff),
    'p95 team diff': fmt(q.p95Diff),
    'mean spread': fmt(q.meanSpread),
    'premade vs solos': pct(c.premadeVsSolo),
    mirrored: pct(c.mirrored),
    'mean |largest party gap|': fmt(c.largestPartyGap, 2),
  };
}

const mixedPool = makePartyPool(MIXED_PLAYERS, NOW, 7);
console.log(
  `\nMixed pool: ${MIXED_PLAYERS} players in ${mixedPool.length} tickets (${PARTY_MIX_LABEL}), 5v5, one region`,
);
console.table([true, false].map((prefer) => mixedRow(mixedPool, prefer)));

const LATENCY_LIMIT = { initialMs: 60, stepMs: 10, stepSeconds: 5, maxMs: 150 };
const LATENCY_MODES: readonly { label: string; flexible: boolean; latency?: typeof LATENCY_LIMIT }[] = [
  { label: 'one region each (lowest ping)', flexible: false },
  { label: 'latencies, 60 ms +10/5 s up to 150', flexible: true, latency: LATENCY_LIMIT },
  { label: 'latencies, no limit', flexible: true },
];

/** One row of the latency table: a queue's pool matched one way. */
function latencyRow(
  queue: string,
  measured: Ticket[],
  mode: (typeof LATENCY_MODES)[number],
  config: MatchingConfig,
): Record<string, string> {
  const pool = mode.flexible ? measured : fixedAtBestRegion(measured);
  const settings = mode.latency ? { ...config, latency: mode.latency } : config;
  findMatches(pool, NOW, settings); // warm-up: JIT
  const { ms, matches } = timeOurs(pool, 9, settings);
  const players = measured.reduce((n, t) => n + t.players.length, 0);
  const l = latencyQuality(matches, measured);
  return {
    queue,
    regions: mode.label,
    'ms per pass': fmt(ms, 2),
    matches: String(matches.length),
    'players matched': `${fmt((100 * matches.length * 2 * config.teamSize) / players)}%`,
    'worst ping p50 ms': String(l.worstP50),
    'worst ping p95 ms': String(l.worstP95),
    'matches > 150 ms': `${fmt(100 * l.over150)}%`,
    'mean team diff': fmt(quality(matches).meanDiff),
  };
}

const latencyQueues: [string, Ticket[], MatchingConfig][] = [
  ['5v5 parties', withLatencies(makePartyPool(MIXED_PLAYERS, NOW, 11), 12), CONFIG],
  ['1v1', withLatencies(makePool(MIXED_PLAYERS), 13), { ...CONFIG, teamSize: 1 }],
];
console.log(
  `\nPlayers by ping: ${MIXED_PLAYERS} players per queue (${LATENCY_MIX_LABEL}), waited 0..60 s; worst ping = the match's worst member latency where it is played`,
);
console.table(
  latencyQueues.flatMap(([queue, pool, config]) =>
    LATENCY_MODES.map((mode) => latencyRow(queue, pool, mode, config)),
  ),
);
