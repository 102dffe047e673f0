import type { ErrorCode } from './errors.js';
import { SeedMessage } from './messages.js';

export type Team = 'home' | 'away';
export type Outcome = 'home' | 'away' | 'draw';
export type PlayerStatus = 'idle' | 'queued' | 'matched' | 'in_match';

export interface PublicRating {
  rating: number;
  rd: number;
  vol: number;
}

export type PartyChange = 'created' | 'joined' | 'left' | 'kicked' | 'disconnected';

/** One queue (game mode) as listQueues answers it. */
export interface QueueSummary {
  name: string;
  teamSize: number;
  maxWaitSeconds: number;
  partyRating: 'mean' | 'max';
  /** Players waiting per region. */
  playersWaiting: Record<string, number>;
}

/** getQueueStats: one queue's figures per region. */
export interface QueueStats {
  queue: string;
  /** The window `matches` and the percentiles cover. */
  minutes: number;
  regions: Record<
    string,
    {
      playersWaiting: number;
      matches: number;
      /** Time to match (join to MATCH FOUND) in seconds; null without matches in the window. */
      timeToMatchP50: number | null;
      timeToMatchP95: number | null;
    }
  >;
}

/** Every event the API sends to a player's WebSocket. `message` is human text (the seed's words where it had them). */
export type ServerEvent =
  | {
      type: 'joinedQueue';
      message: string;
      ticketId: string;
      queue: string;
      region: string;
      /** Everyone on the ticket: the player alone, or the party. */
      players: string[];
      /**
       * A ticket joined with latencies: the served regions it may be matched
       * in, with the worst member's latency (ms) there. `region` is then the
       * best of them, where it counts as waiting.
       */
      latencies?: Record<string, number>;
      /** From the recent times to match of this queue and region; absent without recent matches. */
      estimatedWaitSeconds?: number;
    }
  | { type: 'leftQueue'; message: string; reason?: string }
  | {
      type: 'partyUpdated';
      message: string;
      /** The invite code (also the party's id). */
      partyId: string;
      leader: string;
      /** Members in the order they joined; leadership passes to the next one. */
      members: string[];
      /** What changed: created, joined, left, kicked, disconnected. */
      change: PartyChange;
      /** Who it changed for (the member who joined, left, was kicked...). */
      userId: string;
    }
  | { type: 'partyLeft'; message: string; partyId: string; reason: 'left' | 'kicked' }
  | { type: 'queueTimeout'; message: string; queue: string; region: string; waitedSeconds: number }
  | { type: 'queues'; message: string; defaultQueue: string; queues: QueueSummary[] }
  | ({ type: 'queueStats'; message: string } & QueueStats)
  | { type: 'matchmakingRequested'; message: string }
  /** The answer to a keepAlive that carried a requestId (one without gets none). */
  | { type: 'keptAlive'; message: string }
  | {
      type: 'pingTargets';
      message: string;
      /** Per served region, an HTTPS URL to time (a GET; time the second of a few). */
      targets: { region: string; url: string }[];
    }
  | {
      type: 'matchProposed';
      message: string;
      matchId: string;
      queue: string;
      region: string;
      team: Team;
      teams: Record<Team, string[]>;
      /** Epoch ms by which every player must accept (acceptMatch), or the match is dropped. */
      deadline: number;
      acceptSeconds: number;
    }
  | {
      type: 'matchAccepted';
      message: string;
      matchId: string;
      /** Players who accepted so far, out of `players`. */
      accepted: number;
      players: number;
    }
  | {
      type: 'matchDeclined';
      message: string;
      matchId: string;
      /** declined: someone answered no; timeout: someone did not answer by the deadline. */
      reason: 'declined' | 'timeout';
      /** True if this player's ticket is back in the queue with its original queue time. */
      requeued: boolean;
      /** How many players did not accept (not who: see the README). */
      notAccepted: number;
    }
  | {
      type: 'matchFound';
      message: string;
      matchId: string;
      region: string;
      team: Team;
      teams: Record<Team, string[]>;
    }
  | {
      type: 'serverReady';
      message: string;
      matchId: string;
      ip: string;
      port: number;
      /** This player's own key to the game server (only the match's players may connect). */
      joinKey: string;
      /** Where to connect: ws://<ip>:<port>/?key=<joinKey> */
      gameUrl: string;
    }
  | {
      type: 'matchFinished';
      message: string;
      matchId: string;
      outcome: Outcome;
      team: Team;
      rating: PublicRating;
      previous: PublicRating;
    }
  | { type: 'matchCancelled'; message: string; matchId: string; reason: string; requeued: boolean }
  | { type: 'matchAbandoned'; message: string; matchId: string; reason: string }
  | { type: 'connectionReplaced'; message: string }
  | {
      type: 'profile';
      message: string;
      userId: string;
      rating: number;
      rd: number;
      vol: number;
      region: string | null;
      status: PlayerStatus;
      matchId: string | null;
      server: { ip: string; port: number } | null;
    }
  | { type: 'error'; code: ErrorCode; message: string; [detail: string]: unknown };

export type ServerEventType = ServerEvent['type'];

/** Builders that keep the seed's words in one place. */
export const events = {
  joinedQueue: (
    ticket: {
      ticketId: string;
      queue: string;
      region: string;
      players: string[];
      latencies?: Record<string, number>;
    },
    estimatedWaitSeconds?: number,
  ): ServerEvent => ({
    type: 'joinedQueue',
    message: SeedMessage.joinedQueue,
    ...ticket,
    ...(estimatedWaitSeconds === undefined ? {} : { estimatedWaitSeconds }),
  }),
  partyUpdated: (
    party: { partyId: string; leaderId: string; members: string[] },
    change: PartyChange,
    userId: string,
  ): ServerEvent => ({
    type: 'partyUpdated',
    message: partyMessage(change, userId, party.leaderId),
    partyId: party.partyId,
    leader: party.leaderId,
    members: party.members,
    change,
    userId,
  }),
  partyLeft: (partyId: string, reason: 'left' | 'kicked'): ServerEvent => ({
    type: 'partyLeft',
    message: reason === 'kicked' ? 'the party leader removed you from the party' : 'you left the party',
    partyId,
    reason,
  }),
  queueTimeout: (queue: string, region: string, waitedSeconds: number): ServerEvent => ({
    type: 'queueTimeout',
    message: `no match found in ${waitedSeconds} s: you left the ${queue} queue; join again to keep looking`,
    queue,
    region,
    waitedSeconds,
  }),
  matchFound: (matchId: string, region: string, team: Team, teams: Record<Team, string[]>): ServerEvent => ({
    type: 'matchFound',
    message: SeedMessage.matchFound,
    matchId,
    region,
    team,
    teams,
  }),
  serverReady: (matchId: string, ip: string, port: number, joinKey: string): ServerEvent => ({
    type: 'serverReady',
    message: SeedMessage.serverCreated(ip),
    matchId,
    ip,
    port,
    joinKey,
    gameUrl: `ws://${ip.includes(':') ? `[${ip}]` : ip}:${port}/?key=${encodeURIComponent(joinKey)}`,
  }),
  pingTargets: (targets: { region: string; url: string }[]): ServerEvent => ({
    type: 'pingTargets',
    message: 'time a GET to each url and join with {"action":"joinQueue","latencies":{region: ms}}',
    targets,
  }),
  matchProposed: (
    match: { matchId: string; queue: string; region: string; teams: Record<Team, string[]> },
    team: Team,
    deadline: number,
    acceptSeconds: number,
  ): ServerEvent => ({
    type: 'matchProposed',
    message: `MATCH FOUND: accept it within ${acceptSeconds} s (acceptMatch)`,
    matchId: match.matchId,
    queue: match.queue,
    region: match.region,
    team,
    teams: match.teams,
    deadline,
    acceptSeconds,
  }),
  matchAccepted: (matchId: string, accepted: number, players: number): ServerEvent => ({
    type: 'matchAccepted',
    message: `${accepted} of ${players} players accepted`,
    matchId,
    accepted,
    players,
  }),
  matchDeclined: (
    matchId: string,
    reason: 'declined' | 'timeout',
    requeued: boolean,
    notAccepted: number,
  ): ServerEvent => ({
    type: 'matchDeclined',
    message: `${reason === 'declined' ? 'a player declined the match' : 'not every player accepted in time'}${
      requeued ? ' (back in the queue, keeping your place)' : ': you left the queue'
    }`,
    matchId,
    reason,
    requeued,
    notAccepted,
  }),
  leftQueue: (reason?: string): ServerEvent => ({
    type: 'leftQueue',
    message: reason ? `left queue: ${reason}` : 'left queue',
    ...(reason ? { reason } : {}),
  }),
  matchmakingRequested: (): ServerEvent => ({
    type: 'matchmakingRequested',
    message: 'matchmaking requested',
  }),
  keptAlive: (): ServerEvent => ({ type: 'keptAlive', message: 'connection kept open' }),
  matchFinished: (
    matchId: string,
    outcome: Outcome,
    team: Team,
    rating: PublicRating,
    previous: PublicRating,
  ): ServerEvent => ({
    type: 'matchFinished',
    message:
      outcome === 'draw'
        ? 'match finished: draw'
        : `match finished: ${outcome === team ? 'you won' : 'you lost'}`,
    matchId,
    outcome,
    team,
    rating,
    previous,
  }),
  matchCancelled: (matchId: string, reason: string, requeued: boolean): ServerEvent => ({
    type: 'matchCancelled',
    message: `${SeedMessage.matchCreationError}: ${reason}${requeued ? ' (back in the queue, keeping your place)' : ''}`,
    matchId,
    reason,
    requeued,
  }),
  matchAbandoned: (matchId: string, reason: string): ServerEvent => ({
    type: 'matchAbandoned',
    message: `match abandoned, no rating change: ${reason}`,
    matchId,
    reason,
  }),
  connectionReplaced: (): ServerEvent => ({
    type: 'connectionReplaced',
    message:
      'this connection is closed: the same player connected again elsewhere (the newest connection gets every event)',
  }),
  error: (code: ErrorCode, message: string, details: Record<string, unknown> = {}): ServerEvent => ({
    ...details,
    type: 'error',
    code,
    message,
  }),
};

function partyMessage(change: PartyChange, userId: string, leaderId: string): string {
  const leader = `leader: ${leaderId}`;
  switch (change) {
    case 'created':
      return `party created; share its code to invite friends (${leader})`;
    case 'joined':
      return `${userId} joined the party (${leader})`;
    case 'left':
      return `${userId} left the party (${leader})`;
    case 'kicked':
      return `${userId} was removed from the party (${leader})`;
    case 'disconnected':
      return `${userId} disconnected and left the party (${leader})`;
  }
}
