import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { ensureGameServerBundle } from '../src/game-server-bundle.js';
import { repoRoot } from '../src/lambda.js';
import { startLocalStack } from '../src/stack.js';

/**
 * `pnpm bench:flow`: N simulated players connect over real WebSockets to the
 * local stack and join over a few seconds; every match runs a real game-server
 * process (the bundle the container runs), one member sends HOME at once.
 * Prints p50/p95/p99 of (a) join -> "joined queue", (b) the join that completes
 * a match -> MATCH FOUND on every member's socket, (c) MATCH FOUND -> server ready.
 */
const { values } = parseArgs({
  options: {
    players: { type: 'string', default: '1000' },
    'join-seconds': { type: 'string', default: '10' },
    'team-size': { type: 'string', default: '1' },
    'max-tasks': { type: 'string', default: '64' },
  },
});
const PLAYERS = Number(values.players);
const JOIN_SECONDS = Number(values['join-seconds']);
const TEAM_SIZE = Number(values['team-size']);
const MAX_TASKS = Number(values['max-tasks']);
const REGION = 'eu-west-1';

await ensureGameServerBundle();
const stack = await startLocalStack({
  port: 0,
  regions: [REGION],
  teamSize: TEAM_SIZE,
  tickSeconds: 5,
  maxTasks: MAX_TASKS,
  logLevel: 'SILENT',
  gameServer: {
    command: process.execPath,
    args: [join(repoRoot, 'game-server/dist/main.mjs')],
    cwd: repoRoot,
  },
});

// Per function: how long each invocation took (queued behind the runtime's concurrency cap included).
const invocations = new Map<string, number[]>();
const invoke = stack.lambdas.invoke.bind(stack.lambdas);
stack.lambdas.invoke = async (name: string, event: unknown) => {
  const started = performance.now();
  try {
    return await invoke(name, event);
  } finally {
    const list = invocations.get(name) ?? [];
    list.push(performance.now() - started);
    invocations.set(name, list);
  }
};

interface Timeline {
  joinSent?: number;
  joined?: number;
  found?: number;
  ready?: number;
  matchId?: string;
  cancelled?: number;
}
const timelines = new Map<string, Timeline>();
const sockets: WebSocket[] = [];

async function connect(userId: string): Promise<WebSocket> {
  const token = await stack.token(userId);
  const socket = new WebSocket(`ws://127.0.0.1:${stack.port}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const timeline: Timeline = {};
  timelines.set(userId, timeline);
  socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as {
      type: string;
      matchId?: string;
      ip?: string;
      port?: number;
      gameUrl?: string;
    };
    const now = performance.now();
    if (event.type === 'joinedQueue') timeline.joined = now;
    // The first MATCH FOUND; a match cancelled later (no server capacity) is counted apart.
    if (event.type === 'matchFound' && timeline.found === undefined) {
      timeline.found = now;
      timeline.matchId = event.matchId;
    }
    if (event.type === 'matchCancelled') timeline.cancelled = (timeline.cancelled ?? 0) + 1;
    if (event.type === 'serverReady') {
      timeline.ready = now;
      if (typeof event.gameUrl === 'string') finishMatch(event.gameUrl);
    }
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  sockets.push(socket);
  return socket;
}

/** Every member reports HOME with its own key, so the teams agree, the server reports and exits (servers do not pile up). */
function finishMatch(gameUrl: string): void {
  const game = new WebSocket(gameUrl);
  game.once('open', () => game.send('HOME'));
  game.once('error', () => undefined);
}

console.log(`connecting ${PLAYERS} players...`);
const players = [];
for (let i = 0; i < PLAYERS; i += 50) {
  players.push(
    ...(await Promise.all(
      Array.from({ length: Math.min(50, PLAYERS - i) }, (_, j) => connect(`bench-${i + j}`)),
    )),
  );
}
console.log(`joining over ${JOIN_SECONDS} s...`);
const gap = (JOIN_SECONDS * 1000) / PLAYERS;
const started = performance.now();
for (const [i, socket] of players.entries()) {
  const wait = started + i * gap - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  (timelines.get(`bench-${i}`) as Timeline).joinSent = performance.now();
  socket.send(JSON.stringify({ action: 'joinQueue', region: REGION }));
}
const deadline = performance.now() + 60_000;
const expected = Math.floor(PLAYERS / (2 * TEAM_SIZE)) * 2 * TEAM_SIZE;
while (performance.now() < deadline) {
  const ready = [...timelines.values()].filter((t) => t.ready !== undefined).length;
  if (ready >= expected) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const byMatch = new Map<string, Timeline[]>();
for (const timeline of timelines.values()) {
  if (!timeline.matchId) continue;
  byMatch.set(timeline.matchId, [...(byMatch.get(timeline.matchId) ?? []), timeline]);
}
const a = [...timelines.values()]
  .filter((t) => t.joined && t.joinSent)
  .map((t) => (t.joined as number) - (t.joinSent as number));
const b: number[] = [];
const c: number[] = [];
for (const members of byMatch.values()) {
  if (members.length !== 2 * TEAM_SIZE || members.some((m) => m.found === undefined)) continue;
  const completingJoin = Math.max(...members.map((m) => m.joinSent as number));
  const allFound = Math.max(...members.map((m) => m.found as number));
  b.push(allFound - completingJoin);
  if (members.every((m) => m.ready !== undefined))
    c.push(Math.max(...members.map((m) => m.ready as number)) - allFound);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const row = (name: string, values: number[]) => ({
  measure: name,
  count: values.length,
  'p50 ms': percentile(values, 50).toFixed(1),
  'p95 ms': percentile(values, 95).toFixed(1),
  'p99 ms': percentile(values, 99).toFixed(1),
});
console.log(
  `\n${PLAYERS} players, ${TEAM_SIZE}v${TEAM_SIZE}, joins over ${JOIN_SECONDS} s, one region, local stack, at most ${MAX_TASKS} game servers at once`,
);
console.table([
  row('(a) join -> joined queue', a),
  row('(b) completing join -> MATCH FOUND on every member', b),
  row('(c) MATCH FOUND -> server ready', c),
]);
const cancellations = [...timelines.values()].reduce((sum, t) => sum + (t.cancelled ?? 0), 0);
console.log(
  `first matches: ${byMatch.size}, players told a match was cancelled: ${cancellations}, dead letters: ${stack.sqs.deadLetters(stack.queueUrl).length}`,
);
console.table(
  [...invocations].map(([name, times]) => ({
    function: name,
    invocations: times.length,
    'p50 ms': percentile(times, 50).toFixed(1),
    'p95 ms': percentile(times, 95).toFixed(1),
    'max ms': Math.max(...times).toFixed(1),
    'total s': (times.reduce((sum, t) => sum + t, 0) / 1000).toFixed(1),
  })),
);
for (const socket of sockets) socket.terminate();
await stack.stop();
process.exit(0);
