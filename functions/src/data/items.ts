/**
 * The shape of every item stored in the four tables (see tables.ts for keys).
 * All repositories read and write exactly these; times are epoch milliseconds
 * unless the name says seconds (DynamoDB TTL attributes are epoch seconds).
 */

/** connections: one live WebSocket connection. */
export interface ConnectionItem {
  connectionId: string;
  userId: string;
  connectedAt: number;
  /** Epoch seconds; API Gateway closes a connection after 2 hours at most. */
  expiresAt: number;
}

import type { PlayerStatus } from '@matchmaking/core';

export interface ServerAddress {
  ip: string;
  port: number;
}

/** players: a player's rating and where they are in the flow. */
export interface PlayerItem {
  userId: string;
  rating: number;
  rd: number;
  vol: number;
  /** The region the player queues in (set by joinQueue). */
  region?: string;
  /** The queue (game mode) of the player's ticket (set by joinQueue). */
  queue?: string;
  /** The party the player is in (set by createParty and joinParty). */
  partyId?: string;
  /**
   * The round trips (ms) the player last reported to the served regions
   * (joinQueue, createParty, joinParty with latencies): a party ticket
   * queued with latencies uses each member's.
   */
  latencies?: Record<string, number>;
  status: PlayerStatus;
  /** The player's newest connection; events go here. */
  connectionId?: string;
  /** Set while queued. */
  ticketId?: string;
  /** Set while matched or in a match ('matched' until the server is ready, then 'in_match'). */
  matchId?: string;
  /** Set once the match's server is ready. */
  server?: ServerAddress;
  /** The last match whose result was applied to this rating: the exactly-once guard. */
  lastRatedMatchId?: string;
  updatedAt: number;
}

export type TicketState = 'waiting' | 'claimed';

/** A player as its ticket remembers it: a queued player's rating cannot change, so these are the pre-match values. */
export interface TicketPlayerItem {
  userId: string;
  connectionId: string;
  rating: number;
  rd: number;
  vol?: number;
  /** Reported round trips (ms) to served regions: the ticket may be matched in any of them (within the queue's limit). */
  latencies?: Record<string, number>;
}

/**
 * tickets: a party waiting in a region. The sort key `ticketId` starts with the
 * zero-padded enqueue time so that a Query returns the longest-waiting first.
 */
export interface TicketItem {
  /** The queue (game mode): tickets of different queues never match together. */
  queue: string;
  region: string;
  ticketId: string;
  players: TicketPlayerItem[];
  enqueuedAt: number;
  state: TicketState;
  /** The match that claimed the ticket (state 'claimed'). */
  matchId?: string;
  /** How many matches claimed and then released it: part of the match id, so a new attempt is a new match. */
  attempts?: number;
  /** How many of those matches failed on the platform's side (server never ready, crashed): capped by MAX_REQUEUES. */
  failedMatches?: number;
  /** When the claim was made (state 'claimed'): a claim whose match was never stored is released after CLAIM_TIMEOUT. */
  claimedAt?: number;
  /** Not matched before this time (epoch ms): the back-off after the fleet had no capacity. */
  retryAt?: number;
  /** The party this ticket queues (its leader queued it); absent for a player alone. */
  partyId?: string;
  /** When a failed match last put it back (its longest wait counts from then). */
  requeuedAt?: number;
}

/** A ticket as its match remembers it (its counters as they were when the match claimed it). */
export interface MatchTicketItem {
  ticketId: string;
  enqueuedAt: number;
  userIds: string[];
  attempts?: number;
  failedMatches?: number;
  /** The party it queued, if any: a party that changed meanwhile is not requeued as it was. */
  partyId?: string;
  /** Where the ticket is stored when not the match's region (a ticket joined with latencies). */
  region?: string;
}

/**
 * proposed (the ready check: waiting for every player to accept) ->
 * starting -> ready -> finished; proposed -> declined; starting -> cancelled;
 * ready -> abandoned.
 */
export type MatchState =
  | 'proposed'
  | 'starting'
  | 'ready'
  | 'finished'
  | 'cancelled'
  | 'declined'
  | 'abandoned';

export interface MatchPlayerItem {
  userId: string;
  connectionId: string;
  /** Pre-match rating: the team update is computed from these, never from current values. */
  rating: number;
  rd: number;
  vol: number;
  /**
   * This player's key to the game server, sent only to this player in
   * `serverReady`; the server gets only its SHA-256 (from the session callback).
   */
  joinKey: string;
}

/** matches: one match and its lifecycle. */
export interface MatchItem {
  matchId: string;
  /** The queue (game mode) the match was formed in. */
  queue: string;
  region: string;
  state: MatchState;
  home: MatchPlayerItem[];
  away: MatchPlayerItem[];
  /** The tickets the match used, with their queue times, so a cancelled match can requeue them. */
  tickets: MatchTicketItem[];
  /**
   * SHA-256 (hex) of the one-time bootstrap token in the task's overrides
   * (visible in DescribeTasks, so it is good for one session exchange only).
   */
  bootstrapHash: string;
  /** When the game server exchanged the bootstrap token for the session token. */
  sessionOpenedAt?: number;
  /** SHA-256 (hex) of the session token the callbacks carry; set by the exchange. Tokens are never stored. */
  tokenHash?: string;
  taskArn?: string;
  /** The warm-pool server assigned to the match (absent for a server started for this match alone). */
  serverId?: string;
  server?: ServerAddress;
  outcome?: 'home' | 'away' | 'draw';
  /** The ready check's length (s); absent: the match starts at once. */
  readyCheckSeconds?: number;
  /** Players who accepted the proposed match (the ready check). */
  accepted?: string[];
  /** The player whose decline dropped the match (the ready check): never requeued, even if they had accepted. */
  declinedBy?: string;
  /** Why a match was cancelled or abandoned, for players and operators. */
  endReason?: string;
  createdAt: number;
  /** When the last player accepted (the ready check): the match's MATCH FOUND, where time to play starts. */
  acceptedAt?: number;
  readyAt?: number;
  endedAt?: number;
  /**
   * `state#shard` of the state whose deadline is pending (only while starting
   * or ready): the sparse byDeadline index. The repository sets it.
   */
  deadlineShard?: string;
  deadlineAt?: number;
  /** Epoch seconds; finished matches are kept for a while, then expire. */
  expiresAt?: number;
}

/**
 * servers: one warm-pool game server (an ECS task started ahead of matches).
 * launching -> idle (registered, heartbeating) -> assigned (a match waits for
 * it to take it) -> busy (took it) -> idle again (returned to the pool) or
 * stopped; idle or assigned-not-taken -> draining (SIGTERM, e.g. Spot);
 * any -> stopped (exited, silent, or marked bad). Every change is a
 * conditional write on the state.
 */
export type ServerState = 'launching' | 'idle' | 'assigned' | 'busy' | 'draining' | 'stopped';

export interface ServerItem {
  serverId: string;
  region: string;
  state: ServerState;
  /** SHA-256 of the one-time registration token in the task's overrides. */
  registrationHash: string;
  /** SHA-256 of the server's own token, issued at registration; tokens are never stored. */
  credentialHash?: string;
  taskArn?: string;
  /** Where players (and the assignment nudge) reach it. */
  address?: ServerAddress;
  launchedAt: number;
  /** The task definition (revision) it was launched from: the deploy whose image it runs. */
  taskDefinition?: string;
  registeredAt?: number;
  heartbeatAt?: number;
  /** The match assigned (assigned, busy). */
  matchId?: string;
  assignedAt?: number;
  /** Matches this server has played (a server returned to the pool plays several). */
  matchesPlayed?: number;
  /** Why it stopped, for operators. */
  stopReason?: string;
  /** `region#shard` while launching or idle: the sparse spare-servers index. The repository sets it. */
  spareShard?: string;
  /** Epoch seconds: a stopped server's record expires. */
  expiresAt?: number;
}

/** parties: friends who queue together. The invite code is the key. */
export interface PartyItem {
  /** The invite code others join with. */
  partyId: string;
  /** The member who may queue the party and kick members. */
  leaderId: string;
  /** Members in the order they joined (the leader included); leadership passes to the next one. */
  members: string[];
  /** Players the leader removed: the invite code no longer lets them in. */
  kicked?: string[];
  createdAt: number;
  updatedAt: number;
  /** Bumped by every change: each write is conditional on the version it read. */
  version: number;
}
