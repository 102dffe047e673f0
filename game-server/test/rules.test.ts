import { describe, expect, it } from 'vitest';
import { MatchRules, RULES } from '../src/match.js';
import { parseSession } from '../src/session.js';

const hash = (c: string) => c.repeat(64);
const twoVsTwo = () =>
  new MatchRules({
    matchId: 'm',
    teams: {
      home: [
        { userId: 'alice', joinKeyHash: hash('a') },
        { userId: 'carol', joinKeyHash: hash('c') },
      ],
      away: [
        { userId: 'bob', joinKeyHash: hash('b') },
        { userId: 'dave', joinKeyHash: hash('d') },
      ],
    },
  });

describe('match rules (no sockets)', () => {
  it('needs both teams to report the same outcome; a team is its latest report', () => {
    const rules = twoVsTwo();
    expect(rules.command('alice', 'HOME')).toEqual({
      broadcast: 'alice (HOME team) reports HOME; waiting for the AWAY team to agree',
    });
    expect(rules.command('carol', 'home').reply).toBe(
      'the HOME team already reports HOME; waiting for the AWAY team to agree',
    );
    expect(rules.command('bob', 'AWAY').decided).toBeUndefined();
    // dave overrides his teammate: the AWAY team now reports HOME, which the HOME team reports too.
    expect(rules.command('dave', ' home\n')).toEqual({
      broadcast: 'dave (AWAY team) reports HOME; both teams agree',
      decided: 'home',
    });
    expect(rules.command('bob', 'AWAY').reply).toBe('match already finished: HOME wins');
  });

  it('never lets one player decide in their own favour, whatever they send', () => {
    for (const userId of ['alice', 'bob']) {
      const rules = twoVsTwo();
      for (const command of ['HOME', 'AWAY', 'DRAW', 'HOME', 'STATUS', 'x']) {
        expect(rules.command(userId, command).decided).toBeUndefined();
      }
    }
  });

  it('a concession gives the match to the other team at once', () => {
    expect(twoVsTwo().command('carol', 'CONCEDE')).toEqual({
      broadcast: 'carol (HOME team) concedes: the AWAY team wins',
      decided: 'away',
    });
  });

  it('STATUS shows the match, both teams, their reports, who is connected, and the rules', () => {
    const rules = twoVsTwo();
    rules.command('bob', 'DRAW');
    expect(rules.command('alice', 'STATUS', ['alice', 'bob']).reply).toBe(
      'match m (waiting): HOME alice, carol vs AWAY bob, dave; the HOME team has not reported, ' +
        `the AWAY team reports DRAW; connected: alice, bob. ${RULES}`,
    );
  });

  it('refuses anyone not on the roster', () => {
    expect(twoVsTwo().command('mallory', 'HOME')).toEqual({ reply: 'you are not a player of this match' });
  });
});

describe('session answer', () => {
  const good = {
    matchId: 'm',
    token: 't',
    teams: {
      home: [{ userId: 'a', joinKeyHash: hash('A') }],
      away: [{ userId: 'b', joinKeyHash: hash('b') }],
    },
  };

  it('accepts a well-formed session (hashes lower-cased) and drops unknown fields', () => {
    const session = parseSession(JSON.stringify({ ...good, extra: 1 }), 'm');
    expect(session).toEqual({
      matchId: 'm',
      token: 't',
      teams: {
        home: [{ userId: 'a', joinKeyHash: hash('a') }],
        away: [{ userId: 'b', joinKeyHash: hash('b') }],
      },
    });
  });

  it('names every problem', () => {
    expect(() => parseSession('nope', 'm')).toThrow('not JSON');
    expect(() => parseSession(JSON.stringify({ ...good, matchId: 'other', token: '' }), 'm')).toThrow(
      'invalid session: matchId is not this match; token is missing',
    );
    const twice = { ...good, teams: { home: good.teams.home, away: good.teams.home } };
    expect(() => parseSession(JSON.stringify(twice), 'm')).toThrow(
      'teams.away[0].userId appears twice in the roster; teams.away[0].joinKeyHash appears twice in the roster',
    );
  });
});
