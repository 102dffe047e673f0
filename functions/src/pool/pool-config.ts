import { regionNameSchema } from '@matchmaking/core';
import { z } from 'zod';

/**
 * The warm pool of one region: `idle` servers kept ready ahead of matches, and
 * `max`, the most the pool grows to when demand takes servers faster than
 * `idle` covers (see poolTarget). `{idle: 0, max: 0}` turns the pool off.
 */
export const regionPoolSchema = z
  .strictObject({
    idle: z.number().int().min(0).max(1000),
    max: z.number().int().min(0).max(1000),
  })
  .refine((pool) => pool.max >= pool.idle, { message: 'max must be at least idle' });
export type RegionPool = z.infer<typeof regionPoolSchema>;

/**
 * `matchmaking:warmPool` (Pulumi) and WARM_POOL (the functions): one default
 * for every region, overrides per region, and the lead time the demand
 * scaling covers (how long a replacement takes to become idle: Fargate's
 * start plus the tick, ~60 s on AWS).
 */
export const warmPoolSchema = z.strictObject({
  default: regionPoolSchema.default({ idle: 0, max: 0 }),
  regions: z.record(regionNameSchema, regionPoolSchema).default({}),
  leadSeconds: z.number().int().positive().max(3600).default(60),
});
export type WarmPool = z.infer<typeof warmPoolSchema>;

export const NO_POOL: WarmPool = { default: { idle: 0, max: 0 }, regions: {}, leadSeconds: 60 };

export function poolOf(pool: WarmPool, region: string): RegionPool {
  return pool.regions[region] ?? pool.default;
}

/**
 * How many spare servers the keeper keeps in a region: `idle`, raised to
 * cover the servers taken in the last minute over the lead time (a burst
 * grows the buffer before it runs dry again), never above `max`.
 */
export function poolTarget(pool: RegionPool, takenLastMinute: number, leadSeconds: number): number {
  const demand = Math.ceil((takenLastMinute * leadSeconds) / 60);
  return Math.min(pool.max, Math.max(pool.idle, demand));
}
