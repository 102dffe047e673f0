import { CallbackRejected, postCallback } from './callback-client.js';
import { log } from './log.js';
import type { Outcome } from './match.js';
import type { GameServerSession } from './session.js';

export type MatchCallback = 'session' | 'ready' | 'result';

export const matchCallbackUrl = (callbackBaseUrl: string, matchId: string, kind: MatchCallback) =>
  `${callbackBaseUrl}/matches/${encodeURIComponent(matchId)}/${kind}`;

/**
 * A match's two callbacks with its session token, the same for a server
 * started for the match and a warm-pool server it was assigned to. Both log
 * their outcome (never the token) and throw when the callback was not taken.
 */
export function matchCalls(
  config: { callbackBaseUrl: string; publicIp?: string },
  session: GameServerSession,
  /** Added to every log line (a pool server adds its id). */
  fields: Record<string, unknown> = {},
) {
  const { matchId, token } = session;
  const url = (kind: MatchCallback) => matchCallbackUrl(config.callbackBaseUrl, matchId, kind);
  return {
    /** `POST /matches/{matchId}/ready {port, ip?}`: players are told where to connect. */
    ready: async (port: number): Promise<void> => {
      try {
        const ip = config.publicIp ? { ip: config.publicIp } : {};
        const done = await postCallback(url('ready'), token, { port, ...ip });
        log('ready reported', { ...fields, matchId, port, done });
      } catch (error) {
        log('ready not reported', {
          ...fields,
          matchId,
          error: (error as Error).message,
          final: error instanceof CallbackRejected,
        });
        throw error;
      }
    },
    /** `POST /matches/{matchId}/result {outcome}`. */
    result: async (outcome: Outcome): Promise<void> => {
      log('result', { ...fields, matchId, outcome });
      try {
        const done = await postCallback(url('result'), token, { outcome });
        log('result reported', { ...fields, matchId, outcome, done });
      } catch (error) {
        log('result not reported', { ...fields, matchId, error: (error as Error).message });
        throw error;
      }
    },
  };
}
