import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/*
 * The soak test's game server (plain JavaScript, started with plain node like
 * the bundle): the real bundled server, except that with probability RATE it
 * fails. Usage: node flaky-game-server.mjs <rate> <bundle> (arguments, since
 * the ECS emulator gives a task only its own variables).
 *
 * A server started for one match (MATCH_ID) fails in one of three ways:
 * crash before ready, never call ready, or crash a moment after ready.
 *
 * A warm-pool server (SERVER_ID) rolls its fate when launched, and fails in
 * one of three ways: exit before registering (never idle, the keeper
 * replaces it), crash as soon as it takes a match (before or while it
 * reports ready), or crash a moment after it reported its match ready. The
 * last two fail the match the pool gave it, as a cold server's failures do.
 * The wrapper reads the server's JSON log lines (passed through unchanged)
 * to know when it took its match and when it reported ready.
 */
const rate = Number(process.argv[2] ?? 0);
const serverBundle = process.argv[3];
const pool = Boolean(process.env.SERVER_ID);
const roll = Math.random();
const kinds = pool
  ? ['exit-before-register', 'crash-on-take', 'crash-after-ready']
  : ['crash-before-ready', 'never-ready', 'crash-after-ready'];
const failure = roll < rate ? kinds[Math.floor((roll / rate) * 3)] : undefined;

if (failure === 'crash-before-ready' || failure === 'exit-before-register') process.exit(5);
if (failure === 'never-ready') {
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => undefined, 1000);
} else {
  const child = spawn(process.execPath, [serverBundle], {
    stdio: ['ignore', pool ? 'pipe' : 'inherit', 'inherit'],
  });
  child.once('exit', (code) => process.exit(code ?? 1));
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const crash = () => {
    child.kill('SIGKILL');
    process.exit(6);
  };
  if (!pool && failure === 'crash-after-ready') setTimeout(crash, 1500);
  if (pool && child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      process.stdout.write(`${line}\n`);
      const event = /"event":"([^"]*)"/.exec(line)?.[1];
      if (failure === 'crash-on-take' && event === 'session received') crash();
      if (failure === 'crash-after-ready' && event === 'ready reported') setTimeout(crash, 500);
    });
  }
}
