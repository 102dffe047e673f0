import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { repoRoot } from '../../src/lambda.js';
import { type PlayerEvent, TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * The README's wscat walkthroughs (the party, and play by ping with a ready
 * check), word for word: every frame a player types
 * (`>`) is sent as written, every event it shows (`<`) must arrive with
 * exactly those fields and values. `...` stands for a value that differs per
 * run (ids, times); `,...}` for fields left out. Invite codes and match ids
 * shown in an answer stand for the real ones in the frames that follow. The stack
 * serves Pulumi.dev.yaml's queues and regions, as `pnpm dev` does.
 */
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
function section(name: string): string {
  const start = readme.indexOf(`<!-- ${name}:start -->`);
  const end = readme.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no ${name} section`);
  return readme.slice(start, end);
}

interface Block {
  player: string;
  opens: boolean;
  lines: { dir: '>' | '<'; text: string }[];
}

function blocks(name: string): Block[] {
  const found: Block[] = [];
  for (const [, body] of section(name).matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = (body as string)
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const first = lines[0] as string;
    const opened =
      /^wscat -c ws:\/\/localhost:3001 -H "Authorization: Bearer \$\(pnpm -s token (\w+)\)"$/.exec(first);
    const continued = /^# in (\w+)'s terminal$/.exec(first);
    const player = opened?.[1] ?? continued?.[1];
    if (!player) throw new Error(`a walkthrough block must open a terminal or name one: ${first}`);
    found.push({
      player,
      opens: opened !== null,
      lines: lines.slice(1).map((line) => ({ dir: line[0] as '>' | '<', text: line.slice(2) })),
    });
  }
  return found;
}

const ANY = '<any>';
const MORE = '<more>';
/** An expected event as written: `...` values match anything, `,...}` allows more fields. */
function expected(text: string): unknown {
  const json = text
    .replace(/,\.\.\.\}/g, `,"${MORE}":true}`)
    .replace(/\[\.\.\.\]/g, `"${ANY}"`)
    .replace(/"\.\.\."/g, `"${ANY}"`)
    .replace(/:\.\.\./g, `:"${ANY}"`);
  return JSON.parse(json);
}

/** Compares an event with what the README shows; `teams` sides may be either way round. */
function check(actual: unknown, shown: unknown, bind: Map<string, string>, path = ''): void {
  if (shown === ANY) return;
  if (typeof shown === 'string' && bind.has(shown)) {
    expect(actual, path).toBe(bind.get(shown));
    return;
  }
  if (path === '.teams') {
    const sides = (teams: unknown) =>
      Object.values(teams as Record<string, string[]>).map((t) => [...t].sort().join());
    expect(sides(actual).sort(), path).toEqual(sides(shown).sort());
    return;
  }
  if (Array.isArray(shown) && Array.isArray(actual)) {
    expect(actual.length, path).toBe(shown.length);
    shown.forEach((item, i) => {
      check(actual[i], item, bind, `${path}[${i}]`);
    });
    return;
  }
  if (Array.isArray(shown) || typeof shown !== 'object' || shown === null) {
    expect(actual, path).toEqual(shown);
    return;
  }
  const fields = shown as Record<string, unknown>;
  const keys = Object.keys(fields).filter((key) => key !== MORE);
  if (!fields[MORE]) expect(Object.keys(actual as object).sort(), path).toEqual(keys.sort());
  for (const key of keys)
    check((actual as Record<string, unknown>)[key], fields[key], bind, `${path}.${key}`);
}

/** Example ids the README shows (an invite code, a match id) stand for the ones this run produced. */
const BOUND = ['partyId', 'matchId'] as const;

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack({ regions: ['us-east-1', 'eu-west-1'] });
});
afterAll(() => stack.stop());

async function run(name: string, minSteps: number): Promise<void> {
  const players = new Map<string, TestPlayer>();
  const read = new Map<string, number>();
  const bind = new Map<string, string>();
  const steps = blocks(name);
  expect(steps.length).toBeGreaterThanOrEqual(minSteps);
  for (const block of steps) {
    if (block.opens) players.set(block.player, await TestPlayer.connect(stack, block.player));
    const player = players.get(block.player) as TestPlayer;
    for (const line of block.lines) {
      if (line.dir === '>') {
        let frame = line.text;
        for (const [example, real] of bind) frame = frame.replaceAll(example, real);
        player.send(frame);
        continue;
      }
      const shown = expected(line.text) as PlayerEvent;
      const from = read.get(block.player) ?? 0;
      const event = await player.next(shown.type, from);
      read.set(block.player, player.events.indexOf(event, from) + 1);
      for (const key of BOUND) {
        const example = (shown as Record<string, unknown>)[key];
        if (typeof example === 'string' && example !== ANY && !bind.has(example)) {
          bind.set(example, String(event[key]));
        }
      }
      check(event, shown, bind);
    }
  }
  for (const player of players.values()) await player.close();
}

describe('the README walkthroughs', () => {
  it('the party walkthrough runs word for word against the queues of Pulumi.dev.yaml', async () => {
    await run('party-walkthrough', 6);
  });

  it('the play-by-ping walkthrough (latencies, ready check) runs word for word', async () => {
    await run('ping-walkthrough', 3);
  });
});
