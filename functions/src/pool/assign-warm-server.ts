import type { MatchItem, ServerItem } from '../data/items.js';
import { createLogger } from '../runtime/logger.js';
import { launchServers } from './launch-servers.js';
import { poolOf } from './pool-config.js';
import { type PoolDeps, silentSince } from './pool-deps.js';

const logger = createLogger('assign-warm-server');

/** Servers one match tries before it falls back to a cold start. */
const MAX_SERVERS_TRIED = 3;
/** How often the starter looks whether its server took the match. */
const POLL_MS = 50;
/**
 * No new server is tried after this long (the starter's timeout is 30 s,
 * and a cold start may still follow): a slow RunTask for the replacements
 * or several bad servers cannot push the start past its timeout.
 */
export const WARM_BUDGET_MS = 12_000;

/**
 * 'taken': a warm server took the match (its ready callback follows).
 * 'none': no idle server would take it: start one cold. 'done-before': the
 * match has a server already (a redelivered start) or ended meanwhile.
 */
export type WarmOutcome = 'taken' | 'none' | 'done-before';

/**
 * Gives a starting match to an idle warm server of its region: idle ->
 * assigned (conditional: two matches never get one server), the match
 * records the server (conditional: one match never gets two), a replacement
 * is launched, the server is nudged, and it must take the match within
 * WARM_ASSIGN_TIMEOUT_SECONDS. One that does not is withdrawn (conditional
 * against its take), marked bad and stopped, and the next idle server is
 * tried; with none left, the match starts cold. A pool never fails a match.
 */
export async function assignWarmServer(deps: PoolDeps, match: MatchItem): Promise<WarmOutcome> {
  const pool = poolOf(deps.settings.pool, match.region);
  if (pool.max === 0) return 'none';
  const tried = new Set<string>();
  const giveUpAt = deps.clock.now() + WARM_BUDGET_MS;
  while (tried.size < MAX_SERVERS_TRIED && deps.clock.now() < giveUpAt) {
    const server = await claimIdleServer(deps, match, tried);
    if (!server) return 'none';
    tried.add(server.serverId);
    if (!(await deps.matches.assignServer(match.matchId, server.serverId, server.taskArn as string))) {
      await deps.servers.unassign(server, match.matchId);
      return 'done-before';
    }
    const [outcome] = await Promise.all([
      waitForTake(deps, match.matchId, server),
      replace(deps, server),
      deps.nudge(server.address as { ip: string; port: number }),
    ]);
    if (outcome !== 'withdrawn') return outcome;
  }
  return 'none';
}

/** Listings of the spare servers one claim makes at most, and claims tried per listing. */
const CLAIM_ROUNDS = 3;
const CLAIMS_PER_ROUND = 10;

/**
 * A fresh idle server of the region, moved to assigned; undefined if none
 * could be had. Matches started side by side list the same servers at the
 * same moment, so lost races are common: each round tries up to 10 of them
 * in random order, and a round that loses them all lists again (the index
 * may also be a moment behind), so a match never starts cold while an idle
 * server is left.
 */
async function claimIdleServer(
  deps: PoolDeps,
  match: MatchItem,
  tried: ReadonlySet<string>,
): Promise<ServerItem | undefined> {
  for (let round = 0; round < CLAIM_ROUNDS; round += 1) {
    const now = deps.clock.now();
    const fresh = silentSince(deps.settings, now);
    const candidates = shuffle(
      (await deps.servers.listSpare(match.region)).filter(
        (server) =>
          server.state === 'idle' &&
          server.taskArn !== undefined &&
          server.address !== undefined &&
          (server.heartbeatAt ?? 0) >= fresh &&
          !tried.has(server.serverId),
      ),
    );
    if (candidates.length === 0) return undefined;
    for (const server of candidates.slice(0, CLAIMS_PER_ROUND)) {
      if (await deps.servers.assign(server.serverId, match.matchId, now, fresh)) return server;
    }
  }
  return undefined;
}

/**
 * Each server taken from the buffer for its last match is replaced at once,
 * so steady demand never empties it. One that returns to the pool after
 * this match (WARM_SERVER_MATCHES) is not: the tick's keep covers the gap.
 */
async function replace(deps: PoolDeps, server: ServerItem): Promise<void> {
  const region = server.region;
  try {
    await deps.demand.countTaken(region, deps.clock.now());
    if ((server.matchesPlayed ?? 0) + 1 < deps.settings.matchesPerServer) return;
    await launchServers(deps, region, 1);
  } catch (error) {
    logger.warn('replacement not launched; the next keep will', { region, error });
  }
}

/** Waits for the server to take the match; withdraws it (marked bad, stopped) past the timeout. */
async function waitForTake(
  deps: PoolDeps,
  matchId: string,
  server: ServerItem,
): Promise<'taken' | 'done-before' | 'withdrawn'> {
  const deadline = deps.clock.now() + deps.settings.assignTimeoutSeconds * 1000;
  for (;;) {
    const current = await deps.matches.get(matchId);
    if (!current || current.state !== 'starting') return 'done-before';
    // Withdrawn by the server itself (it deregistered) or by taskStopped: the next server.
    if (current.serverId !== server.serverId) return 'withdrawn';
    if (current.sessionOpenedAt !== undefined) return 'taken';
    if (deps.clock.now() >= deadline) break;
    await deps.sleep(POLL_MS);
  }
  if (!(await deps.matches.withdrawServer(matchId, server.serverId))) {
    // It took the match at the last moment (or the match moved on): look again.
    const current = await deps.matches.get(matchId);
    return current?.serverId === server.serverId && current.sessionOpenedAt !== undefined
      ? 'taken'
      : 'done-before';
  }
  const reason = `did not take its match within ${deps.settings.assignTimeoutSeconds} s`;
  logger.warn('warm server marked bad', { matchId, serverId: server.serverId, reason });
  const retired = await deps.servers.retire(server.serverId, reason, deps.clock.now(), { matchId });
  if (retired?.taskArn) {
    await deps.launcher.stop(retired.region, retired.taskArn, reason).catch((error: unknown) => {
      logger.warn('could not stop a bad warm server', { serverId: server.serverId, error });
    });
  }
  return 'withdrawn';
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
