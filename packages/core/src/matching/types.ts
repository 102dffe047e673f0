/** One player of a queue ticket, with the rating the matcher compares. */
export interface TicketPlayer {
  userId: string;
  rating: number;
  rd: number;
  /**
   * The player's measured round trip to each region, in milliseconds (as
   * GameLift FlexMatch's player latencies). When a ticket's players carry
   * latencies, the ticket is flexible: it may be matched in any region that
   * every member reported (a finite value >= 0), within the queue's latency
   * limit (`MatchingConfig.latency`); its `region` is then ignored. A player
   * without latencies in a flexible ticket reported no region.
   */
  latencies?: Readonly<Record<string, number>>;
}

/**
 * A queue ticket: a party of 1..teamSize players who want to play together,
 * waiting since `enqueuedAt` (milliseconds since the epoch) in one region, or
 * in any region its players' latencies allow (a flexible ticket).
 */
export interface Ticket {
  ticketId: string;
  /** The game mode the party queued for; tickets of different queues never share a match. */
  queue?: string;
  /**
   * The region the party queued in: a ticket without latencies is matched
   * only there. For a flexible ticket (its players carry latencies) it is a
   * hint only and the matcher ignores it: the players' latencies decide.
   */
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
  /**
   * The latency limit of flexible tickets (players with latencies): a
   * member accepts a region within initialMs, widened by stepMs every
   * stepSeconds waited, up to maxMs (e.g. 60 ms, +10 ms every 5 s, up to
   * 150 ms). Without it a flexible ticket accepts any region all its members
   * reported. Tickets without latencies ignore it.
   */
  latency?: LatencyConfig;
}

/** How far (ms) a flexible ticket's members accept a region, widening with the wait. */
export interface LatencyConfig {
  /** The maximum latency a member accepts the moment the ticket joins. */
  initialMs: number;
  /** Milliseconds the maximum widens by every `stepSeconds` waited. */
  stepMs: number;
  /** Seconds waited per step (> 0). */
  stepSeconds: number;
  /** The widest the maximum gets. */
  maxMs: number;
}

/** A match the matcher formed: two teams, each made of whole tickets. */
export interface FormedMatch {
  /** Where the match is played: the fixed tickets' region, or the region chosen by the latency rule. */
  region: string;
  home: Ticket[];
  away: Ticket[];
}

/** One matching pass's outcome: every input ticket is in exactly one match or in `remaining`. */
export interface MatchingResult {
  matches: FormedMatch[];
  remaining: Ticket[];
}
