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
  it('keeps the seed order in USER_IDS (away first, then home) and names both teams', () => {
    const member = (userId: string) => ({
      userId,
      connectionId: `c-${userId}`,
      rating: 1500,
      rd: 100,
      vol: 0.06,
    });
    const environment = gameServerEnvironment(
      {
        matchId: 'm',
        region: 'eu-west-1',
        state: 'starting',
        home: [member('h1'), member('h2')],
        away: [member('a1'), member('a2')],
        tickets: [],
        tokenHash: 'x',
        createdAt: 0,
      },
      'token',
      'https://callbacks.example/',
      600,
    );
    expect(environment).toEqual({
      MATCH_ID: 'm',
      USER_IDS: 'a1,a2,h1,h2',
      CONNECTION_IDS: 'c-a1,c-a2,c-h1,c-h2',
      HOME_USER_IDS: 'h1,h2',
      AWAY_USER_IDS: 'a1,a2',
      CALLBACK_BASE_URL: 'https://callbacks.example',
      MATCH_TOKEN: 'token',
      MAX_MATCH_SECONDS: '600',
    });
  });
});
