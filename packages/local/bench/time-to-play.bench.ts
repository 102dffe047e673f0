import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { WebSocket } from 'ws';
import { ensureGameServerBundle } from '../src/game-server-bundle.js';
import { type LocalStack, startLocalStack } from '../src/stack.js';

/**
 * `pnpm bench:time-to-play [--matches 8] [--warm N] [--emulate-task-start-seconds 30]
 * [--emulate-runtask-ms 600] [--scenarios a,b,c]`
 *
 * What the warm pool buys a player: how long from MATCH FOUND (and from the
 * join) until the game server is ready, with Fargate's task start emulated
 * (RunTask slow, a task provisioning for taskStartSeconds before its process
 * runs). Real WebSocket players, the real game server, the same handlers as
 * on AWS. Three scenarios, each on a fresh stack in its own process (the
 * handlers' module state is per process):
 *
 * (a) no pool: M matches (2M players joining at once), every one cold;
 * (b) a pool sized for the load: warmServers = W (default M), W idle, then M matches at once;
 * (c) a burst twice the pool: W idle, then 2M matches at once (the first W
 *     warm, the rest cold), and how long the pool took to be back at W idle.
 *
 * Timings are per player, from the client's side: when its joinQueue was
 * sent, when its matchFound and serverReady arrived. Correctness rows:
 * players who never got serverReady, servers given to two matches (a
 * serverId, taskArn, server item's matchId or ready address shared by two
 * matches), matches with two servers (a warm server and a cold task, a
 * taskArn that is not its server's, players of one match sent to two
 * addresses). The players never play: they are closed and the stack stopped
 * (stop() stops every task) after the measurement.
 */
const { values } = parseArgs({
  options: {
    matches: { type: 'string', default: '8' },
    warm: { type: 'string' },
    'emulate-task-start-seconds': { type: 'string', default: '30' },
    'emulate-runtask-ms': { type: 'string', default: '600' },
    'max-tasks': { type: 'string', default: '128' },
    'tick-seconds': { type: 'string', default: '5' },
    'heartbeat-seconds': { type: 'string', default: '1' },
    'ready-timeout-seconds': { type: 'string', default: '120' },
    scenarios: { type: 'string', default: 'a,b,c' },
    'log-level': { type: 'string', default: 'SILENT' },
    /** Internal: run one scenario in this process and send its result to the parent. */
    child: { type: 'string' },
  },
});

const REGION = 'eu-west-1';
const settings = {
  matches: whole('matches', values.matches),
  warm: whole('warm', values.warm ?? values.matches),
  taskStartSeconds: positive('emulate-task-start-seconds', values['emulate-task-start-seconds']),
  runTaskMs: positive('emulate-runtask-ms', values['emulate-runtask-ms']),
  maxTasks: whole('max-tasks', values['max-tasks']),
  tickSeconds: positive('tick-seconds', values['tick-seconds']),
  heartbeatSeconds: positive('heartbeat-seconds', values['heartbeat-seconds']),
  readyTimeoutSeconds: whole('ready-timeout-seconds', values['ready-timeout-seconds']),
  logLevel: values['log-level'] as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT',
};
/** A player without serverReady by then is counted lost. */
const LOST_AFTER_MS = (2 * settings.taskStartSeconds + 60) * 1000;
/** The pool must be idle (before a burst) or refilled (after) by then. */
const POOL_WAIT_MS = (2 * settings.taskStartSeconds + 90) * 1000;

type Scenario = 'a' | 'b' | 'c';
const SCENARIOS: Record<Scenario, string> = {
  a: '(a) no pool',
  b: '(b) pool = load',
  c: '(c) burst 2x pool',
};

interface ScenarioResult {
  scenario: Scenario;
  warmServers: number;
  matchesPlanned: number;
  players: number;
  /** From the stack's start until W servers were idle. */
  poolFillMs?: number;
  joinToFound: number[];
  foundToReady: number[];
  joinToReady: number[];
  /** MATCH FOUND -> serverReady of the players whose match got a warm server, and of the cold ones. */
  foundToReadyWarm: number[];
  foundToReadyCold: number[];
  matchesFound: number;
  warmMatches: number;
  coldMatches: number;
  /** (c): from the burst until W servers were idle again (undefined: not within POOL_WAIT_MS). */
  refillMs?: number;
  /** Servers idle when the players joined that were still idle, never assigned, at the end. */
  idleLeftUnused: number;
  /** The servers table at the end, by state (and stop reason). */
  serverStates: Record<string, number>;
  /** (c): the fewest idle servers seen after the burst. */
  poolLow?: number;
  lostPlayers: number;
  cancelledEvents: number;
  serversTwice: number;
  matchesTwoServers: number;
  problems: string[];
}

if (values.child) {
  await runChild(values.child as Scenario);
} else {
  await runParent();
}

// ---------------------------------------------------------------------------------------------
// The parent: one child process per scenario, one table at the end.

async function runParent(): Promise<void> {
  const wanted = (values.scenarios ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const s of wanted) if (!(s in SCENARIOS)) throw new Error(`--scenarios takes a, b, c; got ${s}`);
  await ensureGameServerBundle();
  printSettings();
  const results: ScenarioResult[] = [];
  let interrupted = false;
  process.on('SIGINT', () => {
    // The child got the same Ctrl-C and stops its stack; this waits for it.
    interrupted = true;
  });
  for (const scenario of wanted as Scenario[]) {
    if (interrupted) break;
    console.log(`\n=== ${SCENARIOS[scenario]} ===`);
    const child = fork(process.argv[1] as string, [...process.argv.slice(2), '--child', scenario], {
      execArgv: process.execArgv,
    });
    const result = await new Promise<ScenarioResult | undefined>((resolve) => {
      let got: ScenarioResult | undefined;
      child.on('message', (message) => {
        got = message as ScenarioResult;
      });
      child.once('exit', (code, signal) => {
        if (!got) console.error(`scenario ${scenario} ended without a result (exit ${code ?? signal})`);
        resolve(got);
      });
    });
    if (result) results.push(result);
  }
  if (results.length === 0) process.exit(1);
  printSettings();
  printTable(results);
  const failed = results.some((r) => r.lostPlayers + r.serversTwice + r.matchesTwoServers > 0);
  process.exit(failed || interrupted ? 1 : 0);
}

function printSettings(): void {
  const m = settings.matches;
  console.log(
    `time to play: ${m} matches (${2 * m} players, 1v1) joining at once; burst (c) ${2 * m} matches; ` +
      `pool (b, c) ${settings.warm} idle servers; region ${REGION}\n` +
      `emulated: RunTask ${settings.runTaskMs} ms, task start ${settings.taskStartSeconds} s; ` +
      `tick ${settings.tickSeconds} s, heartbeat ${settings.heartbeatSeconds} s, ready timeout ` +
      `${settings.readyTimeoutSeconds} s, max tasks ${settings.maxTasks}; the real game server; ` +
      `a player without serverReady after ${LOST_AFTER_MS / 1000} s is lost`,
  );
}

function printTable(results: ScenarioResult[]): void {
  const seconds = (ms: number | undefined) =>
    ms === undefined || Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(3)} s`;
  const rows: [string, (r: ScenarioResult) => string | number][] = [
    ['warm servers (pool size)', (r) => r.warmServers],
    ['matches / players', (r) => `${r.matchesPlanned} / ${r.players}`],
    ['pool filled after (stack start -> W idle)', (r) => seconds(r.poolFillMs)],
    ['join -> MATCH FOUND p50', (r) => seconds(percentile(r.joinToFound, 50))],
    ['join -> MATCH FOUND p95', (r) => seconds(percentile(r.joinToFound, 95))],
    ['MATCH FOUND -> serverReady p50', (r) => seconds(percentile(r.foundToReady, 50))],
    ['MATCH FOUND -> serverReady p95', (r) => seconds(percentile(r.foundToReady, 95))],
    ['  warm matches only: p95', (r) => seconds(percentile(r.foundToReadyWarm, 95))],
    ['  cold matches only: p95', (r) => seconds(percentile(r.foundToReadyCold, 95))],
    ['join -> serverReady p50', (r) => seconds(percentile(r.joinToReady, 50))],
    ['join -> serverReady p95', (r) => seconds(percentile(r.joinToReady, 95))],
    ['matches found', (r) => r.matchesFound],
    ['matches on a warm server', (r) => r.warmMatches],
    ['matches fell back to a cold start', (r) => r.coldMatches],
    ['idle servers never used (idle at the joins and at the end)', (r) => r.idleLeftUnused],
    ['pool refilled to W idle after the burst', (r) => (r.scenario === 'c' ? seconds(r.refillMs) : '-')],
    ['fewest idle servers after the burst', (r) => r.poolLow ?? '-'],
    ['CHECK matches lost (players without serverReady)', (r) => r.lostPlayers],
    ['CHECK servers assigned to two matches', (r) => r.serversTwice],
    ['CHECK matches with two servers', (r) => r.matchesTwoServers],
    ['players told a match was cancelled', (r) => r.cancelledEvents],
  ];
  const table: Record<string, Record<string, string | number>> = {};
  for (const [name, cell] of rows) {
    table[name] = Object.fromEntries(results.map((r) => [SCENARIOS[r.scenario], cell(r)]));
  }
  console.table(table);
  for (const r of results) {
    if (r.warmServers > 0)
      console.log(`${SCENARIOS[r.scenario]}: servers at the end: ${JSON.stringify(r.serverStates)}`);
    for (const problem of r.problems.slice(0, 20)) console.log(`${SCENARIOS[r.scenario]}: ${problem}`);
  }
}

// ---------------------------------------------------------------------------------------------
// A child: one scenario on its own stack.

interface Timeline {
  userId: string;
  socket: WebSocket;
  joinSent?: number;
  found?: number;
  ready?: number;
  matchId?: string;
  readyMatchId?: string;
  address?: string;
  readyEvents: number;
  cancelled: number;
}

async function runChild(scenario: Scenario): Promise<void> {
  const warmServers = scenario === 'a' ? 0 : settings.warm;
  const matchCount = scenario === 'c' ? 2 * settings.matches : settings.matches;
  const started = performance.now();
  const stack = await startLocalStack({
    port: 0,
    regions: [REGION],
    teamSize: 1,
    tickSeconds: settings.tickSeconds,
    maxTasks: settings.maxTasks,
    readyTimeoutSeconds: settings.readyTimeoutSeconds,
    logLevel: settings.logLevel,
    warmServers,
    warmPool: { heartbeatSeconds: settings.heartbeatSeconds },
    emulate: { runTaskMs: settings.runTaskMs, taskStartSeconds: settings.taskStartSeconds },
  });
  const timelines: Timeline[] = [];
  let stopping = false;
  const shutdown = async () => {
    for (const t of timelines) t.socket.terminate();
    await stack.stop();
  };
  process.on('SIGINT', () => {
    if (stopping) return;
    stopping = true;
    void shutdown().finally(() => process.exit(130));
  });

  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: stack.credentials,
    }),
  );
  const scan = async (table: string) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  const servers = async () => (await scan(stack.tableNames.servers)) as unknown as Server[];
  const idleCount = async () => (await servers()).filter((s) => s.state === 'idle').length;

  const result: ScenarioResult = {
    scenario,
    warmServers,
    matchesPlanned: matchCount,
    players: 2 * matchCount,
    joinToFound: [],
    foundToReady: [],
    joinToReady: [],
    foundToReadyWarm: [],
    foundToReadyCold: [],
    matchesFound: 0,
    warmMatches: 0,
    coldMatches: 0,
    lostPlayers: 0,
    idleLeftUnused: 0,
    serverStates: {},
    cancelledEvents: 0,
    serversTwice: 0,
    matchesTwoServers: 0,
    problems: [],
  };

  if (warmServers > 0) {
    console.log(`waiting for ${warmServers} idle warm servers...`);
    const deadline = performance.now() + POOL_WAIT_MS;
    while ((await idleCount()) < warmServers) {
      if (performance.now() > deadline)
        throw new Error(`the pool did not fill within ${POOL_WAIT_MS / 1000} s`);
      await sleep(200);
    }
    result.poolFillMs = performance.now() - started;
    console.log(`pool filled after ${(result.poolFillMs / 1000).toFixed(1)} s`);
  }

  console.log(`connecting ${2 * matchCount} players...`);
  for (let i = 0; i < 2 * matchCount; i += 1) timelines.push(await connect(stack, `ttp-${scenario}-${i}`));
  const initialIdle = new Set((await servers()).filter((s) => s.state === 'idle').map((s) => s.serverId));

  console.log(`${2 * matchCount} players join at once...`);
  const burst = performance.now();
  for (const t of timelines) {
    t.joinSent = performance.now();
    t.socket.send(JSON.stringify({ action: 'joinQueue', region: REGION }));
  }

  // (c): the pool's refill, watched from the burst on, while the players wait.
  const refill =
    scenario === 'c'
      ? (async () => {
          let low = Number.POSITIVE_INFINITY;
          const deadline = burst + POOL_WAIT_MS;
          while (performance.now() < deadline && !stopping) {
            const all = await servers();
            const idle = all.filter((s) => s.state === 'idle');
            low = Math.min(low, idle.length);
            // Refilled: W idle again, after every server idle at the burst was taken.
            const drained = ![...initialIdle].some((id) => idle.some((s) => s.serverId === id));
            if (low < warmServers && drained && idle.length >= warmServers) {
              result.refillMs = performance.now() - burst;
              break;
            }
            await sleep(200);
          }
          result.poolLow = low;
        })()
      : Promise.resolve();

  const everyoneReady = () => timelines.every((t) => t.ready !== undefined);
  const lostDeadline = burst + LOST_AFTER_MS;
  while (!everyoneReady() && performance.now() < lostDeadline && !stopping) await sleep(100);
  console.log(
    `serverReady for ${timelines.filter((t) => t.ready !== undefined).length}/${timelines.length} players after ${((performance.now() - burst) / 1000).toFixed(1)} s`,
  );
  if (scenario === 'c') {
    console.log('waiting for the pool to refill...');
    await refill;
    console.log(
      result.refillMs === undefined
        ? 'the pool did not refill in time'
        : `refilled after ${(result.refillMs / 1000).toFixed(1)} s`,
    );
  }

  // Timings, per player.
  for (const t of timelines) {
    const { joinSent, found, ready } = t;
    if (joinSent !== undefined && found !== undefined) result.joinToFound.push(found - joinSent);
    if (found !== undefined && ready !== undefined) result.foundToReady.push(ready - found);
    if (joinSent !== undefined && ready !== undefined) result.joinToReady.push(ready - joinSent);
    result.cancelledEvents += t.cancelled;
  }

  // The tables and the tasks, after the fact.
  await sleep(500);
  const matches = (await scan(stack.tableNames.matches)) as unknown as Match[];
  const serverItems = await servers();
  const tasks = [...stack.ecs.tasks.values()];
  const problems = result.problems;
  const coldTasksOf = (matchId: string) => tasks.filter((task) => task.startedBy === matchId);
  const matchIds = new Set(timelines.map((t) => t.matchId).filter((id) => id !== undefined));
  result.matchesFound = matchIds.size;
  const cold = new Set<string>();
  for (const match of matches) {
    if (match.serverId === undefined || coldTasksOf(match.matchId).length > 0) cold.add(match.matchId);
  }
  result.coldMatches = cold.size;
  // A match that started cold while a server idle at the joins was never used: the pool had room.
  const unused = serverItems.filter((s) => initialIdle.has(s.serverId) && s.state === 'idle');
  result.idleLeftUnused = unused.length;
  if (cold.size > 0 && unused.length > 0) {
    problems.push(
      `${cold.size} match(es) started cold (${[...cold].join(', ')}) while ${unused.length} server(s) idle at the joins were never assigned (${unused.map((s) => s.serverId).join(', ')})`,
    );
  }
  result.serverStates = countBy(serverItems, (s) =>
    s.state === 'stopped' ? `stopped: ${s.stopReason}` : s.state,
  );
  result.warmMatches = matches.length - cold.size;
  for (const t of timelines) {
    if (t.found === undefined || t.ready === undefined || t.matchId === undefined) continue;
    (cold.has(t.matchId) ? result.foundToReadyCold : result.foundToReadyWarm).push(t.ready - t.found);
  }
  if (matches.length !== matchCount)
    problems.push(`${matches.length} match items for ${matchCount} matches expected`);

  // Lost: a player without serverReady (or whose serverReady is not for its match).
  for (const t of timelines) {
    if (t.ready === undefined) {
      result.lostPlayers += 1;
      problems.push(`${t.userId} never got serverReady (match ${t.matchId ?? 'none'})`);
    } else if (t.readyMatchId !== t.matchId) {
      result.lostPlayers += 1;
      problems.push(`${t.userId} got serverReady for ${t.readyMatchId}, found ${t.matchId}`);
    }
  }

  // Servers assigned to two matches.
  const twice = new Set<string>();
  const shared = (label: string, keyOf: (m: Match) => string | undefined) => {
    const by = groupBy(matches, keyOf);
    for (const [key, group] of by) {
      if (group.length < 2) continue;
      twice.add(`${label}:${key}`);
      problems.push(
        `${label} ${key} is in ${group.length} matches: ${group.map((m) => m.matchId).join(', ')}`,
      );
    }
  };
  shared('serverId', (m) => m.serverId);
  shared('taskArn', (m) => m.taskArn);
  // A server withdrawn from a match (marked bad) keeps its matchId: only servers holding one count.
  const holding = serverItems.filter((s) => s.state === 'assigned' || s.state === 'busy');
  for (const [matchId, group] of groupBy(holding, (s) => s.matchId)) {
    if (group.length < 2) continue;
    twice.add(`server-items:${matchId}`);
    problems.push(`match ${matchId} is the matchId of ${group.length} server items`);
  }
  const addressMatches = new Map<string, Set<string>>();
  for (const t of timelines) {
    if (!t.address || !t.readyMatchId) continue;
    addressMatches.set(t.address, (addressMatches.get(t.address) ?? new Set()).add(t.readyMatchId));
  }
  for (const [address, ids] of addressMatches) {
    if (ids.size < 2) continue;
    twice.add(`address:${address}`);
    problems.push(`players of ${ids.size} matches were sent to ${address}: ${[...ids].join(', ')}`);
  }
  result.serversTwice = twice.size;

  // Matches with two servers.
  const two = new Set<string>();
  for (const match of matches) {
    const coldTasks = coldTasksOf(match.matchId);
    if (coldTasks.length > 1) {
      two.add(match.matchId);
      problems.push(`match ${match.matchId} has ${coldTasks.length} cold tasks`);
    }
    if (match.serverId !== undefined) {
      if (coldTasks.length > 0) {
        two.add(match.matchId);
        problems.push(`match ${match.matchId} has warm server ${match.serverId} and a cold task`);
      }
      const server = serverItems.find((s) => s.serverId === match.serverId);
      if (server?.taskArn !== match.taskArn) {
        two.add(match.matchId);
        problems.push(
          `match ${match.matchId}: taskArn ${match.taskArn} is not its server's (${server?.taskArn ?? 'no server item'})`,
        );
      }
    }
  }
  for (const id of matchIds) {
    const addresses = new Set(timelines.filter((t) => t.readyMatchId === id).map((t) => t.address));
    if (addresses.size > 1) {
      two.add(id);
      problems.push(`players of match ${id} were sent to ${[...addresses].join(' and ')}`);
    }
  }
  for (const t of timelines) {
    if (t.readyEvents > 1) problems.push(`${t.userId} got ${t.readyEvents} serverReady events`);
  }
  result.matchesTwoServers = two.size;

  stopping = true;
  await shutdown();
  await new Promise<void>((resolve) => (process.send ? process.send(result, () => resolve()) : resolve()));
  process.exit(0);
}

interface Server {
  serverId: string;
  state: string;
  stopReason?: string;
  taskArn?: string;
  matchId?: string;
}
interface Match {
  matchId: string;
  state: string;
  serverId?: string;
  taskArn?: string;
}

async function connect(stack: LocalStack, userId: string): Promise<Timeline> {
  const token = await stack.token(userId);
  const socket = new WebSocket(`ws://127.0.0.1:${stack.port}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const timeline: Timeline = { userId, socket, readyEvents: 0, cancelled: 0 };
  socket.on('message', (data) => {
    const now = performance.now();
    const event = JSON.parse(data.toString()) as {
      type: string;
      matchId?: string;
      ip?: string;
      port?: number;
    };
    if (event.type === 'matchFound' && timeline.found === undefined) {
      timeline.found = now;
      timeline.matchId = event.matchId;
    }
    if (event.type === 'matchCancelled') timeline.cancelled += 1;
    if (event.type === 'serverReady') {
      timeline.readyEvents += 1;
      if (timeline.ready === undefined) {
        timeline.ready = now;
        timeline.readyMatchId = event.matchId;
        timeline.address = `${event.ip}:${event.port}`;
      }
    }
  });
  socket.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return timeline;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

function percentile(list: number[], p: number): number {
  const sorted = [...list].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function whole(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, got ${raw}`);
  return value;
}

function positive(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be 0 or more, got ${raw}`);
  return value;
}

function countBy<T>(items: T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}
