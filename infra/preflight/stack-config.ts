import { regionNameSchema } from '@matchmaking/core';
import { functions } from '@matchmaking/functions/manifest';
import { warmPoolSchema } from '@matchmaking/functions/pool-config';
import { parse } from 'yaml';
import { z } from 'zod';
import type { PreflightPlan } from './checks.js';

/*
 * The settings of a Pulumi stack file (Pulumi.<stack>.yaml) that decide what the account must
 * allow. Only these keys are read: the whole configuration is validated by `pulumi up` itself
 * (infra/src/settings.ts), and preflight must not refuse a stack over a setting it does not use.
 */

/** A stack file preflight cannot use: bad usage (exit 2), not an account problem. */
export class StackConfigError extends Error {
  override name = 'StackConfigError';
}

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

const stackSchema = z.object({
  'aws:region': regionNameSchema,
  'matchmaking:regions': z.array(regionNameSchema).min(1),
  'matchmaking:gameServerCpu': z.coerce
    .string()
    .pipe(z.enum(['256', '512', '1024', '2048', '4096']))
    .default('256'),
  'matchmaking:fargateSpot': flag.default(false),
  'matchmaking:warmPool': warmPoolSchema.prefault({}),
  /** The matchmaker's reserved concurrency (infra/src/settings.ts): none when unset. */
  'matchmaking:reservedConcurrency': z.coerce.number().int().positive().max(1000).optional(),
  'matchmaking:accessLogs': z.enum(['off', 'existing', 'create']).default('off'),
});

/**
 * The functions given reserved concurrency, named as the program names them
 * (`matchmaking-<stack>-<fn>`): the matchmaking queue's consumer, when the setting is set
 * (infra/src/home/functions.ts; the manifest's own reservedConcurrency is the local runtime's).
 */
function reservationsOf(stack: string, reserved: number | undefined) {
  if (reserved === undefined) return [];
  return functions
    .filter((definition) => definition.trigger.kind === 'matchmakingQueue')
    .map((definition) => ({ functionName: `matchmaking-${stack}-${definition.name}`, reserved }));
}

/** The plan of the stack file's text; throws StackConfigError naming each bad key. */
export function planFromStackFile(stack: string, text: string, concurrentMatches: number): PreflightPlan {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new StackConfigError(`Pulumi.${stack}.yaml is not YAML: ${(error as Error).message}`);
  }
  const config = (document as { config?: unknown } | null)?.config ?? {};
  const parsed = stackSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new StackConfigError(`Pulumi.${stack}.yaml: ${problems.join('; ')}`);
  }
  const settings = parsed.data;
  return {
    stack,
    homeRegion: settings['aws:region'],
    regions: settings['matchmaking:regions'],
    gameServerCpu: Number(settings['matchmaking:gameServerCpu']),
    fargateSpot: settings['matchmaking:fargateSpot'],
    warmPool: settings['matchmaking:warmPool'],
    concurrentMatches,
    reservations: reservationsOf(stack, settings['matchmaking:reservedConcurrency']),
    accessLogs: settings['matchmaking:accessLogs'],
  };
}
