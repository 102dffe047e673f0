import { CallbackRejected, postCallback, requestSession } from './callback-client.js';
import { ConfigError, type GameServerConfig, readConfig } from './config.js';
import { log } from './log.js';
import { createGameServer, type GameServer } from './server.js';
import { type GameServerSession, parseSession, SessionInvalid } from './session.js';

/*
 * One game-server process per match (an ECS task): exchange the bootstrap
 * token for the match's session (roster, join-key hashes, session token),
 * listen, report ready, play, report the result, exit.
 *
 * Exit codes: 0 result reported (or SIGTERM); 1 a callback was refused or
 * kept failing, the session was invalid, or the port could not be opened;
 * 2 bad configuration; 3 MAX_MATCH_SECONDS without a result; 4 no player
 * connected for IDLE_SECONDS. On 1, 3 and 4 no result was reported: the
 * platform abandons the match (no rating change).
 */
let config: GameServerConfig;
try {
  config = readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const { matchId } = config;

const callbackUrl = (kind: 'session' | 'ready' | 'result') =>
  `${config.callbackBaseUrl}/matches/${encodeURIComponent(matchId)}/${kind}`;

let game: GameServer | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await game?.close();
  process.exit(code);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    log(`stopping on ${signal}`, { matchId });
    void stop(0);
  });
}

const deadline = setTimeout(() => {
  log('maximum match time reached without a result', { matchId, seconds: config.maxMatchSeconds });
  void stop(3);
}, config.maxMatchSeconds * 1000);
deadline.unref();

let session: GameServerSession;
try {
  session = parseSession(await requestSession(callbackUrl('session'), config.bootstrapToken), matchId);
} catch (error) {
  log('session not received', {
    matchId,
    error: (error as Error).message,
    final: error instanceof CallbackRejected || error instanceof SessionInvalid,
  });
  await stop(1);
  throw error;
}
const { token } = session;
log('session received', {
  matchId,
  home: session.teams.home.map((p) => p.userId),
  away: session.teams.away.map((p) => p.userId),
});

game = createGameServer(session, {
  idleSeconds: config.idleSeconds,
  onIdle: () => {
    log('no players connected', { matchId, seconds: config.idleSeconds });
    void stop(4);
  },
  onResult: async (outcome) => {
    log('result', { matchId, outcome });
    try {
      const done = await postCallback(callbackUrl('result'), token, { outcome });
      log('result reported', { matchId, outcome, done });
      setTimeout(() => void stop(0), 200);
    } catch (error) {
      log('result not reported', { matchId, error: (error as Error).message });
      setTimeout(() => void stop(1), 200);
      throw error;
    }
  },
});

game.server.on('error', (error) => {
  log('server error', { matchId, error: error.message });
  void stop(1);
});

let port: number;
try {
  port = await game.listen(config.port, config.host);
} catch (error) {
  log('cannot listen', { matchId, host: config.host, port: config.port, error: (error as Error).message });
  await stop(1);
  throw error;
}
log('listening', { matchId, host: config.host, port, idleSeconds: config.idleSeconds });
postCallback(callbackUrl('ready'), token, { port, ...(config.publicIp ? { ip: config.publicIp } : {}) })
  .then((done) => log('ready reported', { matchId, port, done }))
  .catch((error: unknown) => {
    log('ready not reported', {
      matchId,
      error: (error as Error).message,
      final: error instanceof CallbackRejected,
    });
    void stop(1);
  });
