import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { WebSocket } from 'ws';
import { ensureGameServerBundle } from '../src/game-server-bundle.js';
import { repoRoot } from '../src/lambda.js';
import { startLocalStack } from '../src/stack.js';

/**
 * `pnpm soak`: runs the local stack for a while with simulated players who
 * join, leave, disconnect, reconnect and play, and game servers that fail at a
 * given rate; then checks the invariants over the whole run and prints a
 * summary. Not part of `pnpm test`.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    players: { type: 'string', default: '30' },
    'failure-rate': { type: 'string', default: '0.3' },
    'team-size': { type: 'string', default: '1' },
  },
});
const SECONDS = Number(values.seconds);
const PLAYERS = Number(values.players);
const FAILURE_RATE = Number(values['failure-rate']);
const REGION = 'eu-west-1';

await ensureGameServerBundle();
const stack = await startLocalStack({
  port: 0,
  regions: [REGION],
  teamSize: Number(values['team-size']),
  tickSeconds: 1,
  readyTimeoutSeconds: 4,
  maxMatchSeconds: 15,
  logLevel: 'SILENT',
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

console.log(`soak: ${PLAYERS} players for ${SECONDS} s, game-server failure rate ${FAILURE_RATE}`);
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
const scan = async (table: string) => (await doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
const matches = await scan(stack.tableNames.matches);
const players = await scan(stack.tableNames.players);
const tickets = await scan(stack.tableNames.tickets);
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
await stack.stop();
const orphans = [...stack.ecs.tasks.values()].filter(
  (t) => t.process && t.process.exitCode === null && t.process.signalCode === null,
);
if (orphans.length > 0) violations.push(`${orphans.length} game-server processes left running`);

const byState = (state: string) => matches.filter((m) => m.state === state).length;
console.table([
  {
    'matches started': stack.ecs.tasks.size,
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
for (const violation of violations.slice(0, 20)) console.log(`violation: ${violation}`);
process.exit(violations.length === 0 ? 0 : 1);
