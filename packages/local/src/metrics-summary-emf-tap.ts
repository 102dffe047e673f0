/**
 * CloudWatch Logs' side of the embedded metric format, for the handlers that
 * run in this process: on Lambda, Powertools Metrics writes each record as
 * one JSON line on stdout and CloudWatch Logs turns it into metrics. Here
 * those lines are taken off stdout and handed to the taps (the minute
 * summary), so they do not flood the terminal; a tap with `echo` (DEBUG logs)
 * lets them through as well. Every other write goes through untouched, and
 * the handlers do not know: only what reads their stdout differs.
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
}

const listeners = new Set<Listener>();
let original: typeof process.stdout.write | undefined;

/** Hands every EMF record written to stdout to `take`; echoes it to stdout too if `echo`. */
export function tapEmf(take: (record: EmfRecord) => void, options: { echo?: boolean } = {}): EmfTap {
  const listener = { take, echo: options.echo ?? false };
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
  if (original) return;
  const write = process.stdout.write;
  original = write;
  // Console (Powertools' own, on process.stdout) looks `write` up on each call, so replacing it catches every line.
  process.stdout.write = function tapped(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const record = emfRecordOf(chunk);
    if (!record) return write.call(this, chunk as string, ...(rest as []));
    let echo = false;
    for (const listener of listeners) {
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
}

function uninstall(): void {
  if (!original) return;
  process.stdout.write = original;
  original = undefined;
}
