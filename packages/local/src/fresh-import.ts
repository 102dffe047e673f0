import { register } from 'node:module';

/**
 * Imports a module as a new instance with its own copy of every module of
 * ours it imports (functions/, packages/core...): what a Lambda cold start
 * gives a handler, a fresh module state. ESM keeps one instance per URL, so
 * instance N is loaded as `<url>?cold-start=N`, and a resolve hook passes
 * that query on to every file it imports outside node_modules. node_modules
 * (the AWS SDK, zod...) stay shared: the handlers' state lives in their own
 * modules (SDK clients, caches, lazy dependencies), none in the libraries'.
 *
 * The import goes through tsx's ESM API (a scoped registration, made once), so
 * it is a native Node import that can load TypeScript both under the tsx CLI
 * (`pnpm dev`) and inside Vitest (whose own module runner has no such hooks).
 *
 * ESM modules cannot be unloaded: each instance stays in memory (about 1.5 MB
 * for a handler of ours), so a run with a cold start on every invocation
 * grows by that much per invocation. Meant for tests and short sessions.
 */
export function importFresh(url: string): Promise<unknown> {
  importer ??= setUp();
  generation += 1;
  const fresh = new URL(url);
  fresh.searchParams.set(COLD_START_PARAM, String(generation));
  return importer.then((load) => load(fresh.href));
}

const COLD_START_PARAM = 'cold-start';
let generation = 0;
let importer: Promise<(url: string) => Promise<unknown>> | undefined;

/*
 * Runs in Node's hooks thread (plain JavaScript: it is loaded as a data: URL).
 * Registered after tsx, so it sees tsx's answer (`./x.js` -> `x.ts`) and adds
 * the importer's cold-start number to it; a library in node_modules is left
 * as the plain, shared instance (tsx's namespace removed too).
 */
const PROPAGATE_HOOK = `
const PARAM = ${JSON.stringify(COLD_START_PARAM)};
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const parent = context.parentURL ? new URL(context.parentURL) : undefined;
  const instance = parent && parent.protocol === 'file:' ? parent.searchParams.get(PARAM) : null;
  if (instance === null || !result.url.startsWith('file:')) return result;
  const url = new URL(result.url);
  if (url.pathname.includes('/node_modules/')) {
    url.searchParams.delete('tsx-namespace');
    url.searchParams.delete(PARAM);
  } else {
    url.searchParams.set(PARAM, instance);
  }
  return { ...result, url: url.href };
}
`;

async function setUp(): Promise<(url: string) => Promise<unknown>> {
  const tsx = await import('tsx/esm/api');
  const scope = tsx.register({ namespace: 'matchmaking-cold-start' });
  register(`data:text/javascript,${encodeURIComponent(PROPAGATE_HOOK)}`);
  return (url) => scope.import(url, import.meta.url) as Promise<unknown>;
}
