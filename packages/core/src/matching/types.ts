/** One player of a queue ticket, with the rating the matcher compares. */
export interface TicketPlayer {
  userId: string;
  rating: number;
  rd: number;
}

/**
 * A queue ticket: a party of 1..teamSize players who want to play together,
 * waiting in one region since `enqueuedAt` (milliseconds since the epoch).
 */
export interface Ticket {
  ticketId: string;
  /** The game mode the party queued for; tickets of different queues never share a match. */
  queue?: string;
  region: string;
  players: TicketPlayer[];
  enqueuedAt: number;
}

/** How matches are formed. Windows are +- rating points around each ticket's party rating. */
export interface MatchingConfig {
  /** Players per team; a match always has two full teams. */
  teamSize: number;
  /** Window a ticket accepts the moment it joins. */
  windowInitial: number;
  /** Points the window widens per second waited. */
  windowGrowthPerSecond: number;
  /** The widest the window gets. */
  windowMax: number;
  /**
   * A party's rating for the window (as GameLift FlexMatch's party
   * aggregation): the mean of its players' ratings (default) or the highest,
   * so a strong player cannot queue with weak friends to meet weaker opponents.
   */
  partyRating?: 'mean' | 'max';
  /**
   * Premade fairness (default true): a party is matched first against a team
   * with a party of the same size (both teams with the same party sizes); only
   * if no such match is within the windows does it face other compositions,
   * solos included. False skips that first step (any composition at once).
   */
  preferSimilarParties?: boolean;
}

/** A match the matcher formed: two teams, each made of whole tickets. */
export interface FormedMatch {
  region: string;
  home: Ticket[];
  away: Ticket[];
}

/** One matching pass's outcome: every input ticket is in exactly one match or in `remaining`. */
export interface MatchingResult {
  matches: FormedMatch[];
  remaining: Ticket[];
}
