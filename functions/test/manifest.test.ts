import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../scripts/bundle.js';
import { envDefinitions } from '../src/env.js';
import { functions } from '../src/manifest.js';

const outDir = mkdtempSync(join(tmpdir(), 'functions-bundle-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the function manifest', () => {
  it('names unique functions whose environment variables all exist', () => {
    expect(new Set(functions.map((f) => f.name)).size).toBe(functions.length);
    for (const definition of functions) {
      for (const name of definition.env) expect(Object.keys(envDefinitions)).toContain(name);
    }
  });

  it('bundles every function for nodejs22.x into a module that plain node loads and that exports a handler', () => {
    const files = functions.map((definition) => join(bundleFunction(definition, outDir), 'index.mjs'));
    for (const file of files) expect(statSync(file).size).toBeGreaterThan(1000);
    // Loaded by plain node (no TypeScript loader), as Lambda would.
    const script = `const files = ${JSON.stringify(files.map((f) => pathToFileURL(f).href))};
      Promise.all(files.map((f) => import(f).then((m) => typeof m.handler))).then((t) => console.log(JSON.stringify(t)));`;
    const types = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      }),
    ) as string[];
    expect(types).toEqual(functions.map(() => 'function'));
  });

  it("bundles no IAM policy engine: iam-simulate (AGPL) is only the local runtime's and the tests'", () => {
    for (const definition of functions) {
      const code = readFileSync(join(outDir, definition.name, 'index.mjs'), 'utf8'); // bundled above
      expect(code, definition.name).not.toContain('iam-simulate');
      expect(code, definition.name).not.toContain('cloud-copilot');
    }
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies).some((name) => name.startsWith('@cloud-copilot/'))).toBe(false);
  });

  it('reserves concurrency for no function: locally as on a stack without matchmaking:reservedConcurrency', () => {
    expect(functions.filter((definition) => definition.reservedConcurrency !== undefined)).toEqual([]);
  });

  it('ships a linked source map without the sources: no inline map read at every cold start (it was 5.8 MB of 7 MB)', () => {
    for (const definition of functions) {
      const dir = join(outDir, definition.name);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code).not.toContain('sourceMappingURL=data:');
      expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
      expect(statSync(join(dir, 'index.mjs')).size, definition.name).toBeLessThan(2 * 1024 * 1024);
      const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as {
        sourcesContent?: unknown;
      };
      expect(map.sourcesContent).toBeUndefined();
    }
  });
});
