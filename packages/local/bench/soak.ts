import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { WebSocket } from 'ws';
import { ensureGameServerBundle } from '../src/game-server-bundle.js';
import { repoRoot } from '../src/lambda.js';
import { startLocalStack } from '../src/stack.js';

/**
 * `pnpm soak`: runs the local stack for a while with simulated players who
 * join, leave, disconnect, reconnect and play, and game servers that fail at a
 * given rate; then checks the invariants over the whole run and prints a
 * summary. Not part of `pnpm test`.
 *
 * `--warm-servers N` turns the warm pool on (N idle servers; the flaky server
 * fails in pool mode too, see flaky-game-server.mjs), and the checks cover
 * it: no server (serverId or taskArn) in two matches (WARM_SERVER_MATCHES is
 * 1: a server plays one match), no match with two servers (a warm server and
 * a cold task, or a taskArn that is not its server's), no server still
 * assigned or busy and no game-server task still running after the drain but
 * the pool's spare servers. `--server-log <file>` keeps every game server's output.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    players: { type: 'string', default: '30' },
    'failure-rate': { type: 'string', default: '0.3' },
    'team-size': { type: 'string', default: '1' },
    'warm-servers': { type: 'string', default: '0' },
    /** A file every game server's output goes to, each line after its task's id (dropped when absent). */
    'server-log': { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const PLAYERS = Number(values.players);
const FAILURE_RATE = Number(values['failure-rate']);
const WARM_SERVERS = Number(values['warm-servers']);
if (!Number.isInteger(WARM_SERVERS) || WARM_SERVERS < 0)
  throw new Error(`--warm-servers must be a whole number, got ${values['warm-servers']}`);
const REGION = 'eu-west-1';
const serverLog = values['server-log'] ? createWriteStream(values['server-log']) : undefined;

await ensureGameServerBundle();
const stack = await startLocalStack({
  port: 0,
  regions: [REGION],
  teamSize: Number(values['team-size']),
  tickSeconds: 1,
  readyTimeoutSeconds: 4,
  maxMatchSeconds: 15,
  logLevel: 'SILENT',
  // The warm pool (off with 0): heartbeats every second, and a server that has not
  // registered 10 s after its launch is stopped (the soak's time scale, not Fargate's).
  warmServers: WARM_SERVERS,
  warmPool: { heartbeatSeconds: 1, registerSeconds: 10 },
  onGameServerLog: serverLog
    ? (taskArn, line) => serverLog.write(`${taskArn.slice(-8)} ${line}\n`)
    : undefined,
  gameServer: {
    command: process.execPath,
    args: [
      join(repoRoot, 'packages/local/bench/flaky-game-server.mjs'),
      String(FAILURE_RATE),
      join(repoRoot, 'game-server/dist/main.mjs'),
    ],
    cwd: repoRoot,
  },
});

interface Seen {
  finished: Map<string, number>; // matchId -> matchFinished events
  lastRating?: number;
  requeued: number;
}
const seen = new Map<string, Seen>();
const counters = { joins: 0, leaves: 0, disconnects: 0, results: 0 };
const chance = (p: number) => Math.random() < p;
let running = true;

async function playerLoop(userId: string): Promise<void> {
  const state: Seen = { finished: new Map(), requeued: 0 };
  seen.set(userId, state);
  while (running) {
    const socket = new WebSocket(`ws://127.0.0.1:${stack.port}`, {
      headers: { Authorization: `Bearer ${await stack.token(userId)}` },
    });
    const opened = await new Promise<boolean>((resolve) => {
      socket.once('open', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (!opened) continue;
    socket.on('message', (data) => {
      const event = JSON.parse(data.toString()) as {
        type: string;
        matchId?: string;
        requeued?: boolean;
        gameUrl?: string;
        rating?: { rating: number };
      };
      if (event.type === 'matchFinished' && event.matchId) {
        state.finished.set(event.matchId, (state.finished.get(event.matchId) ?? 0) + 1);
        state.lastRating = event.rating?.rating;
      }
      if (event.type === 'matchCancelled' && event.requeued) state.requeued += 1;
      if (event.type === 'serverReady' && event.gameUrl && event.matchId && chance(0.7))
        play(event.gameUrl, event.matchId);
    });
    const lifetime = 2000 + Math.random() * 8000;
    const until = Date.now() + lifetime;
    while (running && Date.now() < until) {
      if (chance(0.5)) {
        socket.send(JSON.stringify({ action: 'joinQueue', region: REGION }));
        counters.joins += 1;
      } else if (chance(0.2)) {
        socket.send(JSON.stringify({ action: 'leaveQueue' }));
        counters.leaves += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1500));
    }
    counters.disconnects += 1;
    socket.close();
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
  }
}

/** Connects with the player's own key and reports the match's outcome (the same for every member, so teams agree). */
function play(gameUrl: string, matchId: string): void {
  const outcome = ['HOME', 'AWAY', 'DRAW'][Number.parseInt(matchId.slice(0, 2), 16) % 3] as string;
  setTimeout(() => {
    const game = new WebSocket(gameUrl);
    game.once('open', () => {
      game.send(outcome);
      counters.results += 1;
    });
    game.on('error', () => undefined);
  }, Math.random() * 2000);
}

console.log(
  `soak: ${PLAYERS} players for ${SECONDS} s, game-server failure rate ${FAILURE_RATE}, warm servers ${WARM_SERVERS}`,
);
const loops = Array.from({ length: PLAYERS }, (_, i) => playerLoop(`soak-${i}`));
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
running = false;
await Promise.all(loops);
// Let deadlines pass and every server end (ready timeout 4 s, max match 15 s, tick 1 s).
console.log('draining...');
await new Promise((resolve) => setTimeout(resolve, 20_000));
await stack.settled();

const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: stack.endpoints.dynamodb,
    region: 'us-east-1',
    credentials: stack.credentials,
  }),
);
type Item = NonNullable<ScanCommandOutput['Items']>[number];
const scan = async (table: string): Promise<Item[]> => {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};
const matches = await scan(stack.tableNames.matches);
const players = await scan(stack.tableNames.players);
const tickets = await scan(stack.tableNames.tickets);
const servers = await scan(stack.tableNames.servers);
const tasks = [...stack.ecs.tasks.values()];
const violations: string[] = [];
const live = matches.filter((m) => m.state === 'starting' || m.state === 'ready');
const inLive = new Map<string, number>();
for (const match of live)
  for (const p of [...match.home, ...match.away]) inLive.set(p.userId, (inLive.get(p.userId) ?? 0) + 1);
for (const [userId, count] of inLive) if (count > 1) violations.push(`${userId} is in ${count} live matches`);
if (live.length > 0) violations.push(`${live.length} matches still live after the drain`);
for (const player of players) {
  if (player.status !== 'idle' && player.status !== 'queued')
    violations.push(`${player.userId} stuck ${player.status}`);
  const ticket = tickets.find((t) => t.ticketId === player.ticketId);
  if (player.status === 'queued' && ticket?.state !== 'waiting')
    violations.push(`${player.userId} queued without a ticket`);
  const finishedWith = matches.filter(
    (m) =>
      m.state === 'finished' &&
      [...m.home, ...m.away].some((p: { userId: string }) => p.userId === player.userId),
  );
  const events = seen.get(player.userId as string);
  for (const match of finishedWith) {
    const times = events?.finished.get(match.matchId) ?? 0;
    if (times > 1) violations.push(`${player.userId} told ${times} times about ${match.matchId}`);
  }
  if (finishedWith.length === 0 && player.rating !== 1500)
    violations.push(`${player.userId} rated without a finished match`);
  if (finishedWith.length > 0 && player.lastRatedMatchId === undefined)
    violations.push(`${player.userId} never rated`);
}
for (const ticket of tickets) {
  const owner = players.find((p) => p.userId === ticket.players[0].userId);
  if (ticket.state !== 'waiting' || owner?.ticketId !== ticket.ticketId)
    violations.push(`orphan ticket ${ticket.ticketId}`);
}

// The warm pool: no server assigned to two matches, no match with two servers.
const poolChecks = { twice: 0, two: 0, held: 0, running: 0 };
const poolViolation = (check: keyof typeof poolChecks, violation: string) => {
  poolChecks[check] += 1;
  violations.push(violation);
};
// WARM_SERVER_MATCHES is 1 here: a server plays at most one match, so a serverId is in at most one match.
const serverById = new Map(servers.map((server) => [server.serverId as string, server]));
const matchesOfServer = new Map<string, string[]>();
for (const match of matches) {
  if (match.serverId === undefined) continue;
  matchesOfServer.set(match.serverId, [...(matchesOfServer.get(match.serverId) ?? []), match.matchId]);
}
for (const [serverId, ids] of matchesOfServer)
  if (ids.length > 1)
    poolViolation('twice', `server ${serverId} assigned to ${ids.length} matches: ${ids.join(', ')}`);
const matchesOfTask = new Map<string, string[]>();
for (const match of matches) {
  if (match.taskArn === undefined) continue;
  matchesOfTask.set(match.taskArn, [...(matchesOfTask.get(match.taskArn) ?? []), match.matchId]);
}
for (const [taskArn, ids] of matchesOfTask)
  if (ids.length > 1)
    poolViolation('twice', `task ${taskArn} serves ${ids.length} matches: ${ids.join(', ')}`);
const coldTasksOf = (matchId: string) => tasks.filter((task) => task.startedBy === matchId);
for (const match of matches) {
  const cold = coldTasksOf(match.matchId);
  if (cold.length > 1) poolViolation('two', `match ${match.matchId} has ${cold.length} cold tasks`);
  if (match.serverId === undefined) continue;
  if (cold.length > 0)
    poolViolation(
      'two',
      `match ${match.matchId} has warm server ${match.serverId} and ${cold.length} cold task(s)`,
    );
  const server = serverById.get(match.serverId);
  if (!server) poolViolation('two', `match ${match.matchId}: its server ${match.serverId} has no item`);
  else if (server.taskArn !== match.taskArn)
    poolViolation(
      'two',
      `match ${match.matchId}: taskArn ${match.taskArn} is not its server's ${server.taskArn}`,
    );
}
// Servers holding a match (assigned or busy): one match each, and that match names them.
const holders = servers.filter((server) => server.state === 'assigned' || server.state === 'busy');
for (const server of holders) {
  const match = matches.find((m) => m.matchId === server.matchId);
  poolViolation(
    'held',
    `server ${server.serverId} still ${server.state} after the drain (match ${server.matchId}: ${match?.state ?? 'no item'}${match?.serverId === server.serverId ? '' : `, whose server is ${match?.serverId ?? 'none'}`})`,
  );
}
// No game-server process left running after the drain, but the pool's spare servers (idle or launching).
const spare = new Set(
  servers.filter((s) => s.state === 'idle' || s.state === 'launching').map((s) => s.taskArn as string),
);
const stillRunning = tasks.filter((task) => task.lastStatus !== 'STOPPED' && !spare.has(task.taskArn));
for (const task of stillRunning) {
  const server = servers.find((s) => s.taskArn === task.taskArn);
  poolViolation(
    'running',
    `task ${task.taskArn} still ${task.lastStatus} after the drain (${server ? `server ${server.serverId} ${server.state}` : `started by ${task.startedBy}`})`,
  );
}
const spareRunning = tasks.filter((task) => task.lastStatus !== 'STOPPED' && spare.has(task.taskArn)).length;
await stack.stop();
const orphans = [...stack.ecs.tasks.values()].filter(
  (t) => t.process && t.process.exitCode === null && t.process.signalCode === null,
);
if (orphans.length > 0) violations.push(`${orphans.length} game-server processes left running`);

const byState = (state: string) => matches.filter((m) => m.state === state).length;
const warmMatches = matches.filter((m) => m.serverId !== undefined).length;
const coldMatches = matches.filter((m) => coldTasksOf(m.matchId).length > 0).length;
const poolTasks = tasks.filter((task) => task.environment.SERVER_ID !== undefined).length;
console.table([
  {
    'matches started': warmMatches + coldMatches,
    'warm server': warmMatches,
    cold: coldMatches,
    finished: byState('finished'),
    cancelled: byState('cancelled'),
    abandoned: byState('abandoned'),
    'players requeued': [...seen.values()].reduce((n, s) => n + s.requeued, 0),
    joins: counters.joins,
    leaves: counters.leaves,
    disconnects: counters.disconnects,
    'invariant violations': violations.length,
  },
]);
console.log(
  `warm-pool checks: servers assigned to two matches ${poolChecks.twice}, matches with two servers ${poolChecks.two}, ` +
    `servers still assigned or busy after the drain ${poolChecks.held}, game-server tasks still running after the drain (spare servers aside) ${poolChecks.running}`,
);
if (WARM_SERVERS > 0) {
  const stopReasons = new Map<string, number>();
  for (const server of servers) {
    if (server.state !== 'stopped') continue;
    const reason = String(server.stopReason ?? 'none').replace(/[0-9a-f]{32}/g, '<id>');
    stopReasons.set(reason, (stopReasons.get(reason) ?? 0) + 1);
  }
  console.log(
    `warm pool: ${poolTasks} servers launched, ${spareRunning} spare at the end; servers by state: ${JSON.stringify(countBy(servers, (s) => s.state))}`,
  );
  console.table([...stopReasons].map(([reason, count]) => ({ 'stopped servers: reason': reason, count })));
}
for (const violation of violations.slice(0, 20)) console.log(`violation: ${violation}`);
if (serverLog) await new Promise((resolve) => serverLog.end(resolve));
process.exit(violations.length === 0 ? 0 : 1);

function countBy<T>(items: T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}
