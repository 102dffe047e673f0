import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../scripts/build.js';
import { fakeWebSocket } from './fake-socket.js';

/* The publishable build: what an application installing @matchmaking/client gets. */
let js: string;
let dts: string;
let jsPath: string;
let dtsPath: string;
const temp: string[] = [];

beforeAll(async () => {
  ({ js: jsPath, dts: dtsPath } = await buildClient());
  [js, dts] = await Promise.all([readFile(jsPath, 'utf8'), readFile(dtsPath, 'utf8')]);
}, 60_000);
afterAll(() => Promise.all(temp.map((dir) => rm(dir, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-client-'));
  temp.push(dir);
  return dir;
}

/** A consumer of the published types: what must compile, and what must not. */
const CONSUMER = `
import { connect, ClientErrorCode, MatchmakingClientError, type EventOf, type ServerEvent } from './index.js';

export async function play(url: string): Promise<number> {
  const mm = await connect(url, { token: async () => 'jwt', reconnect: { maxAttempts: 3 } });
  const stop = mm.on('matchFound', (found) => console.log(found.teams.home.join(), found.team));
  stop();
  mm.on('reconnected', (info) => console.log(info.attempts, info.lostQueue?.queue));
  const ticket = await mm.joinQueue({ queue: 'ranked', latencies: await mm.measurePings({ tries: 3 }) });
  console.log(ticket.ticketId, ticket.estimatedWaitSeconds);
  const proposal = await mm.once('matchProposed');
  const answer = await mm.acceptMatch(proposal.matchId);
  if (answer.type === 'matchAccepted') console.log(answer.accepted, answer.players);
  for await (const event of mm.events('serverReady', 'matchFinished')) {
    if (event.type === 'serverReady') console.log(event.gameUrl);
    else return event.rating.rating;
  }
  try {
    await mm.getQueueStats('duel');
  } catch (error) {
    if (error instanceof MatchmakingClientError && error.code === ClientErrorCode.Timeout) return -1;
    if (error instanceof MatchmakingClientError && error.code === 'UNKNOWN_QUEUE') return -2;
  }
  const events: ServerEvent[] = [];
  const found: EventOf<'matchFound'> | undefined = undefined;
  console.log(events, found);
  // @ts-expect-error a matchFound has no gameUrl
  mm.on('matchFound', (event) => event.gameUrl);
  // @ts-expect-error region and latencies together
  await mm.joinQueue({ region: 'eu-west-1', latencies: { 'eu-west-1': 20 } });
  // @ts-expect-error no such event
  mm.on('matchStarted', () => {});
  await mm.close();
  return 0;
}
`;

describe('the build (dist/)', () => {
  it('dist/index.js imports nothing: no core, no zod; ws only at run time, by a specifier bundlers leave alone', () => {
    expect(js).not.toMatch(/@matchmaking\/core|zod/);
    expect(js).not.toMatch(/^\s*import\s[^(]/m);
    expect(js).not.toMatch(/require\(/);
    expect(js).toMatch(/await import\(/);
  });

  it('dist/index.d.ts is one self-contained file that a consumer compiles against, strictly, alone', async () => {
    expect(dts).not.toMatch(/^\s*import\s|from\s+['"]|<reference|@matchmaking\/core|zod/m);
    const dir = await tempDir();
    await writeFile(join(dir, 'index.d.ts'), dts);
    await writeFile(join(dir, 'consumer.ts'), CONSUMER);
    const program = ts.createProgram([join(dir, 'consumer.ts')], {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
      typeRoots: [],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
    const files = program
      .getSourceFiles()
      .map((f) => f.fileName)
      .filter((f) => !f.includes('/typescript/lib/'));
    expect(files.sort()).toEqual([join(dir, 'consumer.ts'), join(dir, 'index.d.ts')]);
  });

  it('dist/index.js runs: connect, a request and its answer over a socket', async () => {
    const { connect } = (await import(jsPath)) as typeof import('../src/index.js');
    const fake = fakeWebSocket();
    const mm = await connect('ws://example.test', { token: 't', WebSocket: fake.WebSocket });
    const profile = mm.getProfile();
    fake.sockets[0]?.answer(0, { type: 'profile', rating: 1500 });
    expect(await profile).toMatchObject({ type: 'profile', rating: 1500 });
    await mm.close();
  });

  it('a browser bundle of an app using it holds no ws and no Node module', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'app.js'),
      `import { connect } from ${JSON.stringify(jsPath)}; connect('wss://x', { token: 't' });`,
    );
    const result = await build({
      entryPoints: [join(dir, 'app.js')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const bundle = result.outputFiles[0]?.text ?? '';
    expect(bundle).toContain('MatchmakingClientError');
    expect(bundle).not.toMatch(/WebSocketServer|node:|require\(/);
  });
});
