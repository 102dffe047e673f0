import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { awsAccountReader, sdkClients } from './aws-reader.js';
import type { AccountReader } from './preflight.js';
import { runPreflight } from './preflight.js';
import { exitCodeOf, formatReport } from './report.js';
import { planFromStackFile, StackConfigError } from './stack-config.js';

/*
 * `pnpm preflight [--stack dev] [--concurrent-matches 10]`: reads the target account with the
 * caller's credentials and prints what to raise or create before `pulumi up`. Exit 0: ready;
 * 1: something needs action (or could not be checked); 2: bad usage.
 */

const USAGE = `usage: pnpm preflight [--stack <name>] [--concurrent-matches <n>]
  --stack               the Pulumi stack: reads Pulumi.<name>.yaml at the repository root (default: dev)
  --concurrent-matches  matches expected to run at once per fleet region, besides the warm pool (default: 10)
`;

export const DEFAULT_CONCURRENT_MATCHES = 10;

export interface CliDeps {
  /** Where the Pulumi.<stack>.yaml files are. */
  rootDir: string;
  /** The reader for the stack's home region (the real one: the SDK's default credential chain). */
  readerFor(homeRegion: string): AccountReader;
  out(text: string): void;
  err(text: string): void;
}

function usage(deps: CliDeps, problem: string): 2 {
  deps.err(`${problem}\n${USAGE}`);
  return 2;
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<0 | 1 | 2> {
  let values: { stack?: string; 'concurrent-matches'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      // `pnpm preflight -- --stack dev` passes the `--` along.
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      options: {
        stack: { type: 'string', default: 'dev' },
        'concurrent-matches': { type: 'string', default: String(DEFAULT_CONCURRENT_MATCHES) },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return usage(deps, (error as Error).message);
  }
  if (values.help) {
    deps.out(USAGE);
    return 0;
  }
  const stack = values.stack ?? 'dev';
  if (!/^[\w.-]+$/.test(stack)) return usage(deps, `not a stack name: ${stack}`);
  const matches = Number(values['concurrent-matches']);
  if (!Number.isInteger(matches) || matches < 0) {
    return usage(
      deps,
      `--concurrent-matches must be a whole number >= 0, not ${values['concurrent-matches']}`,
    );
  }
  const file = join(deps.rootDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) return usage(deps, `no stack file ${file} (pulumi stack init ${stack})`);
  let plan: ReturnType<typeof planFromStackFile>;
  try {
    plan = planFromStackFile(stack, readFileSync(file, 'utf8'), matches);
  } catch (error) {
    if (error instanceof StackConfigError) return usage(deps, error.message);
    throw error;
  }
  const results = await runPreflight(deps.readerFor(plan.homeRegion), plan);
  deps.out(formatReport(plan, results));
  return exitCodeOf(results);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const code = await runCli(process.argv.slice(2), {
    rootDir: fileURLToPath(new URL('../..', import.meta.url)),
    readerFor: (home) => awsAccountReader(sdkClients(home), home),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  process.exitCode = code;
}
