import { CallbackRejected } from './callback-client.js';
import type { PoolConfig } from './config.js';
import { log } from './log.js';
import { matchCalls } from './match-calls.js';
import { AnswerInvalid, poolClient, ServerRetired } from './pool-client.js';
import { createGameServer } from './server.js';
import { type GameServerSession, parseAssignedSession } from './session.js';
import { createStopper } from './stopper.js';

/** A Spot interruption gives two minutes: the deregistration must not eat into them. */
const DEREGISTER_TIMEOUT_MS = 2000;
/** Lets the players hear the result and close before the release cuts what is left. */
const RELEASE_DELAY_MS = 200;
/** The shortest gap between two fetches asked for while one ran (see fetchAssignment). */
const REFETCH_GAP_MS = 200;

/**
 * A warm-pool server (SERVER_ID): listen first (so /health and the nudge
 * answer at once), register, heartbeat for the rest of its life, and play
 * each match it is assigned on the same port: fetch the session, report
 * ready, play, report the result, release, wait idle for the next one.
 * Exit codes: see main.ts.
 */
export async function runPool(config: PoolConfig): Promise<void> {
  const { serverId } = config;
  const client = poolClient(config.callbackBaseUrl, serverId);
  let port = 0;
  /** The server's own token, from registration; never logged. */
  let token: string | undefined;
  let heartbeatMs = 0;
  /** The match being played, from its assignment until its release. */
  let session: GameServerSession | undefined;
  /** At most one assignment fetch at a time: nudges and beats meanwhile are ignored. */
  let fetching = false;
  /** A nudge before the registration answered: fetch as soon as there is a token. */
  let nudgedEarly = false;
  /** A nudge or heartbeat asked for a fetch while one ran (or a match was ending). */
  let pending = false;
  let deadline: NodeJS.Timeout | undefined;
  let beatTimer: NodeJS.Timeout | undefined;

  const game = createGameServer({
    serverId,
    idleSeconds: config.idleSeconds,
    onNudge: () => void fetchAssignment('nudge'),
    onIdle: (match) => {
      log('no players connected', { serverId, matchId: match.matchId, seconds: config.idleSeconds });
      void stop(4);
    },
    onResult: async (outcome, match) => {
      try {
        await matchCalls(config, match, { serverId }).result(outcome);
      } catch (error) {
        setTimeout(() => void stop(1), RELEASE_DELAY_MS);
        throw error;
      }
      // The match is over for the platform: its time limit no longer applies.
      clearTimeout(deadline);
      setTimeout(() => void release(match), RELEASE_DELAY_MS);
    },
  });
  const { stop, stopping } = createStopper(async () => {
    clearTimeout(beatTimer);
    clearTimeout(deadline);
    await game.close();
  });

  const retired = (error: ServerRetired, during: string) => {
    log('retired by the platform', { serverId, status: error.status, during });
    void stop(5);
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log(`stopping on ${signal}`, { serverId, ...(session ? { matchId: session.matchId } : {}) });
      // Idle: tell the platform first, so no match is assigned to a server about to go.
      // In a match: as a server started for it (the match ends as any abandoned match).
      const serverToken = token;
      void stop(0, session || !serverToken ? undefined : () => deregister(serverToken));
    });
  }

  const deregister = async (serverToken: string) => {
    try {
      const state = await client.deregister(serverToken, DEREGISTER_TIMEOUT_MS);
      log('deregistered', { serverId, state });
    } catch (error) {
      log('not deregistered', { serverId, error: (error as Error).message });
    }
  };

  /**
   * Fetches the assignment, one fetch at a time. A nudge or heartbeat that
   * comes during a fetch, or while the last match is being released, is not
   * dropped: one more fetch follows, at most every REFETCH_GAP_MS (so a flood
   * of forged nudges costs the platform a few calls a second, and a real one
   * is never lost: a lost one would get this server marked bad).
   */
  const fetchAssignment = async (reason: 'nudge' | 'heartbeat' | 'release') => {
    if (!token) {
      nudgedEarly = true;
      return;
    }
    if (stopping()) return;
    if (fetching || session) {
      pending = true;
      return;
    }
    fetching = true;
    try {
      await fetchOnce(token, reason);
    } finally {
      fetching = false;
    }
    if (pending && !session && !stopping()) {
      pending = false;
      setTimeout(() => void fetchAssignment(reason), REFETCH_GAP_MS);
    }
  };

  const fetchOnce = async (serverToken: string, reason: 'nudge' | 'heartbeat' | 'release') => {
    let answer: string | undefined;
    try {
      answer = await client.assignment(serverToken);
    } catch (error) {
      if (error instanceof ServerRetired) return retired(error, 'assignment');
      log('assignment not fetched', { serverId, reason, error: (error as Error).message });
      return;
    }
    // Stopping (a deregistration is under way): the platform gives the match to another server.
    if (stopping()) return;
    if (answer === undefined) {
      log('nothing assigned', { serverId, reason });
      return;
    }
    let assigned: GameServerSession;
    try {
      assigned = parseAssignedSession(answer);
    } catch (error) {
      log('assignment invalid', { serverId, error: (error as Error).message });
      void stop(1);
      return;
    }
    play(assigned);
  };

  const play = (match: GameServerSession) => {
    pending = false;
    const { matchId } = match;
    session = match;
    game.begin(match);
    log('session received', {
      serverId,
      matchId,
      home: match.teams.home.map((p) => p.userId),
      away: match.teams.away.map((p) => p.userId),
    });
    deadline = setTimeout(() => {
      log('maximum match time reached without a result', {
        serverId,
        matchId,
        seconds: config.maxMatchSeconds,
      });
      void stop(3);
    }, config.maxMatchSeconds * 1000);
    matchCalls(config, match, { serverId })
      .ready(port)
      .catch(() => void stop(1));
  };

  const release = async (match: GameServerSession) => {
    if (stopping() || !token) return;
    try {
      const answer = await client.release(token);
      if (stopping()) return;
      game.reset();
      session = undefined;
      log('released', { serverId, matchId: match.matchId, state: answer.state });
      if (answer.assigned || pending) {
        pending = false;
        void fetchAssignment('release');
      }
    } catch (error) {
      if (error instanceof ServerRetired) {
        log('retired after the match', { serverId, matchId: match.matchId });
        void stop(0);
        return;
      }
      log('release failed', { serverId, matchId: match.matchId, error: (error as Error).message });
      void stop(1);
    }
  };

  /** Every heartbeatSeconds for the server's whole life: the platform uses it to find silent servers. */
  const beat = async (serverToken: string) => {
    const started = Date.now();
    try {
      const { assigned } = await client.heartbeat(serverToken, Math.min(10_000, Math.max(2000, heartbeatMs)));
      if (assigned && !session) void fetchAssignment('heartbeat');
    } catch (error) {
      if (error instanceof ServerRetired) return retired(error, 'heartbeat');
      // One lost beat is not fatal: the next one tries again.
      log('heartbeat failed', { serverId, error: (error as Error).message });
    }
    if (stopping()) return;
    beatTimer = setTimeout(() => void beat(serverToken), Math.max(0, heartbeatMs - (Date.now() - started)));
  };

  game.server.on('error', (error) => {
    log('server error', { serverId, error: error.message });
    void stop(1);
  });

  try {
    port = await game.listen(config.port, config.host);
  } catch (error) {
    log('cannot listen', { serverId, host: config.host, port: config.port, error: (error as Error).message });
    return stop(1);
  }
  log('listening', { serverId, host: config.host, port, idleSeconds: config.idleSeconds });

  try {
    const ip = config.publicIp ? { ip: config.publicIp } : {};
    const registration = await client.register(config.registrationToken, { port, ...ip });
    token = registration.token;
    heartbeatMs = registration.heartbeatSeconds * 1000;
    log('registered', { serverId, port, heartbeatSeconds: registration.heartbeatSeconds });
  } catch (error) {
    log('not registered', {
      serverId,
      error: (error as Error).message,
      final: error instanceof CallbackRejected || error instanceof AnswerInvalid,
    });
    return stop(1);
  }
  if (stopping()) return;
  const serverToken = token;
  beatTimer = setTimeout(() => void beat(serverToken), heartbeatMs);
  if (nudgedEarly) void fetchAssignment('nudge');
}
