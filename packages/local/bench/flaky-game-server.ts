import { spawn } from 'node:child_process';

/*
 * The soak test's game server: the real bundled server, except that with
 * probability SOAK_FAILURE_RATE it fails in one of three ways — crash before
 * ready, never call ready, or crash a moment after ready.
 */
const rate = Number(process.env.SOAK_FAILURE_RATE ?? 0);
const serverBundle = process.env.SOAK_SERVER_BUNDLE as string;
const roll = Math.random();
const failure =
  roll < rate
    ? (['crash-before-ready', 'never-ready', 'crash-after-ready'] as const)[Math.floor((roll / rate) * 3)]
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
