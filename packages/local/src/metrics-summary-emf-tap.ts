/**
 * CloudWatch Logs' side of the embedded metric format, for the handlers that
 * run in this process: on Lambda, Powertools Metrics writes each record as
 * one JSON line on stdout and CloudWatch Logs turns it into metrics. Here
 * those lines are taken off stdout and handed to the taps (the minute
 * summary), so they do not flood the terminal; a tap with `echo` (DEBUG logs)
 * lets them through as well. A tap with a `deployment` takes only the records
 * of that `deployment` dimension (each local stack has its own), and a record
 * no tap takes goes through as written. Every other write goes through
 * untouched, and the handlers do not know: only what reads their stdout differs.
 */

/** One EMF record as Powertools writes it (`_aws` and the metric and dimension values as keys). */
export interface EmfRecord {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit?: string }[];
    }[];
  };
  [key: string]: unknown;
}

export interface EmfTap {
  /** Stops taking records (stdout is restored when no tap is left). */
  remove(): void;
}

interface Listener {
  take: (record: EmfRecord) => void;
  echo: boolean;
  deployment?: string;
}

const listeners = new Set<Listener>();
/** The current patch of stdout: the write it replaced, and its own (see uninstall). */
let installed:
  | { original: typeof process.stdout.write; tapped: typeof process.stdout.write; on: { active: boolean } }
  | undefined;

/**
 * Hands every EMF record written to stdout (of `deployment`, if given) to
 * `take`; echoes it to stdout too if `echo`.
 */
export function tapEmf(
  take: (record: EmfRecord) => void,
  options: { echo?: boolean; deployment?: string } = {},
): EmfTap {
  const listener: Listener = { take, echo: options.echo ?? false, deployment: options.deployment };
  listeners.add(listener);
  install();
  return {
    remove() {
      listeners.delete(listener);
      if (listeners.size === 0) uninstall();
    },
  };
}

/** The record a write carries, if it is one: Powertools writes `{"_aws":...}` and a newline in one call. */
export function emfRecordOf(chunk: unknown): EmfRecord | undefined {
  const text =
    typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString() : '';
  if (!text.startsWith('{"_aws":') || !text.endsWith('\n')) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<EmfRecord>;
    return Array.isArray(parsed._aws?.CloudWatchMetrics) ? (parsed as EmfRecord) : undefined;
  } catch {
    return undefined;
  }
}

function install(): void {
  if (installed) return;
  const write = process.stdout.write;
  // Off once uninstalled: a patch that could not be taken out (someone patched stdout on top of it) passes everything through.
  const on = { active: true };
  // Console (Powertools' own, on process.stdout) looks `write` up on each call, so replacing it catches every line.
  const tapped = function tapped(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const record = on.active ? emfRecordOf(chunk) : undefined;
    const takers = record
      ? [...listeners].filter((l) => l.deployment === undefined || l.deployment === record.deployment)
      : [];
    if (!record || takers.length === 0) return write.call(this, chunk as string, ...(rest as []));
    let echo = false;
    for (const listener of takers) {
      echo ||= listener.echo;
      try {
        listener.take(record);
      } catch {
        // A summary that cannot read a record must never fail the handler that wrote it.
      }
    }
    if (echo) return write.call(this, chunk as string, ...(rest as []));
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (done) process.nextTick(done);
    return true;
  } as typeof process.stdout.write;
  process.stdout.write = tapped;
  installed = { original: write, tapped, on };
}

function uninstall(): void {
  if (!installed) return;
  installed.on.active = false;
  // Restored only if stdout's write is still ours: a patch made since stays, and calls through ours, now inert.
  if (process.stdout.write === installed.tapped) process.stdout.write = installed.original;
  installed = undefined;
}
