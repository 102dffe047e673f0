/**
 * Environment variables the matchmaker passes to each game-server task as
 * ECS container overrides, and the game server reads. One list for both sides.
 */
export const GameServerEnv = {
  /** The match this server runs. */
  matchId: 'MATCH_ID',
  /** Seed compatibility: comma-separated user ids, first half AWAY, second half HOME. */
  userIds: 'USER_IDS',
  /** Seed compatibility: comma-separated connection ids in the order of USER_IDS. */
  connectionIds: 'CONNECTION_IDS',
  /** Comma-separated user ids of the home team. */
  homeUserIds: 'HOME_USER_IDS',
  /** Comma-separated user ids of the away team. */
  awayUserIds: 'AWAY_USER_IDS',
  /** Base URL of the callback HTTP API, without a trailing slash. */
  callbackBaseUrl: 'CALLBACK_BASE_URL',
  /** Per-match bearer token for the callbacks. */
  matchToken: 'MATCH_TOKEN',
  /** Port to listen on (0 = any free port, reported in the ready callback). Default 7777: the container runs as non-root, so not 80 as in the seed. */
  port: 'PORT',
  /** Seconds after which the server ends the match on its own. */
  maxMatchSeconds: 'MAX_MATCH_SECONDS',
  /** Optional address to report instead of the callback request's source address. */
  publicIp: 'PUBLIC_IP',
} as const;

export type GameServerEnvName = (typeof GameServerEnv)[keyof typeof GameServerEnv];
