import { type ChildProcess, spawn } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { createInterface } from 'node:readline';

/**
 * Game servers' scheduling priority (nice). On AWS they run on Fargate
 * capacity of their own, never on the CPU of the Lambdas that match players;
 * here they share the machine, so a burst of server starts runs behind the
 * control plane instead of starving it.
 */
export const GAME_SERVER_NICE = 10;

/*
 * A small process whose only job is to start and stop game-server processes
 * for the ECS emulator. Forking from this small process is cheap; forking
 * from the big runtime process blocks its event loop for tens of ms each
 * time. JSON lines in on stdin, JSON lines out on stdout. It exits, killing
 * its children, when the runtime goes (stdin closes).
 */
const children = new Map<string, ChildProcess>();
const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line) as
    | { op: 'spawn'; id: string; command: string; args: string[]; cwd: string; env: Record<string, string> }
    | { op: 'kill'; id: string; signal: NodeJS.Signals };
  if (message.op === 'kill') {
    children.get(message.id)?.kill(message.signal);
    return;
  }
  const child = spawn(message.command, message.args, {
    cwd: message.cwd,
    env: message.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(message.id, child);
  if (child.pid !== undefined) {
    try {
      // Never higher than the runtime's own (raising a priority needs privileges).
      setPriority(child.pid, Math.max(getPriority(), GAME_SERVER_NICE));
    } catch {
      // It exited already: nothing to deprioritise.
    }
  }
  const relay = (chunk: Buffer) => {
    for (const text of chunk.toString('utf8').split('\n'))
      if (text.trim()) send({ event: 'log', id: message.id, line: text });
  };
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  let exited = false;
  const exit = (code: number | null, signal: NodeJS.Signals | null) => {
    if (exited) return;
    exited = true;
    children.delete(message.id);
    send({ event: 'exit', id: message.id, code, signal });
  };
  child.once('error', (error) => {
    send({ event: 'error', id: message.id, message: error.message });
    // A process that never started (no such command...) emits no 'exit': report one, so its task stops.
    if (child.pid === undefined) exit(127, null);
  });
  child.once('exit', exit);
});
process.stdin.on('end', () => {
  for (const child of children.values()) child.kill('SIGKILL');
  process.exit(0);
});
