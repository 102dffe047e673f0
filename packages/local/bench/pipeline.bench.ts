import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { findMatches, type MatchingConfig, type ServerEvent } from '@matchmaking/core';
import type { LifecycleDeps, TicketItem } from '@matchmaking/functions/lifecycle';
import { functions, QUEUE_BATCH_SIZE } from '@matchmaking/functions/manifest';
import { tableDefinitions } from '@matchmaking/functions/tables';
import { startLocalStack } from '../src/stack.js';

/**
 * `pnpm bench:pipeline [--pools 1000,10000,100000] [--burst 10000] [--design before|after|both]`
 *
 * Measures the matchmaking pipeline's design with the real product steps
 * (runMatchmakingPass, WaitingPool, recordMatch, startMatch and the
 * repositories of lifecycleDeps()) against real dynalite, every DynamoDB call
 * paying 5 ms through the local stack's latency link. Queue changes are
 * injected straight into the pipeline, with no WebSockets: the cost of this
 * machine's WebSocket joins would hide the design (see bench:flow for that).
 * The stack's own matchmaker never runs: nothing is sent to its SQS queue and
 * its tick is off; this process plays the two event source mappings:
 *
 * - the serial section (the one FIFO message group): pass requests taken in
 *   batches of up to 10 (the event source mapping's batch size), one
 *   runMatchmakingPass per batch, strictly one at a time, with a WaitingPool
 *   kept across passes (the matchmaker's module state); continuations come
 *   back through the same queue;
 * - the match starter (one message group per match): startMatch per match,
 *   at most STARTER_CONCURRENCY at once.
 *
 * Only two things are stand-ins. The game-server launcher waits RUNTASK_MS
 * (RunTask's latency on AWS) and answers a task ARN: the local ECS emulator
 * would spawn one real game-server process per match, which measures this
 * machine's process spawning, not the design. The notifier records when each
 * player got `matchFound` and answers 'sent' (the @connections emulator would
 * need real WebSockets). Not modelled: SQS's own latency (the hand-over to the
 * starter and the pass requests are in memory here).
 *
 * Joins write what joinQueue writes (the queued player, the ticket as
 * TicketsRepository.create builds it), batched (see JoinWrites), then ask for
 * a pass carrying the ticket. A last run, "serial section alone", lets a cold
 * pass claim 2,000 matches with nothing else running: the section's own pace
 * on this machine.
 *
 * `--design before` runs a model of the design on main before the pipeline
 * change, reassembled from today's steps: every pass reads the whole region
 * (the old listWaiting), builds a fresh pool, and records and starts each
 * match inline, 8 at a time, RunTask included, with no budget.
 *
 * Read units are counted, not estimated: every call of the lifecycle's
 * DynamoDB client asks for ReturnConsumedCapacity TOTAL (a middleware on the
 * shared client) and dynalite answers ConsumedCapacity by DynamoDB's rules
 * (item sizes rounded up to 4 KB, per item for GetItem, per page for Query;
 * 1 unit strongly consistent, 0.5 eventually: "DynamoDB read and write
 * operations", DynamoDB Developer Guide). Calls are attributed to the pass
 * that made them with AsyncLocalStorage.
 */
const { values } = parseArgs({
  options: {
    pools: { type: 'string', default: '1000,10000,100000' },
    burst: { type: 'string', default: '10000' },
    design: { type: 'string', default: 'both' },
    'stream-rate': { type: 'string', default: '100' },
    'stream-seconds': { type: 'string', default: '10' },
    'burst-seconds': { type: 'string', default: '10' },
    'before-limit-seconds': { type: 'string', default: '90' },
  },
});
const POOLS = (values.pools ?? '')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map(Number);
const BURST = Number(values.burst);
const DESIGN = values.design;
if (DESIGN !== 'before' && DESIGN !== 'after' && DESIGN !== 'both') {
  throw new Error(`--design must be before, after or both, got ${DESIGN}`);
}
const DESIGNS: Design[] = DESIGN === 'both' ? ['after', 'before'] : [DESIGN];
const STREAM_RATE = Number(values['stream-rate']);
const STREAM_SECONDS = Number(values['stream-seconds']);
const BURST_SECONDS = Number(values['burst-seconds']);
const BEFORE_LIMIT_MS = Number(values['before-limit-seconds']) * 1000;
for (const [name, value] of Object.entries({ BURST, STREAM_RATE, STREAM_SECONDS, BURST_SECONDS })) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`bad ${name}: ${value}`);
}
if (POOLS.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`bad --pools: ${values.pools}`);

type Design = 'before' | 'after';

const DYNAMODB_MS = 5;
/** RunTask's latency on AWS (the issue's figure). */
const RUNTASK_MS = 600;
/** Match starts in flight at once (the match starter's concurrency). */
const STARTER_CONCURRENCY = 100;
/** The matchmaker's event source mapping hands it at most this many messages per invocation. */
const BATCH_SIZE = 10;
/** PASS_MAX_MATCHES / PASS_BUDGET_SECONDS as deployed by default. */
const BUDGET = { maxMatches: 1000, maxMilliseconds: 20_000 };
/** A pass running longer than the matchmaker's timeout is killed and its batch redelivered. */
const PASS_TIMEOUT_MS = (functions.find((f) => f.name === 'matchmaker')?.timeoutSeconds ?? Number.NaN) * 1000;
/** The old pass created this many matches at once (PARALLEL_CREATIONS before the pipeline change). */
const BEFORE_WAVE = 8;
/** How long after its start a burst must be fully matched. */
const FOUND_WITHIN_MS = 60_000;
/** How long an "after" scenario may take to match its last joins once they are all in. */
const DRAIN_LIMIT_MS = 60_000;
const settings = { readyTimeoutSeconds: 120 };
const timings = { callbackBaseUrl: 'http://127.0.0.1:9', maxMatchSeconds: 3600, idleSeconds: 120 };
/** Pool players cannot match anyone: ratings 1 apart, windows of +-0.5 that never widen. */
const POOL_MATCHING: MatchingConfig = {
  teamSize: 1,
  windowInitial: 0.5,
  windowGrowthPerSecond: 0,
  windowMax: 0.5,
};
const POOL_BASE_RATING = 10_000;
/** The stream's pairs: both players at one rating, pairs 2 points apart, far below the pool. */
const STREAM_BASE_RATING = 1000;
const BURST_MATCHING: MatchingConfig = {
  teamSize: 1,
  windowInitial: 1000,
  windowGrowthPerSecond: 0,
  windowMax: 1000,
};

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const stack = await startLocalStack({
  port: 0,
  regions: ['eu-west-1'],
  teamSize: 1,
  tickSeconds: 0,
  logLevel: 'SILENT',
  emulate: { dynamoDbMs: DYNAMODB_MS },
  // Never started (the launcher below is a stand-in); given so the stack does not build the game-server bundle.
  gameServer: { command: process.execPath, args: ['-e', ''], cwd: process.cwd() },
});
const stop = async () => {
  await stack.stop();
  process.exit(130);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

// Imported once the stack has set the handlers' environment (table names, endpoints, log level).
const product = await import('@matchmaking/functions/lifecycle');

// ---------------------------------------------------------------------------------------------
// The lifecycle's DynamoDB client: counting, and the setup's writes without the emulated latency

interface Meter {
  reads: number;
  /** Items a Query evaluated (before its filter): what the read paid for. */
  scanned: number;
  calls: number;
}
interface Scope {
  /** Capacity of the calls made in this scope (one pass) is added here. */
  meter?: Meter;
  /** Setup: straight to dynalite, past the latency link. */
  direct?: boolean;
  /** Setup: the items a repository would put are collected instead of sent (then batch-written). */
  capture?: Record<string, unknown>[];
}
const scope = new AsyncLocalStorage<Scope>();
const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
const TICKETS_TABLE = stack.tableNames.tickets;
const TICKETS_HASH_KEY = tableDefinitions.tickets.hashKey.name;
/** Region -> the tickets table's partition key values its tickets were written under (whatever the key schema). */
const partitions = new Map<string, Set<string>>();
/** How long each metered DynamoDB call took, as the pass saw it (5 ms emulated + SDK, link, dynalite). */
const callLatencies: number[] = [];
const directPort = Number(new URL(stack.dynamoDirectEndpoint).port);

const doc = product.documentClient();
doc.middlewareStack.add(
  (next, context) => async (args) => {
    const command = context.commandName ?? '';
    const input = args.input as Record<string, unknown>;
    const current = scope.getStore();
    if (command === 'PutItemCommand' && input.TableName === TICKETS_TABLE) {
      const item = input.Item as Record<string, unknown>;
      const region = String(item.region);
      const known = partitions.get(region) ?? new Set<string>();
      known.add(String(item[TICKETS_HASH_KEY]));
      partitions.set(region, known);
    }
    if (current?.capture) {
      current.capture.push(input.Item as Record<string, unknown>);
      return { output: { $metadata: {} }, response: {} } as never;
    }
    if (!current?.meter) return next(args);
    input.ReturnConsumedCapacity = 'TOTAL';
    const sent = performance.now();
    const result = await next(args);
    callLatencies.push(performance.now() - sent);
    current.meter.calls += 1;
    const output = result.output as {
      ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
      ScannedCount?: number;
    };
    const consumed = output.ConsumedCapacity;
    const units = Array.isArray(consumed)
      ? consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0)
      : (consumed?.CapacityUnits ?? 0);
    if (READS.has(command)) current.meter.reads += units;
    current.meter.scanned += output.ScannedCount ?? 0;
    return result;
  },
  { step: 'initialize', name: 'benchCapacityMeter' },
);
doc.middlewareStack.add(
  (next) => async (args) => {
    if (scope.getStore()?.direct) (args.request as { port?: number }).port = directPort;
    return next(args);
  },
  { step: 'build', priority: 'high', name: 'benchDirectSetup' },
);
// One client serves the passes, the joins and the match starts here; on AWS each Lambda instance has
// its own connections. Without this, a burst's joins queue behind the SDK's default 50 sockets and the
// pass's calls wait behind them (a queue the design does not have).
(
  doc.config.requestHandler as { updateHttpClientConfig?: (key: string, value: unknown) => void }
).updateHttpClientConfig?.('httpAgent', new Agent({ keepAlive: true, maxSockets: 1000 }));
const base = product.lifecycleDeps();
const passState = product.matchmakerState();
const queueStats = product.queueStatsRepository();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items`, `width` at a time. */
async function eachLimited<T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** Writes items to a table straight to dynalite, 25 per BatchWriteItem (a PutItem each is ~7 times slower there). */
async function batchWrite(table: string, items: readonly Record<string, unknown>[]): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await scope.run({ direct: true }, () =>
    eachLimited(chunks, 8, async (chunk) => {
      let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }),
  );
}

/**
 * Waiting tickets written as TicketsRepository.create writes them: the
 * repository builds each item (keys, index attributes) and the items are then
 * batch-written straight to dynalite. At 100k tickets one conditional PutItem
 * each takes about 100 s on this machine (dynalite's per-request cost, ~1k/s);
 * BatchWriteItem does ~7k/s.
 */
async function writeTickets(tickets: readonly TicketItem[]): Promise<void> {
  const items: Record<string, unknown>[] = [];
  await scope.run({ capture: items }, async () => {
    for (const ticket of tickets) await base.tickets.create(ticket);
  });
  await batchWrite(TICKETS_TABLE, items);
}

interface StreamPlayer {
  userId: string;
  rating: number;
}

const connectionOf = (userId: string) => `conn-${userId}`;
const userOf = (connectionId: string) => connectionId.slice('conn-'.length);

// ---------------------------------------------------------------------------------------------
// The serial section, the match starter, joins

type PassRequest = Parameters<LifecycleDeps['queue']['requestPass']>[0];
type PlayerItem = NonNullable<Awaited<ReturnType<LifecycleDeps['players']['get']>>>;

interface PassRecord {
  startedAt: number;
  ms: number;
  messages: number;
  recorded: number;
  cut: boolean;
  resync: boolean;
  reads: number;
  scanned: number;
  calls: number;
}
type PassOutcome = Pick<PassRecord, 'recorded' | 'cut' | 'resync'>;

/**
 * The one FIFO message group: requests wait in order, a pass takes up to
 * BATCH_SIZE of them, and the next pass starts only when it is done. A
 * failed pass puts its batch back in front (redelivery).
 */
class SerialSection {
  readonly passes: PassRecord[] = [];
  failures = 0;
  private readonly inbox: PassRequest[] = [];
  private readonly deduplicated = new Set<string>();
  private busy = false;
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly pass: (batch: PassRequest[]) => Promise<PassOutcome>) {}

  readonly queue: LifecycleDeps['queue'] = {
    requestPass: async (request, deduplicationId) => {
      if (this.deduplicated.has(deduplicationId)) return;
      this.deduplicated.add(deduplicationId);
      this.inbox.push(request);
      this.kick();
    },
  };

  stop(): void {
    this.stopped = true;
  }

  /** Pass requests not taken yet. */
  get queued(): number {
    return this.inbox.length;
  }

  idle(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.waiters.push(resolve)) : Promise.resolve();
  }

  private kick(): void {
    if (this.busy || this.stopped) return;
    this.busy = true;
    // Outside whatever pass asked (a continuation): the loop's calls are metered per pass below.
    scope.exit(() => void this.loop());
  }

  private async loop(): Promise<void> {
    try {
      while (this.inbox.length > 0 && !this.stopped) {
        const batch = this.inbox.splice(0, BATCH_SIZE);
        const meter: Meter = { reads: 0, scanned: 0, calls: 0 };
        const startedAt = performance.now();
        try {
          const outcome = await scope.run({ meter }, () => this.pass(batch));
          const ms = performance.now() - startedAt;
          this.passes.push({ startedAt, ms, messages: batch.length, ...outcome, ...meter });
        } catch (error) {
          this.failures += 1;
          console.error('a pass failed; its batch is redelivered', error);
          this.inbox.unshift(...batch);
          await sleep(100);
        }
      }
    } finally {
      this.busy = false;
      for (const resolve of this.waiters.splice(0)) resolve();
    }
  }
}

/** The match starter: startMatch per handed-over match, STARTER_CONCURRENCY at once, outside the serial section. */
class MatchStarter {
  /** When the serial section handed each match over. */
  readonly handedAt = new Map<string, number>();
  readonly outcomes = new Map<string, number>();
  private readonly waiting: string[] = [];
  private head = 0;
  private active = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly start: (matchId: string) => Promise<string>) {}

  readonly requestStarts = async (matchIds: readonly string[]): Promise<void> => {
    scope.exit(() => {
      const now = performance.now();
      for (const id of matchIds) {
        // The start queue deduplicates by match id (FIFO deduplication).
        if (this.handedAt.has(id)) continue;
        this.handedAt.set(id, now);
        this.waiting.push(id);
      }
      this.pump();
    });
  };

  idle(): Promise<void> {
    return this.active === 0 && this.head === this.waiting.length
      ? Promise.resolve()
      : new Promise((resolve) => this.waiters.push(resolve));
  }

  private pump(): void {
    while (this.active < STARTER_CONCURRENCY && this.head < this.waiting.length) {
      const matchId = this.waiting[this.head++] as string;
      this.active += 1;
      void this.start(matchId)
        .then(
          (outcome) => this.count(outcome),
          (error: unknown) => {
            // The match starter reports the message failed; it would be retried. Counted, not retried here.
            this.count('failed');
            console.error('a match start failed', error);
          },
        )
        .finally(() => {
          this.active -= 1;
          this.pump();
          if (this.active === 0 && this.head === this.waiting.length) {
            for (const resolve of this.waiters.splice(0)) resolve();
          }
        });
    }
  }

  private count(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }
}

/** What one scenario saw: join and MATCH FOUND times per player. */
class Recorder {
  readonly joinedAt = new Map<string, number>();
  readonly foundAt = new Map<string, number>();
  readonly tickets: TicketItem[] = [];
  joinErrors = 0;

  /** Records MATCH FOUND per player and answers 'sent' (@connections stand-in). */
  readonly notifier: LifecycleDeps['notifier'] = {
    send: async (connectionId: string, event: ServerEvent) => {
      const userId = userOf(connectionId);
      if (event.type === 'matchFound' && !this.foundAt.has(userId))
        this.foundAt.set(userId, performance.now());
      return 'sent';
    },
    close: async () => undefined,
  };

  /** RunTask stand-in: RUNTASK_MS, then a task ARN (see the header: no process per match). */
  readonly launcher: LifecycleDeps['launcher'] = {
    start: async ({ region, startedBy }) => {
      await sleep(RUNTASK_MS);
      return `arn:aws:ecs:${region}:000000000000:task/bench/${startedBy}`;
    },
    stop: async () => undefined,
    taskDefinitionOf: () => 'game-server',
  };
}

/**
 * The joins' writes, gathered for a few milliseconds into BatchWriteItem
 * calls (25 items each) through the lifecycle's client, so each still pays
 * the 5 ms link. One call per write costs dynalite about 1 ms of its one core
 * (it does ~1,000 conditional PutItems/s here): a 1,000 joins/s burst needs
 * 2,000 writes/s, so dynalite alone would be the limit and the passes' calls
 * would queue behind the joins' (measured: with a call per write, the burst's
 * first 10 s claimed 30 matches). A join still waits for its own writes
 * before it asks for a pass.
 */
class JoinWrites {
  private pending: { table: string; item: Record<string, unknown> }[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  write(writes: { table: string; item: Record<string, unknown> }[]): Promise<void> {
    this.pending.push(...writes);
    this.timer ??= setTimeout(() => void this.flush(), 5);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const writes = this.pending.splice(0);
    const waiters = this.waiters.splice(0);
    const chunks: (typeof writes)[] = [];
    for (let i = 0; i < writes.length; i += 25) chunks.push(writes.slice(i, i + 25));
    try {
      await Promise.all(
        chunks.map(async (chunk) => {
          let requests: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {};
          for (const { table, item } of chunk) {
            requests[table] = [...(requests[table] ?? []), { PutRequest: { Item: item } }];
          }
          while (Object.keys(requests).length > 0) {
            const result = await doc.send(new BatchWriteCommand({ RequestItems: requests }));
            requests = (result.UnprocessedItems ?? {}) as typeof requests;
          }
        }),
      );
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}
const joinWrites = new JoinWrites();

/**
 * A join as joinQueue makes it (use-cases/join-queue.ts): the player marked
 * queued with its ticket (the item markQueued leaves), the ticket (the item
 * TicketsRepository.create builds), then a pass request carrying the ticket.
 * The writes are batched (JoinWrites) and unconditional: these players are
 * connected, idle and join once, so joinQueue's conditions always hold, and
 * its first read of the player is left out (the bench knows the rating).
 */
async function join(
  recorder: Recorder,
  queue: LifecycleDeps['queue'],
  region: string,
  player: StreamPlayer,
): Promise<void> {
  const { userId, rating } = player;
  recorder.joinedAt.set(userId, performance.now());
  const now = Date.now();
  const ticketId = product.newTicketId(now, randomUUID());
  const connectionId = connectionOf(userId);
  const ticket = {
    queue: 'default',
    region,
    ticketId,
    enqueuedAt: now,
    state: 'waiting' as const,
    players: [{ userId, connectionId, rating, rd: 350, vol: 0.06 }],
  };
  const queued: PlayerItem = {
    userId,
    rating,
    rd: 350,
    vol: 0.06,
    status: 'queued',
    region,
    queue: 'default',
    ticketId,
    connectionId,
    updatedAt: now,
  };
  const stored: Record<string, unknown>[] = [];
  await scope.run({ capture: stored }, () => base.tickets.create(ticket));
  await joinWrites.write([
    { table: stack.tableNames.players, item: { ...queued } },
    ...stored.map((item) => ({ table: TICKETS_TABLE, item })),
  ]);
  recorder.tickets.push(ticket);
  await queue.requestPass(
    { reason: 'joined', queue: 'default', regions: [region], requestedAt: now, waiting: [ticket] },
    `joined:${ticketId}`,
  );
}

/** Starts the joins at `perSecond`, in order; resolves when every join is done. */
async function joinAtRate(
  players: readonly StreamPlayer[],
  perSecond: number,
  run: (player: StreamPlayer) => Promise<void>,
  until = Number.POSITIVE_INFINITY,
): Promise<void> {
  const started = performance.now();
  const joins: Promise<void>[] = [];
  let next = 0;
  while (next < players.length && performance.now() < until) {
    const due = Math.min(players.length, Math.floor(((performance.now() - started) * perSecond) / 1000) + 1);
    while (next < due) joins.push(run(players[next++] as StreamPlayer));
    await sleep(5);
  }
  await Promise.all(joins);
}

async function waitFor(done: () => boolean, until: number): Promise<void> {
  while (!done() && performance.now() < until) await sleep(50);
}

// ---------------------------------------------------------------------------------------------
// The two designs

interface Pipeline {
  serial: SerialSection;
  starter?: MatchStarter;
  /** The in-memory pool ("after"): its size is what the matcher works through every pass. */
  pool?: InstanceType<typeof product.WaitingPool>;
}

/** Today's design: the serial pass claims and records within its budget, the starter does the rest in parallel. */
function afterDesign(
  recorder: Recorder,
  region: string,
  matching: MatchingConfig,
  start?: (matchId: string) => Promise<string>,
): Pipeline {
  // Module state of the matchmaker instance: the pool, and matches recorded but not yet handed over.
  const pool = new product.WaitingPool('default');
  const unstarted = new Set<string>();
  const serial: SerialSection = new SerialSection(async (batch) => {
    const regions = [...new Set(batch.flatMap((request) => request.regions))];
    const changes = batch.flatMap((request) => request.waiting ?? []) as TicketItem[];
    const resyncs = pool.resyncs;
    const summaries = await product.runMatchmakingPass(
      { ...base, queue: serial.queue, starts: starter, state: passState, stats: queueStats },
      { name: 'default', teamSize: matching.teamSize, maxWaitSeconds: 3600, matching },
      settings,
      BUDGET,
      regions,
      // As the matchmaker handler does.
      {
        pool,
        served: [region],
        changes,
        unstarted,
        ...product.batchHints(
          batch.map((request) => request.reason),
          QUEUE_BATCH_SIZE,
        ),
      },
    );
    return {
      recorded: summaries.reduce((sum, s) => sum + s.recorded, 0),
      cut: summaries.some((s) => s.cut),
      resync: pool.resyncs !== resyncs,
    };
  });
  const deps: LifecycleDeps = {
    ...base,
    notifier: recorder.notifier,
    launcher: recorder.launcher,
    queue: serial.queue,
  };
  const starter = new MatchStarter(start ?? ((matchId) => product.startMatch(deps, timings, matchId)));
  return { serial, starter, pool };
}

/**
 * A model of the design on main before the pipeline change, built from
 * today's steps (it is not the old code): every pass reads the whole region
 * from the table as the old listWaiting did, builds a fresh pool from it,
 * and records AND starts each match inline, BEFORE_WAVE at a time
 * (recordMatch then startMatch, RunTask's 600 ms included), with no budget.
 * `until` is the bench's time limit for a scenario (not part of the design):
 * past it the pass stops between waves.
 */
function beforeDesign(
  recorder: Recorder,
  matching: MatchingConfig,
  until: () => number,
): Pipeline & { atCut: () => CutPass | undefined } {
  let atCut: CutPass | undefined;
  const serial: SerialSection = new SerialSection(async (batch) => {
    const startedAt = performance.now();
    let recorded = 0;
    const deps: LifecycleDeps = {
      ...base,
      notifier: recorder.notifier,
      launcher: recorder.launcher,
      queue: serial.queue,
    };
    for (const region of [...new Set(batch.flatMap((request) => request.regions))].sort()) {
      const now = Date.now();
      const items = (await readRegionTheOldWay(region)).filter((t) => (t.retryAt ?? 0) <= now);
      const byId = new Map(items.map((item) => [item.ticketId, item]));
      const { matches } = findMatches(
        items.map((item) => product.toTicket(item)),
        now,
        matching,
      );
      for (let i = 0; i < matches.length; i += BEFORE_WAVE) {
        if (performance.now() >= until()) {
          atCut = { made: i, left: matches.length - i, ms: performance.now() - startedAt };
          break;
        }
        const made = await Promise.all(
          matches.slice(i, i + BEFORE_WAVE).map(async (formed) => {
            const outcome = await product.recordMatch(deps, settings, formed, byId);
            if (outcome.kind === 'conflict') return 0;
            await product.startMatch(deps, timings, outcome.matchId);
            return outcome.kind === 'recorded' ? 1 : 0;
          }),
        );
        recorded += made.reduce((sum: number, n) => sum + n, 0);
      }
    }
    return { recorded, cut: false, resync: true };
  });
  return { serial, atCut: () => atCut };
}

/** The "before" pass the time limit stopped: matches made and left, and how long it had run. */
interface CutPass {
  made: number;
  left: number;
  ms: number;
}

/** What the pass stopped by the time limit would have needed: at its pace, past the function timeout? */
function cutNote(cut: CutPass | undefined): string[] {
  if (!cut || cut.made === 0) return [];
  const projected = (cut.ms * (cut.made + cut.left)) / cut.made;
  return [
    `the pass running at the limit had made ${cut.made} matches in ${ms(cut.ms)} with ${cut.left} to go: ` +
      `about ${ms(projected)} in all at that pace${projected > PASS_TIMEOUT_MS ? `, past the ${PASS_TIMEOUT_MS / 1000} s timeout (killed and redelivered on AWS)` : ''}`,
  ];
}

/**
 * The old listWaiting (`git show 8b92b55~20:functions/src/data/tickets-repository.ts`):
 * a strongly consistent Query over the region's partition with `state = waiting`
 * as a filter, every page, so claimed tickets are read (and paid for) too. Today
 * the tickets table may spread a region over several partition keys: each one
 * the repository wrote this region's tickets under is queried, one after the
 * other, as the old code paged through its one partition.
 */
async function readRegionTheOldWay(region: string): Promise<TicketItem[]> {
  const tickets: TicketItem[] = [];
  for (const key of [...(partitions.get(region) ?? [])].sort()) {
    const items = await product.queryPages(doc, {
      TableName: TICKETS_TABLE,
      KeyConditionExpression: '#key = :key',
      FilterExpression: '#state = :waiting',
      ExpressionAttributeNames: { '#key': TICKETS_HASH_KEY, '#state': 'state' },
      ExpressionAttributeValues: { ':key': key, ':waiting': 'waiting' },
      ConsistentRead: true,
    });
    tickets.push(...items.map(product.ticketFromItem));
  }
  return tickets.sort((a, b) => (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Result {
  design: Design;
  label: string;
  cold?: PassRecord;
  passes: PassRecord[];
  players: number;
  latencies: number[];
  foundWithin: number;
  failures: number;
  /** The bench's time limit stopped the run ("before" only). */
  limited: boolean;
  elapsedMs: number;
  /** Latency of every metered DynamoDB call of the run's passes. */
  callLatencies: number[];
  /** CPU of the matching step alone over the pool at the end ("after" pool runs). */
  matcher?: string;
  notes: string[];
  /** What happened when, in 5 s steps from the start (bursts). */
  timeline?: string;
}

function resultOf(
  design: Design,
  label: string,
  pipeline: Pipeline,
  recorder: Recorder,
  players: readonly StreamPlayer[],
  startedAt: number,
  hasCold: boolean,
  limited: boolean,
  firstCall: number,
): Result {
  const [first, ...rest] = pipeline.serial.passes;
  const latencies = players.flatMap(({ userId }) => {
    const joined = recorder.joinedAt.get(userId);
    const found = recorder.foundAt.get(userId);
    return joined !== undefined && found !== undefined ? [found - joined] : [];
  });
  const foundWithin = players.filter(
    ({ userId }) => (recorder.foundAt.get(userId) ?? Number.POSITIVE_INFINITY) - startedAt <= FOUND_WITHIN_MS,
  ).length;
  return {
    design,
    label,
    ...(hasCold && first ? { cold: first } : {}),
    passes: hasCold ? rest : pipeline.serial.passes,
    players: players.length,
    latencies,
    foundWithin,
    failures: pipeline.serial.failures,
    limited,
    elapsedMs: performance.now() - startedAt,
    callLatencies: callLatencies.slice(firstCall),
    notes: [],
  };
}

/** Match starts that did not simply start (cancelled, failed...): none are expected. */
function unusualStarts(pipeline: Pipeline): string[] {
  const unusual = [...(pipeline.starter?.outcomes ?? [])].filter(([outcome]) => outcome !== 'started');
  return unusual.map(([outcome, n]) => `${n} match starts ${outcome}`);
}

/** Brings a pipeline to rest: no pass, no start in flight. */
async function settle(pipeline: Pipeline): Promise<number> {
  const queued = pipeline.serial.queued;
  pipeline.serial.stop();
  await pipeline.serial.idle();
  await pipeline.starter?.idle();
  return queued;
}

let scenarioCount = 0;
function newPlayers(prefix: string, count: number, rating: (i: number) => number): StreamPlayer[] {
  scenarioCount += 1;
  return Array.from({ length: count }, (_, i) => ({
    userId: `${prefix}-${scenarioCount}-${i}`,
    rating: rating(i),
  }));
}

/** Pool players waiting in `region` that cannot match each other (no player rows: they are never claimed). */
async function writePool(region: string, size: number): Promise<void> {
  const now = Date.now();
  const tickets: TicketItem[] = Array.from({ length: size }, (_, i) => {
    const userId = `pool-${region}-${i}`;
    const enqueuedAt = now - size + i;
    return {
      queue: 'default',
      region,
      ticketId: product.newTicketId(enqueuedAt, userId),
      enqueuedAt,
      state: 'waiting',
      players: [
        { userId, connectionId: connectionOf(userId), rating: POOL_BASE_RATING + i, rd: 350, vol: 0.06 },
      ],
    };
  });
  await writeTickets(tickets);
}

/** Removes a scenario's joined tickets (as server-ready and leaving would), so the next design starts from the pool alone. */
async function removeTickets(tickets: readonly TicketItem[]): Promise<void> {
  await scope.run({ direct: true }, () =>
    eachLimited(tickets, 32, async (ticket) => {
      const stored = await base.tickets.get(ticket);
      if (stored?.state === 'claimed' && stored.matchId)
        await base.tickets.deleteClaimed(ticket, stored.matchId);
      else if (stored) await base.tickets.deleteWaiting(ticket);
    }),
  );
}

/** A pass for the region and nothing else (a tick's request): the cold start's full read, before anyone joins. */
async function coldPass(pipeline: Pipeline, region: string): Promise<void> {
  await pipeline.serial.queue.requestPass(
    { reason: 'tick', queue: 'default', regions: [region], requestedAt: Date.now() },
    `cold:${region}`,
  );
  await pipeline.serial.idle();
}

async function poolScenario(design: Design, region: string, poolSize: number): Promise<Result> {
  const recorder = new Recorder();
  const count = 2 * Math.floor((STREAM_RATE * STREAM_SECONDS) / 2);
  const players = newPlayers(`${design}-stream`, count, (i) => STREAM_BASE_RATING + 2 * Math.floor(i / 2));
  let limit = Number.POSITIVE_INFINITY;
  const before = design === 'before' ? beforeDesign(recorder, POOL_MATCHING, () => limit) : undefined;
  const pipeline = before ?? afterDesign(recorder, region, POOL_MATCHING);
  const firstCall = callLatencies.length;
  await coldPass(pipeline, region);
  const startedAt = performance.now();
  if (before) limit = startedAt + BEFORE_LIMIT_MS;
  await joinAtRate(
    players,
    STREAM_RATE,
    (player) =>
      join(recorder, pipeline.serial.queue, region, player).catch((error: unknown) => {
        recorder.joinErrors += 1;
        console.error('join failed', error);
      }),
    limit,
  );
  await waitFor(
    () => recorder.foundAt.size >= players.length,
    before ? limit : performance.now() + DRAIN_LIMIT_MS,
  );
  const limited = recorder.foundAt.size < players.length;
  const queued = await settle(pipeline);
  const result = resultOf(
    design,
    String(poolSize),
    pipeline,
    recorder,
    players,
    startedAt,
    true,
    limited,
    firstCall,
  );
  if (pipeline.pool) result.matcher = matcherCost(pipeline.pool, region, POOL_MATCHING);
  if (recorder.joinErrors > 0) result.notes.push(`${recorder.joinErrors} joins failed`);
  result.notes.push(...unusualStarts(pipeline), ...cutNote(before?.atCut()));
  if (queued > 0) result.notes.push(`${queued} pass requests still queued at the end`);
  await removeTickets(recorder.tickets);
  return result;
}

async function burstScenario(design: Design, size: number): Promise<Result> {
  const region = `eu-burst-${design}-1`;
  const recorder = new Recorder();
  const players = newPlayers(`${design}-burst`, size, () => 1500);
  let limit = Number.POSITIVE_INFINITY;
  const before = design === 'before' ? beforeDesign(recorder, BURST_MATCHING, () => limit) : undefined;
  const pipeline = before ?? afterDesign(recorder, region, BURST_MATCHING);
  const firstCall = callLatencies.length;
  await coldPass(pipeline, region);
  const startedAt = performance.now();
  if (before) limit = startedAt + BEFORE_LIMIT_MS;
  const perSecond = size / BURST_SECONDS;
  const expected = 2 * Math.floor(size / 2);
  await joinAtRate(
    players,
    perSecond,
    (player) =>
      join(recorder, pipeline.serial.queue, region, player).catch((error: unknown) => {
        recorder.joinErrors += 1;
        console.error('join failed', error);
      }),
    limit,
  );
  await waitFor(() => recorder.foundAt.size >= expected, Math.min(limit, startedAt + 2 * FOUND_WITHIN_MS));
  const limited = recorder.foundAt.size < expected;
  const queued = await settle(pipeline);
  const result = resultOf(
    design,
    String(size),
    pipeline,
    recorder,
    players,
    startedAt,
    true,
    limited,
    firstCall,
  );
  const handed = pipeline.starter?.handedAt;
  if (handed && handed.size > 0) {
    const last = Math.max(...handed.values());
    result.notes.push(
      `${handed.size} matches claimed by ${((last - startedAt) / 1000).toFixed(1)} s after the burst's start`,
    );
  }
  if (recorder.joinErrors > 0) result.notes.push(`${recorder.joinErrors} joins failed`);
  result.notes.push(...unusualStarts(pipeline), ...cutNote(before?.atCut()));
  if (queued > 0) result.notes.push(`${queued} pass requests still queued at the end`);
  const firstResync = result.passes.findIndex((p) => p.resync);
  if (design === 'after' && firstResync > 0) {
    const intake = result.passes.slice(0, firstResync);
    const resync = result.passes[firstResync] as PassRecord;
    result.notes.push(
      `until the pool's periodic resync ${((resync.startedAt - startedAt) / 1000).toFixed(1)} s in: ` +
        `${intake.length} passes (p50 ${ms(
          percentile(
            intake.map((p) => p.ms),
            50,
          ),
        )}, ` +
        `${(intake.reduce((sum, p) => sum + p.messages, 0) / intake.length).toFixed(1)} messages each) ` +
        `claimed ${intake.reduce((sum, p) => sum + p.recorded, 0)} matches; the resync read the rest ` +
        `(${units(resync.reads)} read units)`,
    );
  }
  const perFive = (times: Iterable<number>) => {
    const buckets: number[] = [];
    for (const t of times) {
      const i = Math.max(0, Math.floor((t - startedAt) / 5000));
      buckets[i] = (buckets[i] ?? 0) + 1;
    }
    return Array.from(buckets, (n) => n ?? 0).join(', ');
  };
  result.timeline = [
    ...(handed ? [`matches claimed per 5 s: ${perFive(handed.values())}`] : []),
    `MATCH FOUND per 5 s: ${perFive(recorder.foundAt.values())}`,
  ].join('; ');
  return result;
}

/** Matchable tickets the "serial section alone" run starts from (two passes' worth at the default budget). */
const ALONE_WAITING = 4000;

/**
 * The serial section's own pace on this machine: ALONE_WAITING matchable
 * tickets in the table, a cold pass and its continuations claim them all, and
 * nothing else runs (no joins; matches are handed over, not started), so the
 * section has dynalite and this process to itself.
 */
async function serialAlone(): Promise<Result> {
  const region = 'eu-alone-1';
  const now = Date.now();
  await writeTickets(
    Array.from({ length: ALONE_WAITING }, (_, i) => {
      const userId = `alone-${i}`;
      return {
        queue: 'default',
        region,
        ticketId: product.newTicketId(now + i, userId),
        enqueuedAt: now + i,
        state: 'waiting' as const,
        players: [{ userId, connectionId: connectionOf(userId), rating: 1500, rd: 350, vol: 0.06 }],
      };
    }),
  );
  const recorder = new Recorder();
  const pipeline = afterDesign(recorder, region, BURST_MATCHING, async () => 'handed over');
  const firstCall = callLatencies.length;
  const startedAt = performance.now();
  await coldPass(pipeline, region);
  await settle(pipeline);
  return resultOf('after', String(ALONE_WAITING), pipeline, recorder, [], startedAt, false, false, firstCall);
}

/** CPU of the pass's matching step over this pool (copy of the view, findMatches), without any I/O. */
function matcherCost(
  pool: InstanceType<typeof product.WaitingPool>,
  region: string,
  matching: MatchingConfig,
): string {
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < 5; i += 1) {
    const started = performance.now();
    const items = pool.waiting(region).filter((t) => (t.retryAt ?? 0) <= Date.now());
    findMatches(
      items.map((item) => product.toTicket(item)),
      Date.now(),
      matching,
    );
    times.push(performance.now() - started);
    size = items.length;
  }
  return `${ms(percentile(times, 50))} over ${size.toLocaleString('en-US')} waiting`;
}

// ---------------------------------------------------------------------------------------------
// Output

function percentile(list: readonly number[], p: number): number {
  const sorted = [...list].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const max = (list: readonly number[]) => (list.length === 0 ? Number.NaN : Math.max(...list));
function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`;
}
function units(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
const pair = (a: string, b: string) => `${a} / ${b}`;

/** Matches the serial section claimed per second of its own busy time (passes that claimed any). */
function claimRate(passes: readonly PassRecord[]): string {
  const working = passes.filter((p) => p.recorded > 0);
  const recorded = working.reduce((sum, p) => sum + p.recorded, 0);
  const busy = working.reduce((sum, p) => sum + p.ms, 0);
  return busy > 0 ? (recorded / (busy / 1000)).toFixed(0) : '-';
}

function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

function poolRow(r: Result): string[] {
  const passMs = r.passes.map((p) => p.ms);
  const reads = r.passes.map((p) => p.reads);
  const scanned = r.passes.map((p) => p.scanned);
  const resyncs = r.passes.filter((p) => p.resync).length;
  const notes = [...r.notes];
  if (r.design === 'after' && resyncs > 0)
    notes.push(`${resyncs} steady passes re-read the pool (30 s resync)`);
  if (r.limited)
    notes.push(
      r.design === 'before'
        ? `cut at the ${BEFORE_LIMIT_MS / 1000} s limit: ${r.latencies.length} of ${r.players} matched`
        : `${r.latencies.length} of ${r.players} matched within ${DRAIN_LIMIT_MS / 1000} s of the last join`,
    );
  return [
    r.design,
    Number(r.label).toLocaleString('en-US'),
    ms(r.cold?.ms ?? Number.NaN),
    units(r.cold?.reads ?? Number.NaN),
    String(r.passes.length),
    pair(ms(percentile(passMs, 50)), ms(max(passMs))),
    pair(units(percentile(reads, 50)), units(max(reads))),
    pair(units(percentile(scanned, 50)), units(max(scanned))),
    claimRate(r.passes),
    pair(ms(percentile(r.latencies, 50)), ms(percentile(r.latencies, 95))),
    `${r.latencies.length} / ${r.players}`,
    notes.join('; '),
  ];
}

function burstRow(r: Result): string[] {
  const passMs = r.passes.map((p) => p.ms);
  const reads = r.passes.map((p) => p.reads);
  const overBudget = r.passes.filter((p) => p.ms > BUDGET.maxMilliseconds).length;
  const overTimeout = r.passes.filter((p) => p.ms > PASS_TIMEOUT_MS).length;
  const continuations = r.passes.filter((p) => p.cut).length;
  const notes = [...r.notes];
  if (continuations > 0)
    notes.push(`${continuations} passes stopped at the budget and asked for a continuation`);
  if (r.limited)
    notes.push(
      r.design === 'before'
        ? `cut at the ${BEFORE_LIMIT_MS / 1000} s limit: ${r.latencies.length} of ${r.players} matched`
        : `${r.latencies.length} of ${r.players} matched`,
    );
  return [
    r.design,
    String(r.passes.length),
    pair(ms(percentile(passMs, 50)), ms(max(passMs))),
    claimRate(r.passes),
    pair(units(percentile(reads, 50)), units(max(reads))),
    [ms(percentile(r.latencies, 50)), ms(percentile(r.latencies, 95)), ms(max(r.latencies))].join(' / '),
    `${r.foundWithin} / ${r.players}`,
    String(overBudget),
    `${overTimeout} / ${r.failures}`,
    notes.join('; '),
  ];
}

function aloneRow(r: Result): string[] {
  const passMs = r.passes.map((p) => p.ms);
  const reads = r.passes.map((p) => p.reads);
  const recorded = r.passes.reduce((sum, p) => sum + p.recorded, 0);
  return [
    'after: serial section alone',
    String(r.passes.length),
    pair(ms(percentile(passMs, 50)), ms(max(passMs))),
    claimRate(r.passes),
    pair(units(percentile(reads, 50)), units(max(reads))),
    '-',
    '-',
    String(r.passes.filter((p) => p.ms > BUDGET.maxMilliseconds).length),
    `${r.passes.filter((p) => p.ms > PASS_TIMEOUT_MS).length} / ${r.failures}`,
    `${recorded} matches from ${Number(r.label).toLocaleString('en-US')} waiting tickets in the table (the first pass reads them); no joins, matches handed over but not started`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Run

const poolResults: Result[] = [];
const burstResults: Result[] = [];
let alone: Result | undefined;
const runStarted = performance.now();
const loadAtStart = loadavg()[0] ?? Number.NaN;
const cpus = availableParallelism();
try {
  for (const size of POOLS) {
    const region = `eu-pool-${scenarioCount + 1}`;
    const setupStarted = performance.now();
    await writePool(region, size);
    console.error(
      `pool of ${size} written in ${ms(performance.now() - setupStarted)} (${partitions.get(region)?.size ?? 0} partition keys)`,
    );
    for (const design of DESIGNS) {
      const result = await poolScenario(design, region, size);
      console.error(`pool ${size}, ${design}: done in ${ms(result.elapsedMs)}`);
      poolResults.push(result);
    }
  }
  if (BURST > 0) {
    if (DESIGNS.includes('after')) {
      alone = await serialAlone();
      console.error(`serial section alone: done in ${ms(alone.elapsedMs)}`);
    }
    for (const design of DESIGNS) {
      const result = await burstScenario(design, BURST);
      console.error(`burst ${BURST}, ${design}: done in ${ms(result.elapsedMs)}`);
      burstResults.push(result);
    }
  }
} finally {
  await stack.stop();
}

const setup =
  `Setup: real product steps (runMatchmakingPass, WaitingPool, recordMatch, startMatch, lifecycleDeps() repositories) ` +
  `on dynalite behind the stack's latency link (every DynamoDB call >= ${DYNAMODB_MS} ms); joins as joinQueue makes them, ` +
  `injected into the serial section (no WebSockets); serial section: one pass at a time, batches of <= ${BATCH_SIZE} messages, ` +
  `budget ${BUDGET.maxMatches} matches / ${BUDGET.maxMilliseconds / 1000} s, matchmaker timeout ${PASS_TIMEOUT_MS / 1000} s; ` +
  `match starter: ${STARTER_CONCURRENCY} at once, RunTask stand-in ${RUNTASK_MS} ms; 1v1; "before" cut at ${BEFORE_LIMIT_MS / 1000} s; ` +
  `read units counted by dynalite (ReturnConsumedCapacity TOTAL). Whole run ${ms(performance.now() - runStarted)}; ` +
  `load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]?.toFixed(1)} at the end, on ${cpus} CPUs.`;
console.log(`\n${setup}\n`);
if (poolResults.length > 0) {
  console.log(
    `### Waiting pools that cannot match, then ${STREAM_RATE} matchable joins/s for ${STREAM_SECONDS} s (pairs at equal ratings)\n`,
  );
  console.log(
    markdownTable(
      [
        'design',
        'pool',
        'first pass (cold)',
        'first pass read units',
        'steady passes',
        'pass p50 / max',
        'read units per pass p50 / max',
        'items read per pass p50 / max',
        'matches claimed/s (serial, busy time)',
        'join -> MATCH FOUND p50 / p95',
        'MATCH FOUND',
        'notes',
      ],
      [
        ...poolResults.map(poolRow),
        ['target', '', '', '', '', '', 'flat as the pool grows', '', '>= 300 (see burst)', '', 'all', ''],
      ],
    ),
  );
}
if (burstResults.length > 0) {
  console.log(`\n### Burst: ${BURST} joins in ${BURST_SECONDS} s, all matchable (1500, window +-1000)\n`);
  console.log(
    markdownTable(
      [
        'design',
        'passes',
        'pass p50 / max',
        'matches claimed/s (serial, busy time)',
        'read units per pass p50 / max',
        'join -> MATCH FOUND p50 / p95 / max',
        `MATCH FOUND within ${FOUND_WITHIN_MS / 1000} s of the start`,
        `passes over the ${BUDGET.maxMilliseconds / 1000} s budget`,
        `passes over the ${PASS_TIMEOUT_MS / 1000} s timeout / failed (redelivered)`,
        'notes',
      ],
      [
        ...burstResults.map(burstRow),
        ...(alone ? [aloneRow(alone)] : []),
        ['target', '', '', '>= 300', '', '', 'all', '0', '0 / 0', ''],
      ],
    ),
  );
  console.log('');
  for (const r of burstResults)
    if (r.timeline) console.log(`- ${r.design}, from the burst's start: ${r.timeline}`);
}
const all = [...poolResults, ...burstResults, ...(alone ? [alone] : [])];
if (all.length > 0) {
  console.log(`\n### Where the serial section's time goes\n`);
  console.log(
    markdownTable(
      [
        'design',
        'run',
        'DynamoDB calls per pass p50 / max',
        `DynamoDB call latency p50 / p95 (${DYNAMODB_MS} ms emulated + SDK, link, dynalite)`,
        'matcher CPU per pass alone (copy of the view + findMatches)',
      ],
      all.map((r) => {
        const calls = r.passes.map((p) => p.calls);
        return [
          r.design,
          r === alone
            ? 'serial section alone'
            : poolResults.includes(r)
              ? `pool ${Number(r.label).toLocaleString('en-US')}`
              : `burst ${r.label}`,
          pair(units(percentile(calls, 50)), units(max(calls))),
          pair(ms(percentile(r.callLatencies, 50)), ms(percentile(r.callLatencies, 95))),
          r.matcher ?? '',
        ];
      }),
    ),
  );
}
console.log(
  `\nSteady passes exclude the first (cold) pass, which runs before anyone joins. "Matches claimed/s" is matches ` +
    `recorded per second of the serial section's busy time (passes that claimed any). The pool runs' stream brings ` +
    `${STREAM_RATE / 2} matches/s, so ${STREAM_RATE / 2} there means the section kept up. "Items read" counts what the ` +
    `Queries evaluated (ScannedCount, before any filter). Read units per pass are those of the pass's own calls ` +
    `(the "before" pass starts its matches inline, so its reads include startMatch's).`,
);
process.exit(0);
