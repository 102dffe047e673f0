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

/** Every event the API sends to a player's WebSocket. `message` is human text (the seed's words where it had them). */
export type ServerEvent =
  | { type: 'joinedQueue'; message: string; ticketId: string; region: string }
  | { type: 'leftQueue'; message: string }
  | { type: 'matchmakingRequested'; message: string }
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
  joinedQueue: (ticketId: string, region: string): ServerEvent => ({
    type: 'joinedQueue',
    message: SeedMessage.joinedQueue,
    ticketId,
    region,
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
  leftQueue: (): ServerEvent => ({ type: 'leftQueue', message: 'left queue' }),
  matchmakingRequested: (): ServerEvent => ({
    type: 'matchmakingRequested',
    message: 'matchmaking requested',
  }),
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
