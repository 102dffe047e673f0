import { describe, expect, it } from 'vitest';
import { findMatches } from '../../src/matching/find-matches.js';
import { splitTeams, teamMeanDifference } from '../../src/matching/team-split.js';
import type { MatchingConfig, Ticket } from '../../src/matching/types.js';

const NOW = 1_700_000_000_000;
const config = (teamSize: number): MatchingConfig => ({
  teamSize,
  windowInitial: 200,
  windowGrowthPerSecond: 10,
  windowMax: 600,
});
const solo = (id: string, rating: number, region = 'eu-west-1', waited = 0): Ticket => ({
  ticketId: id,
  region,
  enqueuedAt: NOW - waited * 1000,
  players: [{ userId: id, rating, rd: 100 }],
});

describe('findMatches', () => {
  it('matches every region, not only the first (the seed returned after one region)', () => {
    const pool = [
      solo('a', 1500, 'us-east-1'),
      solo('b', 1510, 'us-east-1'),
      solo('c', 1500),
      solo('d', 1490),
    ];
    const { matches } = findMatches(pool, NOW, config(1));
    expect(matches.map((m) => m.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('never mixes regions', () => {
    const { matches } = findMatches([solo('a', 1500, 'us-east-1'), solo('b', 1500)], NOW, config(1));
    expect(matches).toHaveLength(0);
  });

  it('gives the oldest ticket its nearest rating', () => {
    const pool = [
      solo('new', 1600),
      solo('old', 1500, 'eu-west-1', 30),
      solo('near', 1520),
      solo('far', 1650),
    ];
    const { matches } = findMatches(pool, NOW, config(1));
    const ids = matches.map((m) => [...m.home, ...m.away].map((t) => t.ticketId).sort());
    expect(ids).toEqual([
      ['near', 'old'],
      ['far', 'new'],
    ]);
  });

  it('keeps a party together on one team', () => {
    const party: Ticket = {
      ticketId: 'party',
      region: 'eu-west-1',
      enqueuedAt: NOW,
      players: [
        { userId: 'p1', rating: 1700, rd: 80 },
        { userId: 'p2', rating: 1400, rd: 80 },
      ],
    };
    const pool = [party, solo('a', 1600), solo('b', 1500)];
    const match = findMatches(pool, NOW, config(2)).matches[0];
    const partyTeam = match?.home.includes(party) ? match.home : match?.away;
    expect(partyTeam).toEqual([party]);
  });

  it('leaves tickets that can never match in remaining', () => {
    const tooBig: Ticket = {
      ...solo('big', 1500),
      players: [solo('x', 1500).players[0]!, solo('y', 1500).players[0]!],
    };
    const { matches, remaining } = findMatches([tooBig, solo('a', 1500)], NOW, config(1));
    expect(matches).toHaveLength(0);
    expect(remaining.map((t) => t.ticketId)).toEqual(['big', 'a']);
  });

  it('rejects a bad configuration with a clear error', () => {
    expect(() => findMatches([], NOW, { ...config(1), teamSize: 0 })).toThrow(/teamSize/);
    expect(() => findMatches([], NOW, { ...config(1), windowMax: 10 })).toThrow(/windowMax/);
    expect(() => findMatches([], NOW, { ...config(1), windowGrowthPerSecond: -1 })).toThrow(
      /windowGrowthPerSecond/,
    );
  });
});

describe('splitTeams', () => {
  it("balances at least as well as the seed's alternate and ABBA splits", () => {
    const ratings = [2000, 1700, 1650, 1600, 1550, 1200];
    const tickets = ratings.map((r, i) => solo(`t${i}`, r));
    const split = splitTeams(tickets, 3);
    // By hand: the sums total 9700, and {2000, 1650, 1200} = 4850 = {1700, 1600, 1550}: a perfect split.
    expect(split && teamMeanDifference(split)).toBeCloseTo(0, 9);
    // The seed's orders: alternate {2000, 1650, 1550} vs the rest (700 / 3), ABBA {2000, 1600, 1550} (600 / 3).
    const seedBest = Math.min(700, 600) / 3;
    expect(teamMeanDifference(split!)).toBeLessThan(seedBest);
  });

  it('returns nothing when party sizes cannot make two equal teams', () => {
    const trio: Ticket = {
      ...solo('trio', 1500),
      players: [1, 2, 3].map((i) => ({ userId: `p${i}`, rating: 1500, rd: 50 })),
    };
    expect(splitTeams([trio, solo('a', 1500)], 2)).toBeUndefined();
  });

  it('uses the heuristic above the exhaustive limit and still fills both teams', () => {
    const tickets = Array.from({ length: 20 }, (_, i) => solo(`t${i}`, 1000 + i * 37));
    const split = splitTeams(tickets, 10);
    expect(split?.home).toHaveLength(10);
    expect(split?.away).toHaveLength(10);
    expect(teamMeanDifference(split!)).toBeLessThan(5);
  });
});
