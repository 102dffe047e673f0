import { type MatchingConfig, queueNameSchema } from '@matchmaking/core';
import { z } from 'zod';

/**
 * Game modes. `matchmaking:queues` (Pulumi) and MATCHMAKING_QUEUES (the
 * functions) name every queue of a deployment with its own team size,
 * rating window, longest wait and party rating; one of them is the default,
 * the queue of a `joinQueue` that names none (the seed's message).
 */
export { queueNameSchema };

const ratingWindowSchema = z
  .strictObject({
    /** +- rating points a new ticket accepts. */
    initial: z.number().nonnegative().default(100),
    /** Points the window widens per second waited. */
    growthPerSecond: z.number().nonnegative().default(10),
    /** The widest the window gets. */
    max: z.number().nonnegative().default(600),
  })
  .refine((window) => window.max >= window.initial, { message: 'max must be at least initial' });

const latencySchema = z
  .strictObject({
    /** The highest latency (ms) a player accepts the moment the ticket joins. */
    initialMs: z.number().min(0).max(10_000).default(60),
    /** Milliseconds the maximum widens by every `stepSeconds` waited. */
    stepMs: z.number().min(0).max(10_000).default(10),
    stepSeconds: z.number().positive().max(3600).default(5),
    /** The widest the maximum gets. */
    maxMs: z.number().min(0).max(10_000).default(150),
  })
  .refine((latency) => latency.maxMs >= latency.initialMs, { message: 'maxMs must be at least initialMs' });

export const queueSettingsSchema = z.strictObject({
  /** Players per team: 1 (1v1) to 50. */
  teamSize: z.number().int().min(1).max(50),
  ratingWindow: ratingWindowSchema.prefault({}),
  /** A ticket leaves the queue with `queueTimeout` after waiting this long. */
  maxWaitSeconds: z.number().int().min(1).max(3600).default(300),
  /** A party's rating for the window: its members' mean (default) or the highest (FlexMatch's party aggregation). */
  partyRating: z.enum(['mean', 'max']).default('mean'),
  /**
   * How far from a region a ticket joined with latencies may be matched
   * (see MatchingConfig.latency). Without it, such a ticket may be matched in
   * any region all its players reported.
   */
  latency: latencySchema.optional(),
  /**
   * The ready check (off without it): a formed match is proposed to its
   * players, who have this long to accept it (FlexMatch's acceptance, 1-600 s).
   */
  readyCheckSeconds: z.number().int().min(1).max(600).optional(),
  /** The queue of a joinQueue without `queue`; exactly one queue has it (or the only one). */
  default: z.boolean().default(false),
});
export type QueueSettings = z.output<typeof queueSettingsSchema>;

/**
 * The most queues one deployment serves: listQueues answers them all in one
 * frame, and each queue has a time-to-match alarm per region (30 queues in 20
 * regions: 600 alarms). Their settings live in the functions' deployment file,
 * not in the 4 KB of variables.
 */
export const MAX_QUEUES = 30;

export const queuesSchema = z
  .record(queueNameSchema, queueSettingsSchema)
  .refine((queues) => Object.keys(queues).length > 0, { message: 'must name at least one queue' })
  .refine((queues) => Object.keys(queues).length <= MAX_QUEUES, { message: `at most ${MAX_QUEUES} queues` })
  .refine(
    (queues) => {
      const defaults = Object.values(queues).filter((queue) => queue.default).length;
      return defaults === 1 || (defaults === 0 && Object.keys(queues).length === 1);
    },
    { message: 'exactly one queue must have `default: true` (unless there is only one)' },
  );
export type QueuesInput = z.input<typeof queuesSchema>;

/** One queue as the functions use it. */
export interface Queue {
  name: string;
  teamSize: number;
  matching: MatchingConfig;
  maxWaitSeconds: number;
  /** Seconds the players have to accept a formed match; undefined: no ready check. */
  readyCheckSeconds?: number;
}

/** Every queue of the deployment, and the default one. */
export interface QueueCatalog {
  defaultQueue: string;
  queues: ReadonlyMap<string, Queue>;
  /** The largest team of any queue: the largest party there can be. */
  largestTeam: number;
}

export function queueCatalog(settings: Readonly<Record<string, QueueSettings>>): QueueCatalog {
  const entries = Object.entries(settings);
  const queues = new Map<string, Queue>(
    entries.map(([name, queue]) => [
      name,
      {
        name,
        teamSize: queue.teamSize,
        maxWaitSeconds: queue.maxWaitSeconds,
        ...(queue.readyCheckSeconds === undefined ? {} : { readyCheckSeconds: queue.readyCheckSeconds }),
        matching: {
          teamSize: queue.teamSize,
          windowInitial: queue.ratingWindow.initial,
          windowGrowthPerSecond: queue.ratingWindow.growthPerSecond,
          windowMax: queue.ratingWindow.max,
          partyRating: queue.partyRating,
          ...(queue.latency === undefined ? {} : { latency: queue.latency }),
        },
      },
    ]),
  );
  const defaultQueue = (entries.find(([, queue]) => queue.default) ?? entries[0])?.[0] as string;
  return {
    defaultQueue,
    queues,
    largestTeam: Math.max(...entries.map(([, queue]) => queue.teamSize)),
  };
}

/** A queue and region: one pool of waiting tickets, matched on its own. */
export interface PoolRef {
  queue: string;
  region: string;
}

/** The pools of a deployment: every queue in every region. */
export function allPools(catalog: QueueCatalog, regions: readonly string[]): PoolRef[] {
  return [...catalog.queues.keys()].flatMap((queue) => regions.map((region) => ({ queue, region })));
}
