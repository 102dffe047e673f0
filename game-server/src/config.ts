// Only the env names: the full core package would pull its schemas into the bundle.
import { GameServerEnv } from '@matchmaking/core/game-server-env';

/** What one game-server process needs, read from the environment ECS gave it. */
export interface GameServerConfig {
  matchId: string;
  home: string[];
  away: string[];
  callbackBaseUrl: string;
  token: string;
  port: number;
  maxMatchSeconds: number;
  publicIp?: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/** Reads and checks the environment; names every missing or bad variable. */
export function readConfig(env: Record<string, string | undefined>): GameServerConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const matchId = required(GameServerEnv.matchId);
  const token = required(GameServerEnv.matchToken);
  const callbackBaseUrl = required(GameServerEnv.callbackBaseUrl).replace(/\/+$/, '');
  if (callbackBaseUrl && !/^https?:\/\//.test(callbackBaseUrl)) {
    problems.push(`${GameServerEnv.callbackBaseUrl} must be an http(s) URL`);
  }
  let home = list(env[GameServerEnv.homeUserIds]);
  let away = list(env[GameServerEnv.awayUserIds]);
  if (home.length === 0 && away.length === 0) {
    // The seed passed only USER_IDS: first half AWAY, second half HOME.
    const all = list(env[GameServerEnv.userIds]);
    away = all.slice(0, all.length / 2);
    home = all.slice(all.length / 2);
  }
  if (home.length === 0 || away.length === 0) {
    problems.push(
      `${GameServerEnv.homeUserIds}/${GameServerEnv.awayUserIds} (or ${GameServerEnv.userIds}) must name both teams`,
    );
  }
  const port = Number(env[GameServerEnv.port] ?? 7777);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`${GameServerEnv.port} must be a port number`);
  const maxMatchSeconds = Number(env[GameServerEnv.maxMatchSeconds] ?? 3600);
  if (!Number.isFinite(maxMatchSeconds) || maxMatchSeconds <= 0) {
    problems.push(`${GameServerEnv.maxMatchSeconds} must be a positive number`);
  }
  if (problems.length > 0) throw new ConfigError(`bad game-server configuration: ${problems.join('; ')}`);
  const publicIp = env[GameServerEnv.publicIp] || undefined;
  return {
    matchId,
    home,
    away,
    callbackBaseUrl,
    token,
    port,
    maxMatchSeconds,
    ...(publicIp ? { publicIp } : {}),
  };
}
