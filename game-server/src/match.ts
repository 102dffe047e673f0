import type { GameServerSession, Team } from './session.js';

export type Outcome = 'home' | 'away' | 'draw';

/** The rules, as players read them in STATUS (and in the README). */
export const RULES =
  'Rules: each player may send HOME, AWAY or DRAW to report the outcome; ' +
  "a team's report is the latest report by any of its players; " +
  "the match ends when both teams' reports are the same outcome, " +
  'or at once when a player sends CONCEDE for their team (the other team wins). ' +
  'No single player can decide the match in their own favour.';

const REPORTS: Record<string, Outcome> = { HOME: 'home', AWAY: 'away', DRAW: 'draw' };

const other = (team: Team): Team => (team === 'home' ? 'away' : 'home');
const upper = (value: Outcome | Team) => value.toUpperCase();

export const describeOutcome = (outcome: Outcome): string =>
  outcome === 'draw' ? 'DRAW' : `${upper(outcome)} wins`;

/** What a command asks the transport to do: answer the sender, tell everyone, and maybe end the match. */
export interface CommandEffect {
  reply?: string;
  broadcast?: string;
  decided?: Outcome;
}

/**
 * The match's rules, without sockets: who is on which team, each team's
 * current report, and when the match is decided. A team's report is the
 * latest report by any of its players; the match is decided when both teams
 * report the same outcome, or when a team concedes (the other team wins).
 */
export class MatchRules {
  private readonly teamOfUser = new Map<string, Team>();
  private readonly reports: Record<Team, Outcome | undefined> = { home: undefined, away: undefined };
  private result: Outcome | undefined;

  constructor(private readonly session: Pick<GameServerSession, 'matchId' | 'teams'>) {
    for (const player of session.teams.home) this.teamOfUser.set(player.userId, 'home');
    for (const player of session.teams.away) this.teamOfUser.set(player.userId, 'away');
  }

  teamOf(userId: string): Team | undefined {
    return this.teamOfUser.get(userId);
  }

  decided(): Outcome | undefined {
    return this.result;
  }

  welcome(userId: string): string {
    const team = upper(this.teamOf(userId) ?? 'home');
    return `connected to match ${this.session.matchId} as ${userId} (${team} team): send HOME, AWAY or DRAW to report the result (both teams must agree), CONCEDE to give up, STATUS`;
  }

  status(connected: Iterable<string>): string {
    const ids = (team: Team) => this.session.teams[team].map((p) => p.userId).join(', ');
    const report = (team: Team) => {
      const outcome = this.reports[team];
      return `the ${upper(team)} team ${outcome ? `reports ${upper(outcome)}` : 'has not reported'}`;
    };
    const online = [...connected];
    const state = this.result ? `finished: ${describeOutcome(this.result)}` : 'waiting';
    return (
      `match ${this.session.matchId} (${state}): HOME ${ids('home')} vs AWAY ${ids('away')}; ` +
      `${report('home')}, ${report('away')}; connected: ${online.length > 0 ? online.join(', ') : 'nobody'}. ${RULES}`
    );
  }

  /** Applies one text frame from a roster player; `connected` lists who is connected (for STATUS). */
  command(userId: string, text: string, connected: Iterable<string> = []): CommandEffect {
    const team = this.teamOf(userId);
    if (!team) return { reply: 'you are not a player of this match' };
    const command = text.trim().toUpperCase();
    if (command === 'STATUS') return { reply: this.status(connected) };
    const outcome = REPORTS[command];
    if (!outcome && command !== 'CONCEDE') {
      return { reply: 'unknown command: send HOME, AWAY or DRAW, CONCEDE, or STATUS' };
    }
    if (this.result) return { reply: `match already finished: ${describeOutcome(this.result)}` };
    const who = `${userId} (${upper(team)} team)`;
    const theirs = other(team);
    if (!outcome) {
      this.result = theirs;
      return { broadcast: `${who} concedes: the ${upper(theirs)} team wins`, decided: theirs };
    }
    const theirReport = this.reports[theirs];
    const waiting =
      `waiting for the ${upper(theirs)} team to agree` +
      (theirReport ? ` (the ${upper(theirs)} team reports ${upper(theirReport)})` : '');
    if (this.reports[team] === outcome) {
      return { reply: `the ${upper(team)} team already reports ${upper(outcome)}; ${waiting}` };
    }
    this.reports[team] = outcome;
    if (theirReport === outcome) {
      this.result = outcome;
      return { broadcast: `${who} reports ${upper(outcome)}; both teams agree`, decided: outcome };
    }
    return { broadcast: `${who} reports ${upper(outcome)}; ${waiting}` };
  }
}
