import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Per-match callback tokens: 32 random bytes given only to that match's game
 * server; the match stores only the SHA-256, so a database read reveals no
 * token and a token opens no other match (the seed had one shared secret).
 */
export function newMatchToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** A player's key to the game server of the match: 18 random bytes, URL-safe. */
export function newJoinKey(): string {
  return randomBytes(18).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares in constant time. */
export function tokenMatches(token: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * The match id is derived from the claimed tickets (and how often each was
 * released before), so a matchmaker that
 * dies half-way and runs again on the redelivered message finds its own
 * half-made match instead of making a second one.
 */
export function matchIdFor(tickets: readonly { ticketId: string; attempts?: number }[]): string {
  const keys = tickets.map((ticket) => `${ticket.ticketId}:${ticket.attempts ?? 0}`).sort();
  const digest = createHash('sha256').update(keys.join('\n')).digest('hex');
  // UUID-shaped (36 characters): fits ECS's startedBy.
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
}
