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

/**
 * A warm-pool server with one fault, as a real process: it registers with
 * its task's one-time token (port 9: nothing listens, so a nudge fails at
 * once), then, by `fault`:
 * - 'ignores': heartbeats but never takes an assignment;
 * - 'silent': never heartbeats after registering;
 * - 'crashes-after-take': takes its assignment at its first heartbeat that
 *   announces one, then exits 1 before reporting ready;
 * - 'never-ready': takes it and never reports ready (nor exits);
 * - 'crashes-after-ready': takes it, reports ready, then exits 1.
 */
export function faultyPoolServer(
  fault: 'ignores' | 'silent' | 'crashes-after-take' | 'never-ready' | 'crashes-after-ready',
): GameServerProcess {
  return script(`
    const base = process.env.CALLBACK_BASE_URL, id = process.env.SERVER_ID;
    const call = (action, token) => fetch(base + '/servers/' + id + '/' + action, {
      method: 'POST',
      headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
      body: JSON.stringify(action === 'register' ? { port: 9 } : {}),
    });
    process.on('SIGTERM', () => process.exit(0));
    (async () => {
      const registered = await call('register', process.env.SERVER_REGISTRATION_TOKEN);
      if (registered.status !== 200) process.exit(1);
      const { token, heartbeatSeconds } = await registered.json();
      if (${JSON.stringify(fault)} === 'silent') return setInterval(() => {}, 1000);
      let taken = false;
      setInterval(async () => {
        const beat = await call('heartbeat', token).catch(() => undefined);
        if (!beat || beat.status !== 200) return;
        const { assigned } = await beat.json();
        const fault = ${JSON.stringify(fault)};
        if (!assigned || fault === 'ignores' || taken) return;
        taken = true;
        const session = await (await call('assignment', token)).json();
        if (fault === 'crashes-after-take') process.exit(1);
        if (fault === 'never-ready') return;
        await fetch(base + '/matches/' + session.matchId + '/ready', {
          method: 'POST',
          headers: { authorization: 'Bearer ' + session.token, 'content-type': 'application/json' },
          body: JSON.stringify({ port: 9 }),
        });
        process.exit(1);
      }, heartbeatSeconds * 1000);
    })();
  `);
}
