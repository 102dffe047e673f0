import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/index.js';
import { sleepingGameServer } from '../helpers/game-servers.js';
import { TestPlayer } from '../helpers/player.js';
import { startTestStack } from '../helpers/stack.js';
import { eventually } from '../helpers/wait.js';

/*
 * Issue A6: every match started a process, with no cap (200 queued players
 * meant 100 game servers, 8.5 GB, load 12 on 2 cores). ECS now has a cap on
 * running tasks, like an account's Fargate quota, and answers RunTask beyond
 * it as ECS does: HTTP 200, no task, one failure whose reason is the quota
 * message (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
 */
let stack: LocalStack;
let ecs: ECSClient;

beforeAll(async () => {
  stack = await startTestStack({ regions: ['eu-west-1'], teamSize: 1, maxTasks: 2 });
  ecs = new ECSClient({
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${stack.port}`,
    credentials: stack.credentials,
  });
});
afterAll(() => stack.stop());

const run = (clientToken: string) =>
  ecs.send(new RunTaskCommand({ cluster: 'c', taskDefinition: 'game-server', clientToken }));

describe('the running-task cap', () => {
  it('RunTask beyond the cap places nothing and reports the Fargate quota; a stopped task frees a slot', async () => {
    const first = await run('cap-1');
    const second = await run('cap-2');
    expect(first.tasks).toHaveLength(1);
    expect(second.tasks).toHaveLength(1);
    const third = await run('cap-3');
    expect(third.tasks).toEqual([]);
    expect(third.failures).toEqual([
      {
        arn: 'arn:aws:ecs:eu-west-1:000000000000:cluster/c',
        reason: 'You’ve reached the limit on the number of vCPUs you can run concurrently',
      },
    ]);
    expect(stack.ecs.runningTasks()).toBe(2);
    const taskArn = first.tasks?.[0]?.taskArn as string;
    await ecs.send(new StopTaskCommand({ cluster: 'c', task: taskArn, reason: 'free a slot' }));
    await eventually(async () => {
      const described = await ecs.send(new DescribeTasksCommand({ cluster: 'c', tasks: [taskArn] }));
      expect(described.tasks?.[0]?.lastStatus).toBe('STOPPED');
    });
    // The same clientToken again is a new attempt (the failed one placed nothing), and now it fits.
    expect((await run('cap-3')).tasks).toHaveLength(1);
    await stack.ecs.stopAll();
  });

  it('a task whose process cannot start stops at once and frees its slot', async () => {
    stack.ecs.gameServer = { command: '/nonexistent/game-server', args: [], cwd: process.cwd() };
    try {
      const started = await run('cannot-start');
      const taskArn = started.tasks?.[0]?.taskArn as string;
      await eventually(() => expect(stack.ecs.tasks.get(taskArn)?.lastStatus).toBe('STOPPED'));
      expect(stack.ecs.tasks.get(taskArn)?.stoppedReason).toMatch(/^CannotStartContainerError/);
      expect(stack.ecs.runningTasks()).toBe(0);
    } finally {
      stack.ecs.gameServer = sleepingGameServer;
    }
  });

  it('twelve queued players never run more game servers than the cap', async () => {
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, stack.ecs.runningTasks());
    }, 5);
    const players = await Promise.all(
      Array.from({ length: 12 }, (_, i) => TestPlayer.connect(stack, `capped-${i}`)),
    );
    for (const player of players)
      await player.request({ action: 'joinQueue', region: 'eu-west-1' }, 'joinedQueue');
    await stack.settled();
    await stack.tick();
    await stack.settled();
    clearInterval(sampler);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
    expect(stack.ecs.runningTasks()).toBeLessThanOrEqual(2);
    await Promise.all(players.map((player) => player.close()));
  });
});
