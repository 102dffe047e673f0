// Only the env names: the full core package would pull its schemas into the bundle.
import { GameServerEnv } from '@matchmaking/core/game-server-env';

/** What both kinds of game server read: where the callback API is, where to listen, the match's limits. */
interface CommonConfig {
  callbackBaseUrl: string;
  port: number;
  host: string;
  maxMatchSeconds: number;
  idleSeconds: number;
  publicIp?: string;
}

/** A server started for one match (MATCH_ID): it fetches that match, plays it and exits. */
export interface ColdConfig extends CommonConfig {
  mode: 'cold';
  matchId: string;
  /** One-time credential for `POST /matches/{matchId}/session`; never logged. */
  bootstrapToken: string;
}

/** A warm-pool server (SERVER_ID): it registers, waits idle, and plays the matches it is assigned. */
export interface PoolConfig extends CommonConfig {
  mode: 'pool';
  serverId: string;
  /** One-time credential for `POST /servers/{serverId}/register`; never logged. */
  registrationToken: string;
}

/**
 * What one game-server process reads from the environment ECS gave it: only
 * what it needs to fetch its match (the roster comes from the session or
 * assignment callback), never a roster or a match secret of a pool server.
 */
export type GameServerConfig = ColdConfig | PoolConfig;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and checks the environment; names every missing or bad variable.
 * SERVER_ID without MATCH_ID makes a warm-pool server; otherwise it is a
 * server for one match, as before the pool existed.
 */
export function readConfig(env: Record<string, string | undefined>): GameServerConfig {
  const problems: string[] = [];
  const required = (name: string, hint = ''): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set${hint}`);
    return value ?? '';
  };
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0) problems.push(`${name} must be a positive number`);
    return value;
  };
  const pool = Boolean(env[GameServerEnv.serverId]);
  if (pool && env[GameServerEnv.matchId]) {
    problems.push(
      `${GameServerEnv.matchId} and ${GameServerEnv.serverId} are both set: a server runs one match ` +
        `(${GameServerEnv.matchId}) or waits in the warm pool (${GameServerEnv.serverId}), not both`,
    );
  }
  const identity = pool
    ? {
        mode: 'pool' as const,
        serverId: env[GameServerEnv.serverId] as string,
        registrationToken: required(GameServerEnv.registrationToken),
      }
    : {
        mode: 'cold' as const,
        matchId: required(GameServerEnv.matchId, ` (nor ${GameServerEnv.serverId} for a warm-pool server)`),
        bootstrapToken: required(GameServerEnv.bootstrapToken),
      };
  const callbackBaseUrl = required(GameServerEnv.callbackBaseUrl).replace(/\/+$/, '');
  if (callbackBaseUrl && !/^https?:\/\/[^/]/.test(callbackBaseUrl)) {
    problems.push(`${GameServerEnv.callbackBaseUrl} must be an http(s) URL`);
  }
  const rawPort = env[GameServerEnv.port];
  const port = rawPort === undefined || rawPort === '' ? 7777 : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`${GameServerEnv.port} must be a port number`);
  }
  const host = env[GameServerEnv.host] || '0.0.0.0';
  const maxMatchSeconds = positive(GameServerEnv.maxMatchSeconds, 3600);
  const idleSeconds = positive(GameServerEnv.idleSeconds, 120);
  if (problems.length > 0) throw new ConfigError(`bad game-server configuration: ${problems.join('; ')}`);
  const publicIp = env[GameServerEnv.publicIp] || undefined;
  return {
    ...identity,
    callbackBaseUrl,
    port,
    host,
    maxMatchSeconds,
    idleSeconds,
    ...(publicIp ? { publicIp } : {}),
  };
}
