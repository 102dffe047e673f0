// Only the env names: the full core package would pull its schemas into the bundle.
import { GameServerEnv } from '@matchmaking/core/game-server-env';

/**
 * What one game-server process reads from the environment ECS gave it: only
 * what it needs to fetch its match (the roster comes from the session callback).
 */
export interface GameServerConfig {
  matchId: string;
  callbackBaseUrl: string;
  /** One-time credential for `POST /matches/{matchId}/session`; never logged. */
  bootstrapToken: string;
  port: number;
  host: string;
  maxMatchSeconds: number;
  idleSeconds: number;
  publicIp?: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and checks the environment; names every missing or bad variable. */
export function readConfig(env: Record<string, string | undefined>): GameServerConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0) problems.push(`${name} must be a positive number`);
    return value;
  };
  const matchId = required(GameServerEnv.matchId);
  const bootstrapToken = required(GameServerEnv.bootstrapToken);
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
    matchId,
    callbackBaseUrl,
    bootstrapToken,
    port,
    host,
    maxMatchSeconds,
    idleSeconds,
    ...(publicIp ? { publicIp } : {}),
  };
}
