import { CallbackRejected, postCallback } from './callback-client.js';
import { ConfigError, readConfig } from './config.js';
import { log } from './log.js';
import { createGameServer } from './server.js';

/*
 * One game-server process per match (an ECS task): listen, report ready to
 * the API, play, report the result, exit. It exits on its own after
 * MAX_MATCH_SECONDS without a result (the API then abandons the match), and
 * cleanly on SIGTERM (ECS StopTask).
 */
let config: ReturnType<typeof readConfig>;
try {
  config = readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const callbackUrl = (kind: 'ready' | 'result') =>
  `${config.callbackBaseUrl}/matches/${encodeURIComponent(config.matchId)}/${kind}`;

const game = createGameServer(config, async (outcome) => {
  log('result', { matchId: config.matchId, outcome });
  try {
    const done = await postCallback(callbackUrl('result'), config.token, { outcome });
    log('result reported', { matchId: config.matchId, outcome, done });
    setTimeout(() => void stop(0), 200);
  } catch (error) {
    log('result not reported', { matchId: config.matchId, error: (error as Error).message });
    setTimeout(() => void stop(1), 200);
    throw error;
  }
});

async function stop(code: number): Promise<void> {
  await game.close();
  process.exit(code);
}

process.on('SIGTERM', () => {
  log('stopping on SIGTERM', { matchId: config.matchId });
  void stop(0);
});

const deadline = setTimeout(() => {
  log('maximum match time reached without a result', {
    matchId: config.matchId,
    seconds: config.maxMatchSeconds,
  });
  void stop(3);
}, config.maxMatchSeconds * 1000);
deadline.unref();

game.server.listen(config.port, () => {
  const port = game.port();
  log('listening', { matchId: config.matchId, port, home: config.home, away: config.away });
  postCallback(callbackUrl('ready'), config.token, {
    port,
    ...(config.publicIp ? { ip: config.publicIp } : {}),
  })
    .then((done) => log('ready reported', { matchId: config.matchId, port, done }))
    .catch((error: unknown) => {
      log('ready not reported', {
        matchId: config.matchId,
        error: (error as Error).message,
        final: error instanceof CallbackRejected,
      });
      void stop(1);
    });
});
