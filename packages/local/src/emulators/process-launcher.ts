import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../lambda.js';

/** A process started through the launcher: enough of ChildProcess for the emulator and tests. */
export class LaunchedProcess extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;

  constructor(
    readonly id: string,
    private readonly launcher: ProcessLauncher,
  ) {
    super();
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    this.launcher.kill(this.id, signal);
    return true;
  }
}

/** Starts processes from a small helper process (see process-launcher-child.ts for why). */
export class ProcessLauncher {
  private readonly child: ChildProcess;
  private readonly processes = new Map<string, LaunchedProcess>();

  constructor(private readonly onLog?: (id: string, line: string) => void) {
    const script = fileURLToPath(new URL('./process-launcher-child.ts', import.meta.url));
    this.child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'inherit'],
      // Not the runtime's environment (its AWS keys...): each spawn names its process's environment.
      env: { PATH: process.env.PATH ?? '', ...(process.env.HOME ? { HOME: process.env.HOME } : {}) },
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
      this.receive(line),
    );
  }

  spawn(
    command: string,
    args: string[],
    cwd: string,
    env: Record<string, string | undefined>,
  ): LaunchedProcess {
    const handle = new LaunchedProcess(randomUUID(), this);
    this.processes.set(handle.id, handle);
    this.write({ op: 'spawn', id: handle.id, command, args, cwd, env });
    return handle;
  }

  kill(id: string, signal: NodeJS.Signals): void {
    this.write({ op: 'kill', id, signal });
  }

  /** Stops the launcher; its children are killed with it. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin?.end();
    });
  }

  private write(message: object): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  private receive(line: string): void {
    const message = JSON.parse(line) as {
      event: string;
      id: string;
      line?: string;
      code?: number | null;
      signal?: NodeJS.Signals | null;
      message?: string;
    };
    const handle = this.processes.get(message.id);
    if (!handle) return;
    if (message.event === 'log' && message.line) this.onLog?.(message.id, message.line);
    if (message.event === 'error') handle.emit('error', new Error(message.message));
    if (message.event === 'exit') {
      handle.exitCode = message.code ?? null;
      handle.signalCode = message.signal ?? null;
      this.processes.delete(message.id);
      handle.emit('exit', handle.exitCode, handle.signalCode);
    }
  }
}
