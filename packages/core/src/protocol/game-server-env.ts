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
  /** The match this server runs (a server started for one match; absent for a warm-pool server). */
  matchId: 'MATCH_ID',
  /** A warm-pool server's id (set instead of MATCH_ID): it registers, waits idle, and is assigned a match. */
  serverId: 'SERVER_ID',
  /**
   * A warm-pool server's one-time credential: exchanged once at
   * `POST /servers/{serverId}/register` for the server's own token (never one
   * shared by the fleet), and worthless afterwards. No match secret is ever in
   * a pool server's overrides: its match comes from `POST /servers/{serverId}/assignment`.
   */
  registrationToken: 'SERVER_REGISTRATION_TOKEN',
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
  /** Seconds with no player connected (from the match's start: listening for a match's own server, the assignment for a pool server; or since the last one left) after which the server ends the match unplayed. */
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

/**
 * The warm pool's callbacks (callback API, `Authorization: Bearer <token>`):
 *
 *   POST /servers/{serverId}/register   {port, ip?}  Bearer SERVER_REGISTRATION_TOKEN, once
 *        200 ServerRegistration; 409 already registered; 403 wrong token or unknown server.
 *   POST /servers/{serverId}/heartbeat  {}           Bearer <server token>, every heartbeatSeconds while alive
 *        200 ServerHeartbeat; 410 the platform retired this server (it must exit).
 *   POST /servers/{serverId}/assignment {}           Bearer <server token>
 *        200 GameServerSession of the assigned match (repeatable while the match is starting:
 *        each answer carries a new session token); 404 nothing assigned; 410 retired.
 *   POST /servers/{serverId}/deregister {}           Bearer <server token> (SIGTERM, e.g. a Spot interruption)
 *        200 {state: 'draining'}: no match will be assigned (an assignment not yet taken goes elsewhere);
 *        409 the server is in a match (it finishes or is abandoned as any match).
 *   POST /servers/{serverId}/release    {}           Bearer <server token>, after the match's result
 *        200 ServerHeartbeat (back in the pool, idle); 410 exit now (the platform's matchesPerServer is reached).
 *
 * And on the game server's own port: `POST /assignment` (no body, no credential): a nudge
 * that makes an idle server fetch its assignment at once instead of at its next heartbeat.
 * A forged nudge costs one authenticated fetch that finds nothing.
 */
export interface ServerRegistration {
  serverId: string;
  /** The server's own credential for its later calls; the platform stores only its SHA-256. */
  token: string;
  heartbeatSeconds: number;
}

export interface ServerHeartbeat {
  state: 'idle' | 'assigned' | 'busy' | 'draining';
  /** A match is assigned and not yet taken: fetch it from /assignment. */
  assigned: boolean;
}

/** The game server's own-port path of the assignment nudge. */
export const ASSIGNMENT_NUDGE_PATH = '/assignment';
