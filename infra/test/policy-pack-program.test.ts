import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RULES } from '../policy/rules/catalog.js';
import { StackIndex } from '../policy/rules/resource.js';
import { installRealisticMocks, settled } from './realistic-mocks.js';

/*
 * The policy pack over the whole program, as `pulumi preview --policy-pack`
 * would run it on a stack named `production` of the dev stack's settings,
 * for 1, 2, 8 and 20 regions (the home region first).
 */
const mocks = installRealisticMocks();
const buildDir = mkdtempSync(join(tmpdir(), 'infra-policy-'));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

const REGIONS = [
  'us-east-1',
  'eu-west-1',
  'us-west-2',
  'eu-central-1',
  'ap-southeast-1',
  'ap-northeast-1',
  'sa-east-1',
  'ap-southeast-2',
  'us-east-2',
  'us-west-1',
  'ca-central-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'eu-south-1',
  'af-south-1',
  'ap-east-1',
];

/** Pulumi.dev.yaml's `matchmaking:` settings, for these regions (warm-pool overrides of other regions dropped). */
function devSettings(regions: string[]): Record<string, unknown> {
  const config = (
    parse(readFileSync(join(repoRoot, 'Pulumi.dev.yaml'), 'utf8')) as { config: Record<string, unknown> }
  ).config;
  const raw: Record<string, unknown> = Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith('matchmaking:'))
      .map(([key, value]) => [key.slice('matchmaking:'.length), value]),
  );
  const warmPool = raw.warmPool as { regions?: Record<string, unknown> } | undefined;
  if (warmPool?.regions)
    warmPool.regions = Object.fromEntries(
      Object.entries(warmPool.regions).filter(([r]) => regions.includes(r)),
    );
  return { ...raw, homeRegion: regions[0], regions };
}

/** The mandatory violations of one program, by policy. */
async function violations(regionCount: number): Promise<Record<string, string[]>> {
  const { createMatchmaking } = await import('../src/program.js');
  const { parseSettings } = await import('../src/settings.js');
  mocks.take();
  createMatchmaking(parseSettings(devSettings(REGIONS.slice(0, regionCount))), {
    prefix: 'matchmaking-production',
    repoRoot,
    buildDir,
  });
  await settled(mocks);
  const stack = new StackIndex(mocks.take());
  const found: Record<string, string[]> = {};
  for (const rule of RULES.filter((r) => r.level === 'mandatory')) {
    const messages = rule.check(stack, {});
    if (messages.length > 0) found[rule.name] = messages;
  }
  return found;
}

describe('the policy pack over the program (realistic names, stack production)', () => {
  it.each([1, 2, 8, 20])(
    'reports no mandatory violation for %i regions',
    async (regionCount) => {
      expect(await violations(regionCount)).toEqual({});
    },
    120_000,
  );
});
