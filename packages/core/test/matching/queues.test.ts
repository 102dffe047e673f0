import { describe, expect, it } from 'vitest';
import { findMatches, findMatchesByQueue } from '../../src/matching/find-matches.js';
import type { FormedMatch } from '../../src/matching/types.js';
import { config, idsOf, NOW, party } from './fixtures.js';

const matchIds = (matches: readonly FormedMatch[]): string[][] =>
  matches.map((match) => idsOf([...match.home, ...match.away]).sort());

describe('findMatches with queues', () => {
  it('never puts tickets of different queues in one match', () => {
    const pool = [party('a', [1500], { queue: 'duel' }), party('b', [1500], { queue: 'ranked' })];
    expect(findMatches(pool, NOW, config(1)).matches).toHaveLength(0);
  });

  it('keeps tickets without a queue apart from every queue, even one named ""', () => {
    const pool = [party('a', [1500]), party('b', [1500], { queue: '' }), party('c', [1500], { queue: 'x' })];
    expect(findMatches(pool, NOW, config(1)).matches).toHaveLength(0);
    const pairs = [...pool, party('d', [1500]), party('e', [1500], { queue: '' })];
    expect(matchIds(findMatches(pairs, NOW, config(1)).matches).sort()).toEqual([
      ['a', 'd'],
      ['b', 'e'],
    ]);
  });
});

describe('findMatchesByQueue', () => {
  it("matches each queue's tickets with that queue's config", () => {
    const pool = [
      ...['a', 'b'].map((id) => party(id, [1500], { queue: 'duel' })),
      ...['c', 'd', 'e', 'f'].map((id) => party(id, [1500], { queue: 'doubles' })),
    ];
    const { matches, remaining } = findMatchesByQueue(pool, NOW, { duel: config(1), doubles: config(2) });
    expect(matchIds(matches)).toEqual([
      ['c', 'd', 'e', 'f'],
      ['a', 'b'],
    ]);
    expect(remaining).toEqual([]);
  });

  it('applies the window of the queue the ticket is in', () => {
    const pool = ['a', 'b'].flatMap((id, i) => [
      party(`${id}-wide`, [1500 + 300 * i], { queue: 'wide' }),
      party(`${id}-narrow`, [1500 + 300 * i], { queue: 'narrow' }),
    ]);
    const { matches } = findMatchesByQueue(pool, NOW, {
      wide: config(1, { windowInitial: 300 }),
      narrow: config(1, { windowInitial: 100 }),
    });
    expect(matchIds(matches)).toEqual([['a-wide', 'b-wide']]);
  });

  it('leaves tickets of unknown queues, or of no queue, in remaining (inherited names are not queues)', () => {
    const pool = ['toString', 'constructor', 'unknown', undefined, undefined].map((queue, i) =>
      party(`t${i}`, [1500], queue === undefined ? {} : { queue }),
    );
    const { matches, remaining } = findMatchesByQueue(pool, NOW, { duel: config(1) });
    expect(matches).toEqual([]);
    expect(remaining).toEqual(pool);
  });

  it('rejects a bad queue config naming the queue and the field', () => {
    expect(() => findMatchesByQueue([], NOW, { ok: config(1), broken: config(0) })).toThrow(
      /queue broken: teamSize/,
    );
  });
});
