import {
  type ClientEvent,
  connect,
  type EventOf,
  type MatchmakingClient,
  type TokenSource,
} from '@matchmaking/client';
import { WebSocket } from 'ws';

/*
 * The smoke test of a deployment, as two players live it: both connect with
 * the SDK, join one queue in one region, get MATCH FOUND and the game
 * server's address, play the match on that server to a result, and read
 * their new ratings back. The same function runs against `pnpm dev` in the
 * local tests (test/client/smoke-script.test.ts) and against a throwaway AWS
 * stack in .github/workflows/smoke.yml, so the nightly run uses a script
 * that every CI run has already played.
 */

export type ReportedOutcome = 'HOME' | 'AWAY' | 'DRAW';

export interface SmokeOptions {
  /** The deployment's WebSocket API (the stack output `websocketUrl`). */
  websocketUrl: string;
  /** One token source per player; they must be two different users the deployment accepts. */
  tokens: [TokenSource, TokenSource];
  /** The queue to play (default: the deployment's default queue). It must have one player per team. */
  queue?: string;
  /** The region to play in (default: the first region the deployment serves). */
  region?: string;
  /**
   * What both players report on the game server (default HOME: the home
   * player wins). The smoke expects ratings to move apart, so a DRAW between
   * equal players fails it: the local test uses that to prove the check runs.
   */
  outcome?: ReportedOutcome;
  /** The whole match must be played by then (default 5 minutes: a cold Fargate task takes up to a minute). */
  timeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface SmokePlayer {
  userId: string;
  team: 'home' | 'away';
  before: { rating: number; rd: number };
  after: { rating: number; rd: number };
}

export interface SmokeSummary {
  matchId: string;
  queue: string;
  region: string;
  outcome: 'home' | 'away' | 'draw';
  /** Milliseconds from both players queued to MATCH FOUND, to the server ready, and to the ratings. */
  timings: { matchFoundMs: number; serverReadyMs: number; finishedMs: number };
  players: [SmokePlayer, SmokePlayer];
}

/** A failed smoke: what went wrong, in words an operator reads in the workflow log. */
export class SmokeError extends Error {
  override name = 'SmokeError';
}

export const DEFAULT_SMOKE_TIMEOUT_MS = 5 * 60_000;

/** Plays one 1v1 match through the deployment and checks the ratings it wrote; rejects with SmokeError. */
export async function runSmokeMatch(options: SmokeOptions): Promise<SmokeSummary> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? DEFAULT_SMOKE_TIMEOUT_MS;
  const clients: MatchmakingClient[] = [];
  const games: WebSocket[] = [];
  let step = 'connecting';
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SmokeError(`no result within ${timeoutMs} ms (last step: ${step})`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([timedOut, play()]);
  } catch (error) {
    if (error instanceof SmokeError) throw error;
    throw new SmokeError(`${step}: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
    for (const game of games) game.terminate();
    await Promise.allSettled(clients.map((client) => client.close()));
  }

  async function play(): Promise<SmokeSummary> {
    // One player after the other: two tokens of one user would replace the first connection, and
    // the second profile then names the same user, which fails here instead of as a lost connection.
    const first = await connect(options.websocketUrl, { token: options.tokens[0] });
    clients.push(first);
    const one = await first.getProfile();
    const second = await connect(options.websocketUrl, { token: options.tokens[1] });
    clients.push(second);
    const two = await second.getProfile();
    if (one.userId === two.userId) throw new SmokeError(`both tokens are for the same user (${one.userId})`);
    const players = [first, second] as const;
    const both = <T>(each: (client: MatchmakingClient) => Promise<T>): Promise<[T, T]> =>
      Promise.all([each(first), each(second)]);
    // A cancelled or abandoned match, or a queue timeout, fails at once instead of at the timeout.
    const failed = new Promise<never>((_, reject) => {
      for (const type of [
        'matchCancelled',
        'matchAbandoned',
        'queueTimeout',
        'matchDeclined',
        'closed',
      ] as const)
        for (const client of players)
          client.on(type, (event: ClientEvent) => reject(new SmokeError(`${event.type}: ${event.message}`)));
    });
    failed.catch(() => {});
    const until = <T>(promise: Promise<T>): Promise<T> => Promise.race([failed, promise]);

    const queue = options.queue ?? (await first.listQueues()).defaultQueue;
    const region = options.region ?? (await first.getPingTargets()).targets[0]?.region;
    if (!region) throw new SmokeError('the deployment serves no region');
    log(`players ${one.userId} (${one.rating}) and ${two.userId} (${two.rating}): queue ${queue}, ${region}`);

    // A queue with a ready check proposes the match first: both accept.
    for (const client of players)
      client.on('matchProposed', (event) => void client.acceptMatch(event.matchId).catch(() => {}));
    const found = both((client) => client.once('matchFound'));
    const ready = both((client) => client.once('serverReady'));
    const finished = both((client) => client.once('matchFinished'));
    for (const promise of [found, ready, finished]) promise.catch(() => {});

    step = 'joining the queue';
    const queuedAt = Date.now();
    for (const client of players) await client.joinQueue({ queue, region });
    step = 'waiting for MATCH FOUND';
    const matches = await until(found);
    const matchFoundMs = Date.now() - queuedAt;
    const matchId = matches[0].matchId;
    if (matches[1].matchId !== matchId) throw new SmokeError('the players were put in different matches');
    if (matches[0].region !== region) throw new SmokeError(`matched in ${matches[0].region}, not ${region}`);
    if (matches[0].team === matches[1].team) throw new SmokeError('both players are on one team');
    log(`${matches[0].message}: ${matchId} after ${matchFoundMs} ms`);

    step = 'waiting for the game server';
    const servers = await until(ready);
    const serverReadyMs = Date.now() - queuedAt;
    log(`server ready at ${servers[0].ip}:${servers[0].port} after ${serverReadyMs} ms`);

    step = 'playing on the game server';
    const outcome = options.outcome ?? 'HOME';
    await until(playOnServer(servers, outcome));
    step = 'waiting for the new ratings';
    const results = await until(finished);
    const finishedMs = Date.now() - queuedAt;

    step = 'reading the new profiles';
    const after = await both((client) => client.getProfile());
    const summary: SmokeSummary = {
      matchId,
      queue,
      region,
      outcome: results[0].outcome,
      timings: { matchFoundMs, serverReadyMs, finishedMs },
      players: [
        { userId: one.userId, team: results[0].team, before: pick(one), after: pick(after[0]) },
        { userId: two.userId, team: results[1].team, before: pick(two), after: pick(after[1]) },
      ],
    };
    const problems = ratingProblems(summary, results);
    if (problems.length > 0) throw new SmokeError(`ratings: ${problems.join('; ')}`);
    log(
      `match finished (${summary.outcome}) after ${finishedMs} ms: ` +
        summary.players.map((p) => `${p.userId} ${p.before.rating} -> ${p.after.rating}`).join(', '),
    );
    return summary;
  }

  /** Each player connects to its own gameUrl and reports `outcome`; resolves once each socket heard the result. */
  async function playOnServer(servers: EventOf<'serverReady'>[], outcome: ReportedOutcome): Promise<void> {
    const sockets = await Promise.all(
      servers.map(
        (server) =>
          new Promise<WebSocket>((resolve, reject) => {
            const game = new WebSocket(server.gameUrl);
            games.push(game);
            game.once('open', () => resolve(game));
            game.once('error', (error) =>
              reject(new SmokeError(`game server ${server.ip}:${server.port}: ${error.message}`)),
            );
          }),
      ),
    );
    const heard = sockets.map(
      (game) =>
        new Promise<void>((resolve, reject) => {
          game.on('message', (data) => {
            const text = data.toString();
            if (text.startsWith('match finished')) resolve();
            if (text.startsWith('the result could not be reported')) reject(new SmokeError(text));
          });
        }),
    );
    for (const game of sockets) game.send(outcome);
    await Promise.all(heard);
  }
}

const pick = (profile: { rating: number; rd: number }) => ({ rating: profile.rating, rd: profile.rd });

/**
 * What is wrong with the ratings a finished match wrote: the winner's must
 * rise and the loser's fall (a draw moves neither apart, so it is a problem
 * here), every rating deviation must change, and each profile must hold
 * the rating its matchFinished event announced.
 */
export function ratingProblems(
  summary: Pick<SmokeSummary, 'outcome' | 'players'>,
  finished: { rating: { rating: number; rd: number } }[],
): string[] {
  const problems: string[] = [];
  summary.players.forEach((player, i) => {
    const { before, after, userId } = player;
    const won = summary.outcome === player.team;
    const lost = summary.outcome !== 'draw' && !won;
    if (won && !(after.rating > before.rating))
      problems.push(`${userId} won but ${before.rating} -> ${after.rating}`);
    if (lost && !(after.rating < before.rating))
      problems.push(`${userId} lost but ${before.rating} -> ${after.rating}`);
    if (!won && !lost) problems.push(`a draw: ${userId}'s rating cannot show who won`);
    if (after.rd === before.rd) problems.push(`${userId}'s rating deviation did not change (${after.rd})`);
    const announced = finished[i]?.rating;
    if (announced && (announced.rating !== after.rating || announced.rd !== after.rd))
      problems.push(
        `${userId}'s profile (${after.rating}) is not the announced rating (${announced.rating})`,
      );
  });
  return problems;
}
