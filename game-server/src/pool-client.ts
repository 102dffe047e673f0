// Types only: the bundle must not pull the core package's schemas.
import type { ServerHeartbeat, ServerRegistration } from '@matchmaking/core/game-server-env';
import { CallbackRejected, DEFAULT_RETRY, postJson, type RetryPolicy } from './callback-client.js';

/** One attempt: a failed heartbeat is simply retried at the next beat. */
const ONCE: RetryPolicy = { attempts: 1, firstDelayMs: 0, maxDelayMs: 0 };
/** A few quick attempts: the next heartbeat or nudge asks again anyway. */
const ASSIGNMENT_RETRY: RetryPolicy = { attempts: 3, firstDelayMs: 200, maxDelayMs: 1000 };

/** The API answered that this server is retired (410) or unknown to it (403): it must exit. */
export class ServerRetired extends Error {
  override readonly name = 'ServerRetired';
  constructor(readonly status: number) {
    super(`the platform retired this server (${status})`);
  }
}

/** An answer that is not the contract's (a bug or a misrouted call): not retried. */
export class AnswerInvalid extends Error {
  override readonly name = 'AnswerInvalid';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const json = (text: string, what: string): Record<string, unknown> => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AnswerInvalid(`the ${what} answer is not JSON`);
  }
  if (!isObject(body)) throw new AnswerInvalid(`the ${what} answer is not a JSON object`);
  return body;
};

const heartbeatOf = (text: string, what: string): ServerHeartbeat => {
  const body = json(text, what);
  const state = typeof body.state === 'string' ? body.state : 'unknown';
  return { state: state as ServerHeartbeat['state'], assigned: body.assigned === true };
};

/**
 * Turns the statuses that retire the server into `ServerRetired`. For the
 * heartbeat and the assignment 403 means the same as 410 (the platform will
 * never take a call of this server again); after a match only 410 is the
 * contract's "exit now".
 */
const retiredOn =
  (...statuses: number[]) =>
  (error: unknown): never => {
    if (error instanceof CallbackRejected && statuses.includes(error.status)) {
      throw new ServerRetired(error.status);
    }
    throw error;
  };
const RETIRED = [410, 403];

/**
 * The warm pool's calls of one server (`/servers/{serverId}/...`, contract in
 * core's game-server-env). Tokens go only in the Authorization header, never
 * in a message.
 */
export function poolClient(callbackBaseUrl: string, serverId: string) {
  const url = (kind: string) => `${callbackBaseUrl}/servers/${encodeURIComponent(serverId)}/${kind}`;
  return {
    /** Exchanges the one-time registration token for the server's own; every 4xx is final. */
    register: async (registrationToken: string, body: { port: number; ip?: string }) => {
      const { text } = await postJson(url('register'), registrationToken, body, { retry: DEFAULT_RETRY });
      const answer = json(text, 'registration');
      const { token, heartbeatSeconds } = answer;
      const problems = [
        answer.serverId !== serverId && 'serverId is not this server',
        (typeof token !== 'string' || token.length === 0) && 'token is missing',
        (typeof heartbeatSeconds !== 'number' ||
          !Number.isFinite(heartbeatSeconds) ||
          heartbeatSeconds <= 0) &&
          'heartbeatSeconds must be a positive number',
      ].filter(Boolean);
      if (problems.length > 0) throw new AnswerInvalid(`invalid registration: ${problems.join('; ')}`);
      return { serverId, token, heartbeatSeconds } as ServerRegistration;
    },

    /** One attempt; throws `ServerRetired` on 410/403, and any other failure for the caller to log. */
    heartbeat: async (token: string, timeoutMs: number): Promise<ServerHeartbeat> => {
      const { text } = await postJson(url('heartbeat'), token, {}, { retry: ONCE, timeoutMs }).catch(
        retiredOn(...RETIRED),
      );
      return heartbeatOf(text, 'heartbeat');
    },

    /** The assigned match's session answer (unchecked: see `parseSession`), or undefined when none (404). */
    assignment: async (token: string): Promise<string | undefined> => {
      try {
        return (await postJson(url('assignment'), token, {}, { retry: ASSIGNMENT_RETRY })).text;
      } catch (error) {
        if (error instanceof CallbackRejected && error.status === 404) return undefined;
        return retiredOn(...RETIRED)(error);
      }
    },

    /** Back in the pool after a match: the heartbeat answer, or `ServerRetired` (410: exit now). */
    release: async (token: string): Promise<ServerHeartbeat> => {
      const { text } = await postJson(url('release'), token, {}, { retry: DEFAULT_RETRY }).catch(
        retiredOn(410),
      );
      return heartbeatOf(text, 'release');
    },

    /** One quick attempt (a Spot interruption leaves little time): the answer's state, for the log. */
    deregister: async (token: string, timeoutMs: number): Promise<string> => {
      const { text } = await postJson(url('deregister'), token, {}, { retry: ONCE, timeoutMs });
      const state = json(text, 'deregister').state;
      return typeof state === 'string' ? state : 'unknown';
    },
  };
}

export type PoolClient = ReturnType<typeof poolClient>;
