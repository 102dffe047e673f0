/**
 * Environment variables the matchmaker passes to each game-server task as
 * ECS container overrides, and the game server reads. One list for both sides.
 *
 * Only what the server needs to fetch its match: the roster and the join keys'
 * hashes come from `POST /matches/{matchId}/session`, so team size never makes
 * the overrides longer (ECS refuses overrides over 8,192 characters) and no
 * user id is ever comma-joined into the environment.
 */
export const GameServerEnv = {
  /** The match this server runs. */
  matchId: 'MATCH_ID',
  /** Base URL of the callback HTTP API, without a trailing slash. */
  callbackBaseUrl: 'CALLBACK_BASE_URL',
  /**
   * One-time credential: exchanged once at `POST /matches/{matchId}/session`
   * for the match's session token and roster, and worthless afterwards (it is
   * visible in DescribeTasks and in task state change events).
   */
  bootstrapToken: 'MATCH_BOOTSTRAP_TOKEN',
  /** Port to listen on (0 = any free port, reported in the ready callback). Default 7777: the container runs as non-root, so not 80 as in the seed. */
  port: 'PORT',
  /** Address to listen on (default 0.0.0.0 in the container; the local runtime sets 127.0.0.1). */
  host: 'HOST',
  /** Seconds after which the server ends the match on its own. */
  maxMatchSeconds: 'MAX_MATCH_SECONDS',
  /** Seconds with no player connected (from listening, or since the last one left) after which the server ends the match unplayed. */
  idleSeconds: 'IDLE_SECONDS',
  /** Optional address to report instead of the callback request's source address. */
  publicIp: 'PUBLIC_IP',
} as const;

export type GameServerEnvName = (typeof GameServerEnv)[keyof typeof GameServerEnv];

/**
 * `POST /matches/{matchId}/session` (Authorization: Bearer <MATCH_BOOTSTRAP_TOKEN>, body `{}`):
 * answered once per match with 200 and this body; a second exchange answers 409,
 * a wrong token 403. `token` then authorises `/ready` and `/result`.
 * `joinKeyHash` is the lowercase hex SHA-256 of the player's join key: players
 * get the key itself in their `serverReady` event and connect with
 * `ws://<ip>:<port>/?key=<joinKey>`.
 */
export interface GameServerSession {
  matchId: string;
  token: string;
  teams: {
    home: { userId: string; joinKeyHash: string }[];
    away: { userId: string; joinKeyHash: string }[];
  };
}
