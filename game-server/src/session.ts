// Type only: the bundle must not pull the core package's schemas.
import type { GameServerSession } from '@matchmaking/core/game-server-env';

export type { GameServerSession };
export type Team = 'home' | 'away';
export interface RosterEntry {
  userId: string;
  joinKeyHash: string;
}

export class SessionInvalid extends Error {
  override readonly name = 'SessionInvalid';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks the body of `POST /matches/{matchId}/session` by hand (no schema
 * library in the bundle): the match asked for, a token, two non-empty teams of
 * distinct players each with a SHA-256 hex join-key hash. Names every problem.
 */
export function parseSession(text: string, expectedMatchId: string): GameServerSession {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SessionInvalid('the session answer is not JSON');
  }
  if (!isObject(body)) throw new SessionInvalid('the session answer is not a JSON object');
  const problems: string[] = [];
  if (body.matchId !== expectedMatchId) problems.push('matchId is not this match');
  if (typeof body.token !== 'string' || body.token.length === 0) problems.push('token is missing');
  const users = new Set<string>();
  const hashes = new Set<string>();
  const team = (name: Team): RosterEntry[] => {
    const list = isObject(body.teams) ? body.teams[name] : undefined;
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`teams.${name} must be a non-empty list`);
      return [];
    }
    return list.flatMap((entry: unknown, index): RosterEntry[] => {
      const where = `teams.${name}[${index}]`;
      if (!isObject(entry) || typeof entry.userId !== 'string' || entry.userId.length === 0) {
        problems.push(`${where}.userId is missing`);
        return [];
      }
      if (typeof entry.joinKeyHash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(entry.joinKeyHash)) {
        problems.push(`${where}.joinKeyHash must be a SHA-256 hex digest`);
        return [];
      }
      const joinKeyHash = entry.joinKeyHash.toLowerCase();
      if (users.has(entry.userId)) problems.push(`${where}.userId appears twice in the roster`);
      if (hashes.has(joinKeyHash)) problems.push(`${where}.joinKeyHash appears twice in the roster`);
      users.add(entry.userId);
      hashes.add(joinKeyHash);
      return [{ userId: entry.userId, joinKeyHash }];
    });
  };
  const home = team('home');
  const away = team('away');
  if (problems.length > 0) throw new SessionInvalid(`invalid session: ${problems.join('; ')}`);
  return { matchId: expectedMatchId, token: body.token as string, teams: { home, away } };
}

/**
 * A warm-pool server learns its match from the assignment itself: the
 * session is checked against the match id it names (a non-empty string).
 */
export function parseAssignedSession(text: string): GameServerSession {
  let matchId: unknown;
  try {
    matchId = (JSON.parse(text) as { matchId?: unknown } | null)?.matchId;
  } catch {
    throw new SessionInvalid('the assignment answer is not JSON');
  }
  if (typeof matchId !== 'string' || matchId.length === 0) {
    throw new SessionInvalid('invalid session: matchId is missing');
  }
  return parseSession(text, matchId);
}
