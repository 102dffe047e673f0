import { spawn } from 'node:child_process';

/*
 * The soak test's game server (plain JavaScript, started with plain node like
 * the bundle): the real bundled server, except that with probability RATE it
 * fails in one of three ways — crash before ready, never call ready, or crash
 * a moment after ready. Usage: node flaky-game-server.mjs <rate> <bundle>
 * (arguments, since the ECS emulator gives a task only its own variables).
 */
const rate = Number(process.argv[2] ?? 0);
const serverBundle = process.argv[3];
const roll = Math.random();
const failure =
  roll < rate
    ? ['crash-before-ready', 'never-ready', 'crash-after-ready'][Math.floor((roll / rate) * 3)]
    : undefined;

if (failure === 'crash-before-ready') process.exit(5);
if (failure === 'never-ready') {
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => undefined, 1000);
} else {
  const child = spawn(process.execPath, [serverBundle], { stdio: 'inherit' });
  child.once('exit', (code) => process.exit(code ?? 1));
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  if (failure === 'crash-after-ready') {
    setTimeout(() => {
      child.kill('SIGKILL');
      process.exit(6);
    }, 1500);
  }
}
