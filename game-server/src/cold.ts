import { CallbackRejected, requestSession } from './callback-client.js';
import type { ColdConfig } from './config.js';
import { log } from './log.js';
import { matchCallbackUrl, matchCalls } from './match-calls.js';
import { createGameServer, type GameServer } from './server.js';
import { type GameServerSession, parseSession, SessionInvalid } from './session.js';
import { createStopper } from './stopper.js';

/**
 * A server started for one match (MATCH_ID): exchange the bootstrap token for
 * the match's session (roster, join-key hashes, session token), listen,
 * report ready, play, report the result, exit. Exit codes: see main.ts.
 */
export async function runCold(config: ColdConfig): Promise<void> {
  const { matchId } = config;
  let game: GameServer | undefined;
  const { stop } = createStopper(async () => game?.close());

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
    const url = matchCallbackUrl(config.callbackBaseUrl, matchId, 'session');
    session = parseSession(await requestSession(url, config.bootstrapToken), matchId);
  } catch (error) {
    log('session not received', {
      matchId,
      error: (error as Error).message,
      final: error instanceof CallbackRejected || error instanceof SessionInvalid,
    });
    return stop(1);
  }
  log('session received', {
    matchId,
    home: session.teams.home.map((p) => p.userId),
    away: session.teams.away.map((p) => p.userId),
  });
  const calls = matchCalls(config, session);

  game = createGameServer({
    idleSeconds: config.idleSeconds,
    onIdle: () => {
      log('no players connected', { matchId, seconds: config.idleSeconds });
      void stop(4);
    },
    onResult: async (outcome) => {
      try {
        await calls.result(outcome);
        setTimeout(() => void stop(0), 200);
      } catch (error) {
        setTimeout(() => void stop(1), 200);
        throw error;
      }
    },
  });
  game.begin(session);

  game.server.on('error', (error) => {
    log('server error', { matchId, error: error.message });
    void stop(1);
  });

  let port: number;
  try {
    port = await game.listen(config.port, config.host);
  } catch (error) {
    log('cannot listen', { matchId, host: config.host, port: config.port, error: (error as Error).message });
    return stop(1);
  }
  log('listening', { matchId, host: config.host, port, idleSeconds: config.idleSeconds });
  calls.ready(port).catch(() => void stop(1));
}
