import { describe, expect, it } from 'vitest';
import { gameServerEnvironment } from '../src/match/game-server-environment.js';
import { hashToken, matchIdFor, newMatchToken, tokenMatches } from '../src/match/match-token.js';

describe('match ids', () => {
  it('are the same for the same tickets in any order, so a re-run finds its own match', () => {
    const a = matchIdFor([{ ticketId: 't1' }, { ticketId: 't2' }]);
    expect(matchIdFor([{ ticketId: 't2' }, { ticketId: 't1' }])).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('change when a ticket comes back after a failed match, so the new attempt is a new match', () => {
    const first = matchIdFor([{ ticketId: 't1' }, { ticketId: 't2' }]);
    expect(matchIdFor([{ ticketId: 't1', attempts: 1 }, { ticketId: 't2' }])).not.toBe(first);
  });
});

describe('match tokens', () => {
  it('store only a hash, and only the right token matches it', () => {
    const { token, hash } = newMatchToken();
    expect(hash).toBe(hashToken(token));
    expect(hash).not.toContain(token);
    expect(tokenMatches(token, hash)).toBe(true);
    expect(tokenMatches(newMatchToken().token, hash)).toBe(false);
    expect(tokenMatches(token, 'not-hex')).toBe(false);
  });
});

describe('game-server environment', () => {
  it('gives the game server only its match id, the callback URL, a one-time token and time limits (no user ids)', () => {
    const environment = gameServerEnvironment({ matchId: 'm' }, 'bootstrap', {
      callbackBaseUrl: 'https://callbacks.example/',
      maxMatchSeconds: 600,
      idleSeconds: 90,
    });
    expect(environment).toEqual({
      MATCH_ID: 'm',
      CALLBACK_BASE_URL: 'https://callbacks.example',
      MATCH_BOOTSTRAP_TOKEN: 'bootstrap',
      MAX_MATCH_SECONDS: '600',
      IDLE_SECONDS: '90',
    });
  });
});
