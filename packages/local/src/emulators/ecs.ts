import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-util.js';
import { type LaunchedProcess, ProcessLauncher } from './process-launcher.js';

const ACCOUNT = '000000000000';
const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

/** How a task's process is started: the command line, and where. */
export interface GameServerProcess {
  command: string;
  args: string[];
  cwd: string;
}

interface LocalTask {
  taskArn: string;
  clusterArn: string;
  region: string;
  taskDefinitionArn: string;
  startedBy?: string;
  containerName: string;
  environment: Record<string, string>;
  lastStatus: 'PROVISIONING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  stoppedReason?: string;
  exitCode?: number;
  createdAt: number;
  process?: LaunchedProcess;
}

export interface EcsOptions {
  process: GameServerProcess;
  /** Receives the EventBridge "ECS Task State Change" event of every task that stops. */
  onTaskStopped: (event: object) => void;
  /** Where task output goes (the dev console, or nowhere in tests). */
  log?: (taskArn: string, line: string) => void;
}

/**
 * ECS as the SDK's RunTask / DescribeTasks / StopTask speak it (AWS JSON 1.1),
 * for every region (taken from the request's SigV4 scope): RunTask starts the
 * game server as a local process with the container overrides as its
 * environment and PORT=0, StopTask sends it SIGTERM, and a process that exits
 * becomes a STOPPED task and an "ECS Task State Change" event.
 */
export class EcsEmulator {
  readonly tasks = new Map<string, LocalTask>();
  private readonly byClientToken = new Map<string, string>();
  /** Tests: how many coming RunTask calls answer with a placement failure. */
  failNextRunTasks = 0;
  /** What the next tasks run (tests swap in misbehaving servers). */
  gameServer: GameServerProcess;

  private readonly taskOfProcess = new Map<string, string>();
  private readonly launcher: ProcessLauncher;

  constructor(private readonly options: EcsOptions) {
    this.gameServer = options.process;
    this.launcher = new ProcessLauncher((id, line) =>
      this.options.log?.(this.taskOfProcess.get(id) ?? id, line),
    );
  }

  matches(request: IncomingMessage): boolean {
    return String(request.headers['x-amz-target'] ?? '').startsWith(TARGET_PREFIX);
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const operation = String(request.headers['x-amz-target']).slice(TARGET_PREFIX.length);
    const region =
      /Credential=[^/]+\/\d+\/([^/]+)\/ecs\//.exec(String(request.headers.authorization))?.[1] ?? 'us-east-1';
    let input: Record<string, unknown>;
    try {
      input = JSON.parse((await readBody(request)).toString('utf8')) as Record<string, unknown>;
    } catch {
      return fail(response, 'InvalidParameterException', 'the body is not JSON');
    }
    if (operation === 'RunTask') return this.runTask(region, input, response);
    if (operation === 'DescribeTasks') {
      const arns = (input.tasks as string[] | undefined) ?? [];
      const found = arns.map((arn) => this.tasks.get(arn)).filter((task) => task !== undefined);
      const failures = arns.filter((arn) => !this.tasks.has(arn)).map((arn) => ({ arn, reason: 'MISSING' }));
      return reply(response, { tasks: found.map(describe), failures });
    }
    if (operation === 'StopTask') {
      const task = this.tasks.get(String(input.task));
      if (!task) return fail(response, 'InvalidParameterException', 'The referenced task was not found.');
      this.stop(task, String(input.reason ?? 'Task stopped by user'));
      return reply(response, { task: describe(task) });
    }
    fail(response, 'InvalidParameterException', `${operation} is not emulated`);
  }

  /** Stops every task and waits for the processes to exit (Ctrl-C leaves none behind). */
  async stopAll(): Promise<void> {
    const running = [...this.tasks.values()].filter(
      (task) => task.process && task.process.exitCode === null && task.process.signalCode === null,
    );
    await Promise.all(
      running.map(
        (task) =>
          new Promise<void>((resolve) => {
            task.process?.once('exit', () => resolve());
            this.stop(task, 'local runtime shutting down');
            setTimeout(() => {
              task.process?.kill('SIGKILL');
              resolve();
            }, 3000).unref();
          }),
      ),
    );
  }

  /** Stops every task, then the launcher (which takes any straggler with it). */
  async close(): Promise<void> {
    await this.stopAll();
    await this.launcher.close();
  }

  private runTask(region: string, input: Record<string, unknown>, response: ServerResponse): void {
    const clientToken = typeof input.clientToken === 'string' ? input.clientToken : undefined;
    const known = clientToken ? this.byClientToken.get(clientToken) : undefined;
    const knownTask = known ? this.tasks.get(known) : undefined;
    if (knownTask) {
      reply(response, { tasks: [describe(knownTask)], failures: [] });
      return;
    }
    const clusterArn = `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${String(input.cluster ?? 'default')}`;
    if (this.failNextRunTasks > 0) {
      this.failNextRunTasks -= 1;
      reply(response, { tasks: [], failures: [{ arn: clusterArn, reason: 'RESOURCE:CPU (injected)' }] });
      return;
    }
    const override = ((input.overrides as { containerOverrides?: object[] } | undefined)
      ?.containerOverrides?.[0] ?? {}) as { name?: string; environment?: { name: string; value: string }[] };
    const task: LocalTask = {
      taskArn: `arn:aws:ecs:${region}:${ACCOUNT}:task/${String(input.cluster ?? 'default')}/${randomUUID().replaceAll('-', '')}`,
      clusterArn,
      region,
      taskDefinitionArn: `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${String(input.taskDefinition)}`,
      startedBy: typeof input.startedBy === 'string' ? input.startedBy : undefined,
      containerName: override.name ?? 'game-server',
      environment: Object.fromEntries((override.environment ?? []).map(({ name, value }) => [name, value])),
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      createdAt: Date.now(),
    };
    this.tasks.set(task.taskArn, task);
    if (clientToken) this.byClientToken.set(clientToken, task.taskArn);
    this.start(task);
    reply(response, { tasks: [describe(task)], failures: [] });
  }

  private start(task: LocalTask): void {
    const { command, args, cwd } = this.gameServer;
    const child = this.launcher.spawn(command, args, cwd, { ...process.env, ...task.environment, PORT: '0' });
    this.taskOfProcess.set(child.id, task.taskArn);
    task.process = child;
    task.lastStatus = 'RUNNING';
    child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      task.lastStatus = 'STOPPED';
      task.desiredStatus = 'STOPPED';
      task.exitCode = code ?? (signal ? 128 + 15 : 1);
      task.stoppedReason ??= 'Essential container in task exited';
      this.options.onTaskStopped(stateChangeEvent(task));
    });
    child.once('error', (error: Error) => {
      task.stoppedReason = `CannotStartContainerError: ${error.message}`;
    });
  }

  private stop(task: LocalTask, reason: string): void {
    task.desiredStatus = 'STOPPED';
    task.stoppedReason ??= reason;
    if (task.process && task.process.exitCode === null && task.process.signalCode === null)
      task.process.kill('SIGTERM');
  }
}

function describe(task: LocalTask): object {
  return {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    startedBy: task.startedBy,
    stoppedReason: task.stoppedReason,
    createdAt: task.createdAt / 1000,
    launchType: 'FARGATE',
    containers: [{ name: task.containerName, lastStatus: task.lastStatus, exitCode: task.exitCode }],
    overrides: {
      containerOverrides: [
        {
          name: task.containerName,
          environment: Object.entries(task.environment).map(([name, value]) => ({ name, value })),
        },
      ],
    },
  };
}

/** The EventBridge event ECS emits when a task stops. */
function stateChangeEvent(task: LocalTask): object {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: task.region,
    resources: [task.taskArn],
    detail: describe(task),
  };
}

function reply(response: ServerResponse, body: unknown): void {
  sendJson(response, 200, body, { 'content-type': 'application/x-amz-json-1.1' });
}

function fail(response: ServerResponse, code: string, message: string): void {
  sendJson(response, 400, { __type: code, message }, { 'content-type': 'application/x-amz-json-1.1' });
}
