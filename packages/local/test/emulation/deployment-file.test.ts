import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEPLOYMENT_FILE, DEPLOYMENT_FILE_VARIABLES } from '@matchmaking/functions/env';
import { functions } from '@matchmaking/functions/manifest';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';

/*
 * The large settings (queues, fleets, pool) reach each function as the Pulumi
 * program packages them: in a deployment.json beside its handler
 * ($LAMBDA_TASK_ROOT), holding only those its manifest entry lists.
 */
let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});
const QUEUES = { duel: { teamSize: 1, default: true }, duo: { teamSize: 2 } };

describe("each function's deployment file", () => {
  it('holds exactly the large settings its manifest entry lists, none in the environment', async () => {
    stack = await startTestStack({ regions: ['eu-west-1'], queues: QUEUES });
    const packages = dirname(process.env.LAMBDA_TASK_ROOT as string);
    for (const definition of functions) {
      const file = join(packages, definition.name, DEPLOYMENT_FILE);
      const listed = DEPLOYMENT_FILE_VARIABLES.filter((name) => definition.env.includes(name));
      const keys = existsSync(file) ? Object.keys(JSON.parse(readFileSync(file, 'utf8'))) : [];
      expect(keys.sort(), definition.name).toEqual([...listed].sort());
    }
    for (const name of DEPLOYMENT_FILE_VARIABLES) expect(process.env[name]).toBeUndefined();
    const stopped = stack;
    stack = undefined;
    await stopped.stop();
    expect(readdirSync(dirname(packages)).includes(packages.split('/').pop() as string)).toBe(false);
  });

  it('gives a function that does not list MATCHMAKING_QUEUES only the default queue, as on AWS', async () => {
    const manifest = functions.map((f) =>
      f.name === 'joinQueue' ? { ...f, env: f.env.filter((name) => name !== 'MATCHMAKING_QUEUES') } : f,
    );
    stack = await startTestStack({ regions: ['eu-west-1'], queues: QUEUES, functions: manifest });
    const player = await TestPlayer.connect(stack, 'file-a');
    const refused = await player.request({ action: 'joinQueue', queue: 'duo', region: 'eu-west-1' }, 'error');
    expect(refused).toMatchObject({ code: 'UNKNOWN_QUEUE' });
    await player.close();
  });
});
