import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envDefaults } from '@matchmaking/functions/env';
import { type QueuesInput, queuesSchema } from '@matchmaking/functions/queue-config';
import { parse } from 'yaml';
import { repoRoot } from './lambda.js';

export interface StackSettings {
  regions: string[];
  /** The game modes, as `matchmaking:queues` spells them. */
  queues: QueuesInput;
}

/**
 * Regions and queues from Pulumi.dev.yaml (`matchmaking:regions`,
 * `matchmaking:queues`), so `pnpm dev` serves what `pulumi up` deploys. Bad
 * queues are refused with the same errors as `pulumi up`, naming the key.
 */
export function readStackSettings(file = join(repoRoot, 'Pulumi.dev.yaml')): StackSettings {
  const config = ((parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> } | null)
    ?.config ?? {}) as Record<string, unknown>;
  const regions = config['matchmaking:regions'] ?? ['us-east-1'];
  if (!Array.isArray(regions) || regions.length === 0 || !regions.every((r) => typeof r === 'string')) {
    throw new Error(`${file}: matchmaking:regions must be a non-empty list of region names`);
  }
  const raw = config['matchmaking:queues'] ?? JSON.parse(envDefaults.MATCHMAKING_QUEUES as string);
  const queues = queuesSchema.safeParse(raw);
  if (!queues.success) {
    const problems = queues.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`${file}: matchmaking:queues is invalid: ${problems.join('; ')}`);
  }
  return { regions: regions as string[], queues: raw as QueuesInput };
}

/** One queue of `teamSize` (tests and `pnpm dev --team-size`): the default, named `default`. */
export function singleQueue(
  teamSize: number,
  ratingWindow: { initial?: number; growthPerSecond?: number; max?: number } = {},
  maxWaitSeconds?: number,
): QueuesInput {
  return {
    default: {
      teamSize,
      ratingWindow,
      ...(maxWaitSeconds === undefined ? {} : { maxWaitSeconds }),
    },
  };
}
