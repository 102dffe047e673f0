import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type FunctionDefinition, functions } from '@matchmaking/functions/manifest';

/** The functions/ directory, found through the workspace package (no relative guessing). */
export const functionsDir = dirname(
  dirname(createRequire(import.meta.url).resolve('@matchmaking/functions/manifest')),
);
/** The repository root (where game-server/ lives). */
export const repoRoot = dirname(functionsDir);

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** Invocations that may run at once; more wait in line (Lambda's concurrency limit, scaled to one machine). */
export const DEFAULT_MAX_CONCURRENCY = 64;

/**
 * The Lambda functions of the manifest, loaded from their handler modules and
 * invoked in-process the way Lambda would: one event, a Lambda-shaped context.
 * At most `maxConcurrency` invocations run at once, like an account's
 * concurrency limit; the others wait their turn instead of piling up
 * half-finished work in the heap.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
 * The environment must be in place before the first `load()`.
 */
export class LocalLambdas {
  private readonly handlers = new Map<string, Handler>();
  /** Invocations asked for and not finished (running or waiting for a slot). */
  private running = 0;
  private active = 0;
  private readonly line: (() => void)[] = [];
  private waiters: (() => void)[] = [];
  /** The most invocations that ever ran at the same time. */
  peakConcurrency = 0;

  constructor(readonly maxConcurrency = DEFAULT_MAX_CONCURRENCY) {}

  get busy(): boolean {
    return this.running > 0;
  }

  /** Resolves when no invocation is running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async load(): Promise<void> {
    for (const definition of functions) {
      const module = (await import(pathToFileURL(join(functionsDir, definition.entry)).href)) as {
        handler?: Handler;
      };
      if (typeof module.handler !== 'function') throw new Error(`${definition.entry} exports no handler`);
      this.handlers.set(definition.name, module.handler);
    }
  }

  private async slot(): Promise<void> {
    if (this.active < this.maxConcurrency) this.active += 1;
    else await new Promise<void>((resolve) => this.line.push(resolve)); // the releaser hands its slot over
    this.peakConcurrency = Math.max(this.peakConcurrency, this.active);
  }

  private release(): void {
    const next = this.line.shift();
    if (next) next();
    else this.active -= 1;
  }

  all(): readonly FunctionDefinition[] {
    return functions;
  }

  /** The function a trigger kind maps to (each is unique in the manifest except websocket routes). */
  find(predicate: (definition: FunctionDefinition) => boolean): FunctionDefinition | undefined {
    return functions.find(predicate);
  }

  async invoke(name: string, event: unknown): Promise<unknown> {
    const handler = this.handlers.get(name);
    const definition = functions.find((f) => f.name === name);
    if (!handler || !definition) throw new Error(`no local function named ${name}`);
    const deadline = Date.now() + definition.timeoutSeconds * 1000;
    const context = {
      functionName: `matchmaking-local-${name}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:matchmaking-local-${name}`,
      memoryLimitInMB: String(definition.memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/matchmaking-local-${name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    this.running += 1;
    try {
      await this.slot();
      try {
        return await handler(event, context);
      } finally {
        this.release();
      }
    } finally {
      this.running -= 1;
      if (this.running === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }
}
