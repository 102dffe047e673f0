import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { type FunctionDefinition, functions } from '../src/manifest.js';

const functionsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles one handler into `<outDir>/<name>/index.mjs` (and its source map) for the nodejs22.x
 * runtime (ESM, AWS SDK v3 included so the bundle pins the SDK we tested).
 * Returns the directory to zip. Synchronous so the Pulumi program can call it
 * while declaring resources.
 */
export function bundleFunction(definition: FunctionDefinition, outDir: string): string {
  const dir = join(outDir, definition.name);
  mkdirSync(dir, { recursive: true });
  buildSync({
    entryPoints: [join(functionsDir, definition.entry)],
    outfile: join(dir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    // A linked map file without the sources' text: an inline map with sources was 5.8 MB of a 7 MB
    // bundle, read at every cold start. The map still names the original files and lines
    // (NODE_OPTIONS=--enable-source-maps turns stack traces into them).
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'error',
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return dir;
}

/** `pnpm --filter @matchmaking/functions build`: bundles every function into functions/dist. */
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = join(functionsDir, 'dist');
  for (const definition of functions) console.log(bundleFunction(definition, outDir));
}
