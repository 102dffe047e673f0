import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationReport, LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';
import { eventually } from '../helpers/wait.js';

/*
 * ECS with AWS's latencies, through the real SDK: RunTask answers after
 * runTaskMs, and a task provisions for taskStartSeconds (PROVISIONING, then
 * PENDING, no process) before its process is spawned and it is RUNNING.
 */
const RUN_TASK_MS = 250;
const TASK_START_SECONDS = 0.6;

let stack: LocalStack;
let ecs: ECSClient;
const reports: InvocationReport[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['us-east-1'],
    teamSize: 1,
    emulate: { runTaskMs: RUN_TASK_MS, taskStartSeconds: TASK_START_SECONDS },
  });
  stack.lambdas.on('invocation', (report) => reports.push(report));
  ecs = new ECSClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${stack.port}`,
    credentials: stack.credentials,
  });
});
afterAll(async () => {
  ecs.destroy();
  await stack.stop();
});

async function runTask(startedBy: string) {
  const run = await ecs.send(
    new RunTaskCommand({ cluster: 'c', taskDefinition: 'game-server', startedBy, clientToken: startedBy }),
  );
  return run;
}

const status = async (taskArn: string) =>
  (await ecs.send(new DescribeTasksCommand({ cluster: 'c', tasks: [taskArn] }))).tasks?.[0];

describe('ECS with emulated latency', () => {
  it('RunTask takes at least runTaskMs to answer', async () => {
    const started = performance.now();
    const run = await runTask('latency-run');
    const took = performance.now() - started;
    expect(run.tasks).toHaveLength(1);
    expect(took).toBeGreaterThanOrEqual(RUN_TASK_MS - 1);
    expect(took).toBeLessThan(RUN_TASK_MS + 5000);
    await ecs.send(new StopTaskCommand({ cluster: 'c', task: run.tasks?.[0]?.taskArn, reason: 'done' }));
  });

  it('a task has no process and is not RUNNING before taskStartSeconds, and runs after', async () => {
    const run = await runTask('latency-start');
    const created = performance.now() - RUN_TASK_MS; // the task is created when RunTask answers
    const taskArn = run.tasks?.[0]?.taskArn as string;
    expect(run.tasks?.[0]?.lastStatus).toBe('PROVISIONING');
    const early = await status(taskArn);
    expect(['PROVISIONING', 'PENDING']).toContain(early?.lastStatus);
    expect(early?.containers?.[0]?.lastStatus).toBe('PENDING');
    expect(stack.ecs.tasks.get(taskArn)?.process).toBeUndefined();
    // It is PENDING (the image pull) in the second half, still without a process.
    await eventually(async () => expect((await status(taskArn))?.lastStatus).not.toBe('PROVISIONING'));
    const pending = stack.ecs.tasks.get(taskArn);
    if (pending?.lastStatus === 'PENDING') expect(pending.process).toBeUndefined();

    await eventually(async () => expect((await status(taskArn))?.lastStatus).toBe('RUNNING'));
    expect(performance.now() - created).toBeGreaterThanOrEqual(TASK_START_SECONDS * 1000 - 1);
    const running = stack.ecs.tasks.get(taskArn);
    expect(running?.process).toBeDefined();
    expect((await status(taskArn))?.startedAt).toBeInstanceOf(Date);
    await ecs.send(new StopTaskCommand({ cluster: 'c', task: taskArn, reason: 'done' }));
    await eventually(() => expect(stack.ecs.tasks.get(taskArn)?.lastStatus).toBe('STOPPED'));
    expect(stack.ecs.tasks.get(taskArn)?.stopCode).toBe('UserInitiated');
  });

  it('StopTask while provisioning stops the task without a process, and its STOPPED event follows', async () => {
    const run = await runTask('latency-stop');
    const taskArn = run.tasks?.[0]?.taskArn as string;
    const stopped = await ecs.send(
      new StopTaskCommand({ cluster: 'c', task: taskArn, reason: 'Match cancelled before start' }),
    );
    expect(stopped.task?.desiredStatus).toBe('STOPPED');
    const described = await status(taskArn);
    expect(described).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedReason: 'Match cancelled before start',
      stopCode: 'UserInitiated',
    });
    expect(described?.containers?.[0]?.exitCode).toBeUndefined();
    // The state change event reaches the task-event function, as EventBridge would deliver it.
    await eventually(() => {
      const event = reports.find(
        (r) =>
          r.name === 'taskStateChange' &&
          (r.event as { detail?: { taskArn?: string } }).detail?.taskArn === taskArn,
      )?.event as { detail: Record<string, unknown> } | undefined;
      expect(event?.detail).toMatchObject({
        lastStatus: 'STOPPED',
        stoppedReason: 'Match cancelled before start',
        startedBy: 'latency-stop',
      });
    });
    // Past its start time it still has no process: nothing was ever started for it.
    await new Promise((resolve) => setTimeout(resolve, TASK_START_SECONDS * 1000 + 100));
    expect(stack.ecs.tasks.get(taskArn)?.process).toBeUndefined();
    expect(stack.ecs.tasks.get(taskArn)?.lastStatus).toBe('STOPPED');
  });

  it('a provisioning task counts against the running-task cap', async () => {
    const before = stack.ecs.runningTasks();
    stack.ecs.maxRunningTasks = before + 1;
    try {
      const first = await runTask('latency-cap-1');
      const taskArn = first.tasks?.[0]?.taskArn as string;
      expect(stack.ecs.tasks.get(taskArn)?.lastStatus).toBe('PROVISIONING');
      const second = await runTask('latency-cap-2');
      expect(second.tasks).toEqual([]);
      expect(second.failures?.[0]?.reason).toMatch(/limit on the number of vCPUs/);
      await ecs.send(new StopTaskCommand({ cluster: 'c', task: taskArn, reason: 'done' }));
    } finally {
      stack.ecs.maxRunningTasks = 16;
    }
  });
});
