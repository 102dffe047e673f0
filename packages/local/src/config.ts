import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './lambda.js';

export interface StackSettings {
  regions: string[];
  teamSize: number;
}

/**
 * Regions and team size from Pulumi.dev.yaml (`matchmaking:regions`,
 * `matchmaking:teamSize`), so `pnpm dev` serves what `pulumi up` deploys.
 */
export function readStackSettings(file = join(repoRoot, 'Pulumi.dev.yaml')): StackSettings {
  const config = ((parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> } | null)
    ?.config ?? {}) as Record<string, unknown>;
  const regions = config['matchmaking:regions'] ?? ['us-east-1'];
  const teamSize = Number(config['matchmaking:teamSize'] ?? 1);
  if (!Array.isArray(regions) || regions.length === 0 || !regions.every((r) => typeof r === 'string')) {
    throw new Error(`${file}: matchmaking:regions must be a non-empty list of region names`);
  }
  if (!Number.isInteger(teamSize) || teamSize < 1)
    throw new Error(`${file}: matchmaking:teamSize must be a positive integer`);
  return { regions: regions as string[], teamSize };
}
