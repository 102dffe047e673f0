import type { GameServerProcess } from '../../src/index.js';

/**
 * Stand-in game-server processes for tests of the emulators and of failures.
 * They are real processes (what ECS would run), just with known behaviour.
 */
const script = (code: string): GameServerProcess => ({
  command: process.execPath,
  args: ['-e', code],
  cwd: process.cwd(),
});

/** Runs until stopped, never calls back: a server that never becomes ready. */
export const sleepingGameServer = script(
  "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);",
);

/** Crashes at once, before ready. */
export const crashingGameServer = script('process.exit(3);');
