import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type FunctionDefinition, functions } from '@matchmaking/functions/manifest';
import { importFresh } from './fresh-import.js';
import { runWithEnvironment } from './function-environment.js';

/** The functions/ directory, found through the workspace package (no relative guessing). */
export const functionsDir = dirname(
  dirname(createRequire(import.meta.url).resolve('@matchmaking/functions/manifest')),
);
/** The repository root (where game-server/ lives). */
export const repoRoot = dirname(functionsDir);

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** Invocations that may run at once; more wait in line (Lambda's concurrency limit, scaled to one machine). */
export const DEFAULT_MAX_CONCURRENCY = 64;

export interface LocalLambdasOptions {
  /** Invocations that may run at once (default DEFAULT_MAX_CONCURRENCY). */
  maxConcurrency?: number;
  /** Timeout in seconds per function name, instead of the manifest's `timeoutSeconds` (tests shorten them). */
  functionTimeouts?: Record<string, number>;
  /** A cold start every N invocations of each function: its module state is dropped and reloaded (0: never). */
  coldStartEvery?: number;
  /** Where timed-out invocations are reported, as Lambda logs them (nowhere when absent). */
  log?: (line: string) => void;
  /**
   * Variables a function's invocations see instead of the shared environment's
   * (its role's credentials: see function-environment.ts); none when absent.
   */
  environmentOf?: (name: string) => Readonly<Record<string, string>>;
  /** The functions served and the directory their entries are relative to (default: the manifest, functions/). */
  functions?: readonly FunctionDefinition[];
  dir?: string;
}

/** One finished invocation, what Lambda's REPORT line and metrics tell (emitted as `invocation`). */
export interface InvocationReport {
  name: string;
  requestId: string;
  event: unknown;
  /** The first invocation of its module instance (the first after load or after a cold start). */
  coldStart: boolean;
  /** `timeout`: still running at its timeout, so failed; what it returns later is discarded. */
  outcome: 'success' | 'error' | 'timeout';
  /** When it was taken up (epoch ms), and how long until it succeeded, failed or timed out. */
  startedAt: number;
  durationMs: number;
}

/** What an invocation still running at its function's timeout fails with, in Lambda's words. */
export class FunctionTimeoutError extends Error {
  override readonly name = 'Sandbox.Timedout';

  constructor(
    readonly functionName: string,
    readonly seconds: number,
  ) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
  }
}

/** One loaded module instance of a function (an execution environment's worth of module state). */
interface Instance {
  handler: Handler;
  invocations: number;
}

interface LocalFunction {
  definition: FunctionDefinition;
  url: string;
  instance?: Instance;
  /** Its module state is to be dropped: the next invocation loads a fresh instance (a cold start). */
  stale: boolean;
  loading?: Promise<Instance>;
  /** The slots it runs in: its reserved concurrency, or the pool every other function shares. */
  slots: Slots;
}

/** A number of concurrent executions and the invocations waiting for one, in order. */
class Slots {
  private active = 0;
  private readonly line: (() => void)[] = [];
  peak = 0;

  constructor(readonly size: number) {}

  async take(): Promise<void> {
    if (this.active < this.size) this.active += 1;
    else await new Promise<void>((resolve) => this.line.push(resolve)); // the releaser hands its slot over
    this.peak = Math.max(this.peak, this.active);
  }

  release(): void {
    const next = this.line.shift();
    if (next) next();
    else this.active -= 1;
  }
}

/**
 * The Lambda functions of the manifest, loaded from their handler modules and
 * invoked in-process the way Lambda would: one event, a Lambda-shaped context.
 * At most `maxConcurrency` invocations run at once, like an account's
 * concurrency limit; the others wait their turn instead of piling up
 * half-finished work in the heap. A function with reserved concurrency runs
 * in slots of its own, taken out of that pool, as on Lambda.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 *
 * Each function's timeout is enforced: an invocation still running at it
 * fails (FunctionTimeoutError) and its result is discarded, as Lambda does. A
 * function's module state can be dropped (`coldStart`, or every
 * `coldStartEvery` invocations): its next invocation runs a fresh instance of
 * its modules, as after a Lambda cold start. Every finished invocation is
 * emitted as an `invocation` event (InvocationReport).
 * The environment must be in place before the first `load()`.
 */
export class LocalLambdas extends EventEmitter<{ invocation: [InvocationReport] }> {
  private readonly functions = new Map<string, LocalFunction>();
  /** Invocations asked for and not finished (running or waiting for a slot). */
  private running = 0;
  /** Timed-out invocations whose work is still going on in this process. */
  private abandoned = 0;
  /** The unreserved pool every function without reserved concurrency shares. */
  private readonly shared: Slots;
  private waiters: (() => void)[] = [];
  readonly maxConcurrency: number;
  /** Timeouts (seconds) that replace the manifest's, per function name; tests may change them. */
  readonly functionTimeouts: Map<string, number>;
  /** Every N invocations of a function, its next one is a cold start (0: never). */
  coldStartEvery: number;
  private readonly log?: (line: string) => void;
  private readonly environmentOf: (name: string) => Readonly<Record<string, string>>;

  constructor(options: LocalLambdasOptions = {}) {
    super();
    this.environmentOf = options.environmentOf ?? (() => ({}));
    this.maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.coldStartEvery = options.coldStartEvery ?? 0;
    this.log = options.log;
    const dir = options.dir ?? functionsDir;
    const definitions = options.functions ?? functions;
    const reserved = definitions.reduce((sum, d) => sum + (d.reservedConcurrency ?? 0), 0);
    if (reserved >= this.maxConcurrency)
      throw new Error(
        `reserved concurrency (${reserved}) must leave some of maxConcurrency (${this.maxConcurrency})`,
      );
    this.shared = new Slots(this.maxConcurrency - reserved);
    for (const definition of definitions) {
      this.functions.set(definition.name, {
        definition,
        url: pathToFileURL(join(dir, definition.entry)).href,
        stale: false,
        slots: definition.reservedConcurrency ? new Slots(definition.reservedConcurrency) : this.shared,
      });
    }
    this.functionTimeouts = new Map(Object.entries(options.functionTimeouts ?? {}));
    for (const [name, seconds] of this.functionTimeouts) {
      if (!this.functions.has(name)) throw new Error(`functionTimeouts: no function named ${name}`);
      if (!(seconds > 0)) throw new Error(`functionTimeouts.${name} must be more than 0 seconds`);
    }
    if (!Number.isInteger(this.coldStartEvery) || this.coldStartEvery < 0)
      throw new Error('coldStartEvery must be a whole number of invocations (0: never)');
  }

  /** Some invocation is running or waiting, or a timed-out one's work is still going on. */
  get busy(): boolean {
    return this.running > 0 || this.abandoned > 0;
  }

  /** Resolves when no invocation is running (timed-out ones' work included). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Loads every function's handler module (its first instance). Each function
   * gets modules of its own, as each Lambda has its own execution environment:
   * its SDK clients hold its own role's credentials.
   */
  async load(): Promise<void> {
    for (const fn of this.functions.values()) {
      fn.instance = await this.loadInstance(fn);
      fn.stale = false;
    }
  }

  /** A fresh instance of a function's modules, loaded as the function (its init phase). */
  private async loadInstance(fn: LocalFunction): Promise<Instance> {
    const module = await runWithEnvironment(this.environmentOf(fn.definition.name), () =>
      importFresh(fn.url),
    );
    return instanceOf(fn.definition, module);
  }

  /**
   * Drops the module state of one function (or of all): its next invocation
   * loads a fresh instance of its modules, as a Lambda cold start does.
   * Invocations already running finish on the instance they started with.
   */
  coldStart(name?: string): void {
    if (name === undefined) {
      for (const fn of this.functions.values()) fn.stale = true;
      return;
    }
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no local function named ${name}`);
    fn.stale = true;
  }

  /** The timeout an invocation of this function gets, in seconds. */
  timeoutSeconds(name: string): number {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no local function named ${name}`);
    return this.functionTimeouts.get(name) ?? fn.definition.timeoutSeconds;
  }

  /** The most invocations of the shared pool that ever ran at the same time. */
  get peakConcurrency(): number {
    return this.shared.peak;
  }

  all(): readonly FunctionDefinition[] {
    return [...this.functions.values()].map((fn) => fn.definition);
  }

  /** The function a trigger kind maps to (each is unique in the manifest except websocket routes). */
  find(predicate: (definition: FunctionDefinition) => boolean): FunctionDefinition | undefined {
    return this.all().find(predicate);
  }

  async invoke(name: string, event: unknown): Promise<unknown> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no local function named ${name}`);
    this.running += 1;
    try {
      await fn.slots.take();
      try {
        return await this.run(fn, event);
      } finally {
        fn.slots.release();
      }
    } finally {
      this.running -= 1;
      this.notifyIdle();
    }
  }

  private async run(fn: LocalFunction, event: unknown): Promise<unknown> {
    const { definition } = fn;
    const name = definition.name;
    const requestId = randomUUID();
    const started = Date.now();
    const report = (outcome: InvocationReport['outcome'], coldStart: boolean) =>
      this.emit('invocation', {
        name,
        requestId,
        event,
        coldStart,
        outcome,
        startedAt: started,
        durationMs: Date.now() - started,
      });
    let instance: Instance;
    try {
      instance = await this.instance(fn);
    } catch (error) {
      // An init failure: the invocation fails, and the next one tries a fresh instance again.
      report('error', true);
      throw error;
    }
    const coldStart = instance.invocations === 0;
    instance.invocations += 1;
    // The deadline starts after the init phase, as Lambda's does.
    const seconds = this.timeoutSeconds(name);
    const deadline = Date.now() + seconds * 1000;
    const context = {
      functionName: `matchmaking-local-${name}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:matchmaking-local-${name}`,
      memoryLimitInMB: String(definition.memoryMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/matchmaking-local-${name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const work = runWithEnvironment(this.environmentOf(name), async () => instance.handler(event, context));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FunctionTimeoutError(name, seconds)), seconds * 1000);
    });
    try {
      const result = await Promise.race([work, timedOut]);
      report('success', coldStart);
      return result;
    } catch (error) {
      if (error instanceof FunctionTimeoutError && error.functionName === name) {
        this.abandon(fn, instance, work);
        this.log?.(`${requestId} ${name}: ${error.message}`);
        report('timeout', coldStart);
      } else {
        report('error', coldStart);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A timed-out invocation. Lambda freezes its execution environment at the
   * timeout and resets it, so its work stops there and the function's next
   * invocation is a cold start. A promise cannot be stopped: here the work it
   * started may go on in this process (its writes land, later), but whatever
   * it returns or throws is dropped, its concurrency slot is given back now, and
   * the function's next invocation runs a fresh instance, as after the reset.
   * `idle()` still waits for the work, so nothing outlives the stack.
   * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
   */
  private abandon(fn: LocalFunction, instance: Instance, work: Promise<unknown>): void {
    if (fn.instance === instance) fn.stale = true;
    this.abandoned += 1;
    void work
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.abandoned -= 1;
        this.notifyIdle();
      });
  }

  /** The instance the next invocation runs: the current one, or a fresh one after a cold start. */
  private async instance(fn: LocalFunction): Promise<Instance> {
    // Invocations arriving while a fresh instance loads share it.
    if (fn.loading) return fn.loading;
    const every = this.coldStartEvery;
    if (fn.instance && every > 0 && fn.instance.invocations >= every) fn.stale = true;
    if (fn.instance && !fn.stale) return fn.instance;
    fn.stale = false; // a coldStart() from now on asks for yet another instance
    const loading = (async () => {
      try {
        const instance = await this.loadInstance(fn);
        fn.instance = instance;
        return instance;
      } catch (error) {
        fn.stale = true; // an init failure: the next invocation tries a fresh instance again
        throw error;
      } finally {
        fn.loading = undefined;
      }
    })();
    fn.loading = loading;
    return loading;
  }

  private notifyIdle(): void {
    if (this.busy) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function instanceOf(definition: FunctionDefinition, module: unknown): Instance {
  const handler = (module as { handler?: unknown } | null)?.handler;
  if (typeof handler !== 'function') throw new Error(`${definition.entry} exports no handler`);
  return { handler: handler as Handler, invocations: 0 };
}
