import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDtsBundle } from 'dts-bundle-generator';
import { build } from 'esbuild';
import ts from 'typescript';
import { protocolDeclarations } from './protocol-types.js';

/**
 * Builds the published package: dist/index.js (ESM, platform neutral, no
 * dependency at all: core is type-only, `ws` is imported at run time only
 * where there is no global WebSocket) and dist/index.d.ts, one file that
 * needs no other package (core's protocol types inlined without zod).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const work = join(root, '.build');

/** The compiler options the published types are checked with: a browser's lib, no Node types. */
const compilerOptions = {
  target: 'ES2022',
  lib: ['ES2023', 'DOM'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  skipLibCheck: true,
  types: [],
};

export async function buildClient(): Promise<{ js: string; dts: string }> {
  await rm(dist, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });

  await build({
    entryPoints: [join(root, 'src/index.ts')],
    outfile: join(dist, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['ws'],
    sourcemap: true,
    logLevel: 'warning',
  });

  // @matchmaking/core resolves to its protocol types written out, so dts-bundle-generator inlines them.
  const parsed = ts.convertCompilerOptionsFromJson(compilerOptions, root);
  const flat = join(work, 'core-protocol.d.ts');
  await writeFile(flat, protocolDeclarations(join(root, 'src/protocol.ts'), parsed.options));
  const tsconfig = join(work, 'tsconfig.json');
  await writeFile(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        ...compilerOptions,
        baseUrl: '.',
        paths: { '@matchmaking/core': ['./core-protocol.d.ts'] },
      },
      include: [relative(work, join(root, 'src'))],
    }),
  );
  const [dts] = generateDtsBundle(
    [
      {
        filePath: join(root, 'src/index.ts'),
        libraries: { allowedTypesLibraries: [], importedLibraries: [] },
        output: { noBanner: true, exportReferencedTypes: false },
      },
    ],
    { preferredConfigPath: tsconfig },
  );
  if (!dts) throw new Error('dts-bundle-generator wrote nothing');
  await writeFile(join(dist, 'index.d.ts'), dts);
  await rm(work, { recursive: true, force: true });
  return { js: join(dist, 'index.js'), dts: join(dist, 'index.d.ts') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { js, dts } = await buildClient();
  console.log(`built ${relative(process.cwd(), js)} and ${relative(process.cwd(), dts)}`);
}
