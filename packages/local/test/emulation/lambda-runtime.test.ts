import { fileURLToPath } from 'node:url';
import type { FunctionDefinition } from '@matchmaking/functions/manifest';
import { describe, expect, it } from 'vitest';
import { FunctionTimeoutError, type InvocationReport, LocalLambdas } from '../../src/index.js';

/*
 * The local Lambda runtime on its own, with fixture handlers whose module
 * state is visible: cold starts (on demand and every N invocations) and
 * timeouts enforced as Lambda enforces them.
 */
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string, entry: string, timeoutSeconds = 10): FunctionDefinition => ({
  name,
  entry,
  trigger: { kind: 'schedule', expression: 'rate(1 minute)' },
  env: [],
  access: [],
  timeoutSeconds,
  memoryMb: 128,
});

async function runtime(options: { coldStartEvery?: number; functionTimeouts?: Record<string, number> } = {}) {
  const lambdas = new LocalLambdas({
    ...options,
    dir: fixtures,
    functions: [
      fixture('counter', 'counter-handler.ts'),
      fixture('other', 'counter-handler.ts'),
      fixture('slow', 'slow-handler.ts', 10),
    ],
  });
  await lambdas.load();
  // load() imports the entries as this process imports any module, so every runtime of this
  // file (and 'counter' and 'other', one entry) would share those first instances: start cold.
  lambdas.coldStart();
  const reports: InvocationReport[] = [];
  lambdas.on('invocation', (report) => reports.push(report));
  return { lambdas, reports };
}

type Counts = { handlerCount: number; importedCount: number };

describe('cold starts', () => {
  it('coldStart(name) gives that function a fresh instance of its module and of the modules it imports', async () => {
    const { lambdas, reports } = await runtime();
    expect(await lambdas.invoke('counter', {})).toEqual({ handlerCount: 1, importedCount: 1 });
    expect(await lambdas.invoke('counter', {})).toEqual({ handlerCount: 2, importedCount: 2 });
    lambdas.coldStart('counter');
    // Fresh module state, down to the imported module's counter.
    expect(await lambdas.invoke('counter', {})).toEqual({ handlerCount: 1, importedCount: 1 });
    expect(await lambdas.invoke('counter', {})).toEqual({ handlerCount: 2, importedCount: 2 });
    expect(reports.map((r) => r.coldStart)).toEqual([true, false, true, false]);
    // Another function keeps its warm instance until it is cold-started itself.
    expect(((await lambdas.invoke('other', {})) as Counts).handlerCount).toBe(1);
    expect(((await lambdas.invoke('other', {})) as Counts).handlerCount).toBe(2);
    lambdas.coldStart();
    expect(((await lambdas.invoke('other', {})) as Counts).handlerCount).toBe(1);
    expect(((await lambdas.invoke('counter', {})) as Counts).handlerCount).toBe(1);
    expect(() => lambdas.coldStart('nope')).toThrow(/no local function named nope/);
  });

  it('coldStartEvery N drops each function module state every N of its invocations', async () => {
    const { lambdas, reports } = await runtime({ coldStartEvery: 2 });
    const counts: number[] = [];
    for (let i = 0; i < 5; i += 1)
      counts.push(((await lambdas.invoke('counter', {})) as Counts).handlerCount);
    expect(counts).toEqual([1, 2, 1, 2, 1]);
    expect(reports.map((r) => r.coldStart)).toEqual([true, false, true, false, true]);
    // Counted per function: 'other' has had none yet.
    expect(((await lambdas.invoke('other', {})) as Counts).handlerCount).toBe(1);

    const everyTime = await runtime({ coldStartEvery: 1 });
    for (let i = 0; i < 3; i += 1)
      expect(await everyTime.lambdas.invoke('counter', {})).toEqual({ handlerCount: 1, importedCount: 1 });
  });

  it('invocations arriving while a fresh instance loads share it', async () => {
    const { lambdas } = await runtime();
    lambdas.coldStart('counter');
    const results = (await Promise.all([1, 2, 3].map(() => lambdas.invoke('counter', {})))) as Counts[];
    expect(results.map((r) => r.handlerCount).sort()).toEqual([1, 2, 3]);
  });
});

describe('function timeouts', () => {
  it("an invocation past its timeout fails as Lambda's does, its result is discarded, and the next one is a cold start", async () => {
    const { lambdas, reports } = await runtime({ functionTimeouts: { slow: 0.2 } });
    expect(lambdas.timeoutSeconds('slow')).toBe(0.2);
    expect(lambdas.timeoutSeconds('counter')).toBe(10);
    const started = performance.now();
    const failure = await lambdas.invoke('slow', { ms: 900, id: 'late' }).catch((error: unknown) => error);
    const failedAfter = performance.now() - started;
    expect(failure).toBeInstanceOf(FunctionTimeoutError);
    expect((failure as Error).message).toBe('Task timed out after 0.20 seconds');
    expect(failedAfter).toBeGreaterThanOrEqual(190);
    expect(failedAfter).toBeLessThan(850);
    expect(reports.at(-1)).toMatchObject({ name: 'slow', outcome: 'timeout' });

    // The work it started goes on in this process (Lambda would have frozen it),
    // and the runtime is not idle until it ends; what it returns counts for nothing.
    const finished = () => (globalThis as { slowHandlerFinished?: string[] }).slowHandlerFinished ?? [];
    expect(finished()).not.toContain('late');
    expect(lambdas.busy).toBe(true);
    await lambdas.idle();
    expect(finished()).toContain('late');
    expect(reports.filter((r) => r.name === 'slow')).toHaveLength(1);

    // Lambda resets the environment after a timeout: the next invocation is a cold start.
    expect(await lambdas.invoke('slow', { ms: 0, id: 'quick' })).toBe('finished quick');
    expect(reports.at(-1)).toMatchObject({ name: 'slow', outcome: 'success', coldStart: true });
  });

  it('refuses a timeout for a function that does not exist', async () => {
    await expect(runtime({ functionTimeouts: { nope: 1 } })).rejects.toThrow(/no function named nope/);
  });
});

describe('concurrency', () => {
  it('runs a function with reserved concurrency while the shared pool is full, and in its own slots only', async () => {
    const lambdas = new LocalLambdas({
      dir: fixtures,
      maxConcurrency: 4,
      functions: [
        fixture('flood', 'slow-handler.ts'),
        { ...fixture('serial', 'slow-handler.ts'), reservedConcurrency: 1 },
      ],
    });
    await lambdas.load();
    const done: string[] = [];
    const invoke = (name: string, id: string, ms: number) =>
      lambdas.invoke(name, { id, ms }).then(() => void done.push(id));
    // Three shared slots (4 less the 1 reserved): six 300 ms floods take two rounds.
    const flood = Array.from({ length: 6 }, (_, i) => invoke('flood', `flood-${i}`, 300));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The reserved function does not wait behind the flood...
    await invoke('serial', 'serial-1', 10);
    expect(done).toEqual(['serial-1']);
    // ...and its second invocation waits for its own one slot, not for the flood.
    await Promise.all([invoke('serial', 'serial-2', 100), invoke('serial', 'serial-3', 10)]);
    expect(done.slice(1)).toEqual(['serial-2', 'serial-3']);
    await Promise.all(flood);
    expect(lambdas.peakConcurrency).toBe(3);
  });

  it('refuses reserved concurrency that leaves nothing to share', () => {
    expect(
      () =>
        new LocalLambdas({
          dir: fixtures,
          maxConcurrency: 2,
          functions: [{ ...fixture('serial', 'slow-handler.ts'), reservedConcurrency: 2 }],
        }),
    ).toThrow(/must leave some of maxConcurrency/);
  });
});
