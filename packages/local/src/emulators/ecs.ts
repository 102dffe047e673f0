import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GameServerEnv } from '@matchmaking/core/game-server-env';
import { type AccessGuard, refuseAccess } from './aws-auth.js';
import { BodyTooLargeError, readBody, sendJson, tooLarge } from './http-util.js';
import { type LaunchedProcess, ProcessLauncher } from './process-launcher.js';

const ACCOUNT = '000000000000';

/**
 * A task definition's ARN from RunTask's `taskDefinition` (an ARN, family:revision, or a family,
 * which ECS resolves to its latest ACTIVE revision: here always revision 1).
 */
function taskDefinitionArn(region: string, taskDefinition: unknown): string {
  const name = String(taskDefinition);
  if (name.startsWith('arn:')) return name;
  return `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${name.includes(':') ? name : `${name}:1`}`;
}
const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

/** How a task's process is started: the command line, and where. */
export interface GameServerProcess {
  command: string;
  args: string[];
  cwd: string;
  /**
   * Extra environment chosen by whoever starts the stack (never by a RunTask
   * caller), on top of PATH, HOME and the task's container overrides.
   */
  env?: Record<string, string>;
  /** Runs once when the stack starts (the default server builds its bundle here). */
  prepare?: () => Promise<void>;
}

/** Default cap on running tasks (like an account's Fargate quota). */
export const DEFAULT_MAX_RUNNING_TASKS = 16;

/**
 * What RunTask answers when the account's Fargate quota is used up: no task,
 * one failure entry with this reason (HTTP 200, as for any placement failure).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html
 */
export const CAPACITY_FAILURE_REASON =
  'You\u2019ve reached the limit on the number of vCPUs you can run concurrently';

/** The only names a task's container overrides may set: the game server's own variables. */
const ALLOWED_OVERRIDES: ReadonlySet<string> = new Set(Object.values(GameServerEnv));

interface LocalTask {
  taskArn: string;
  clusterArn: string;
  region: string;
  taskDefinitionArn: string;
  startedBy?: string;
  containerName: string;
  environment: Record<string, string>;
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  stoppedReason?: string;
  /** Why it stopped, as ECS classifies it. */
  stopCode?: 'UserInitiated' | 'EssentialContainerExited' | 'TaskFailedToStart';
  exitCode?: number;
  createdAt: number;
  /** When its container started running (and its process was spawned). */
  startedAt?: number;
  stoppedAt?: number;
  process?: LaunchedProcess;
  /** Pending while the task provisions (taskStartSeconds): what spawns its process. */
  provisioning?: NodeJS.Timeout[];
}

export interface EcsOptions {
  process: GameServerProcess;
  /** Receives the EventBridge "ECS Task State Change" event of every task that stops. */
  onTaskStopped: (event: object) => void;
  /** Where task output goes (the dev console, or nowhere in tests). */
  log?: (taskArn: string, line: string) => void;
  /** Tasks that may run at once; RunTask fails beyond (default DEFAULT_MAX_RUNNING_TASKS). */
  maxRunningTasks?: number;
  /** Milliseconds RunTask takes to answer (default 0). */
  runTaskMs?: number;
  /** Seconds from RunTask to the container running: Fargate's provisioning and image pull (default 0). */
  taskStartSeconds?: number;
}

/**
 * ECS as the SDK's RunTask / DescribeTasks / StopTask speak it (AWS JSON 1.1),
 * for every region (taken from the request's SigV4 scope): RunTask starts the
 * game server as a local process with the container overrides as its
 * environment and PORT=0, HOST=127.0.0.1, StopTask sends it SIGTERM, and a
 * process that exits becomes a STOPPED task and an "ECS Task State Change" event.
 *
 * A process gets nothing of the runtime's environment (its AWS keys, the
 * developer's NODE_OPTIONS...): only PATH, HOME, the operator's
 * `GameServerProcess.env` and the overrides, which may name only the game
 * server's variables (GameServerEnv). At most `maxRunningTasks` run at once;
 * beyond, RunTask fails the way ECS does at the Fargate quota.
 *
 * AWS's latencies can be emulated: RunTask answers after `runTaskMs`, and a
 * task stays PROVISIONING, then PENDING (as DescribeTasks shows), for
 * `taskStartSeconds` before its process is spawned and it is RUNNING, as
 * Fargate provisions and pulls the image (30-45 s on AWS). A task stopped
 * meanwhile never gets a process; it stops as ECS stops it (STOPPED, the
 * StopTask reason, its state change event). A provisioning task counts
 * against `maxRunningTasks`, as against the Fargate quota.
 */
export class EcsEmulator {
  readonly tasks = new Map<string, LocalTask>();
  private readonly byClientToken = new Map<string, string>();
  /** Each call's IAM check (the stack sets LocalIam's); none: every call allowed. */
  guard?: AccessGuard;
  /** Tests: how many coming RunTask calls answer with a placement failure. */
  failNextRunTasks = 0;
  /** What the next tasks run (tests swap in misbehaving servers). */
  gameServer: GameServerProcess;

  /** Tasks that may run at once (PROVISIONING, PENDING or RUNNING). */
  maxRunningTasks: number;
  /** Milliseconds RunTask takes to answer. */
  runTaskMs: number;
  /** Seconds a task provisions before its process is spawned. */
  taskStartSeconds: number;
  private closed = false;

  private readonly taskOfProcess = new Map<string, string>();
  private readonly launcher: ProcessLauncher;

  constructor(private readonly options: EcsOptions) {
    this.gameServer = options.process;
    this.maxRunningTasks = options.maxRunningTasks ?? DEFAULT_MAX_RUNNING_TASKS;
    this.runTaskMs = options.runTaskMs ?? 0;
    this.taskStartSeconds = options.taskStartSeconds ?? 0;
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
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return tooLarge(response, { message: 'Request Entity Too Large' });
      return fail(response, 'InvalidParameterException', 'the body is not JSON');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      return fail(response, 'InvalidParameterException', 'the body is not a JSON object');
    const denied = await this.authorize(request, operation, region, input);
    if (denied) return refuseAccess(response, 'ecs', denied);
    if (operation === 'RunTask') {
      if (this.runTaskMs > 0) await new Promise((resolve) => setTimeout(resolve, this.runTaskMs));
      return this.runTask(region, input, response);
    }
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

  /**
   * The IAM checks of a call: RunTask on the task definition in its cluster
   * (condition key ecs:cluster) and iam:PassRole of the task definition's task
   * and execution roles to ECS tasks, which ECS checks for the caller at
   * RunTask; StopTask and DescribeTasks on the task ("Actions, resources, and
   * condition keys for Amazon ECS", Service Authorization Reference).
   */
  private async authorize(
    request: IncomingMessage,
    operation: string,
    region: string,
    input: Record<string, unknown>,
  ): Promise<string | undefined> {
    const guard = this.guard;
    if (!guard) return undefined;
    const cluster = String(input.cluster ?? 'default');
    if (operation === 'RunTask') {
      const clusterArn = `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${cluster}`;
      const denied = await guard(request, 'ecs:RunTask', taskDefinitionArn(region, input.taskDefinition), {
        'ecs:cluster': clusterArn,
      });
      if (denied) return denied;
      for (const role of ['task', 'execution']) {
        const roleArn = `arn:aws:iam::${ACCOUNT}:role/${cluster}-${role}`;
        const passDenied = await guard(request, 'iam:PassRole', roleArn, {
          'iam:PassedToService': 'ecs-tasks.amazonaws.com',
        });
        if (passDenied) return passDenied;
      }
      return undefined;
    }
    if (operation === 'StopTask' || operation === 'DescribeTasks') {
      const tasks = operation === 'StopTask' ? [input.task] : ((input.tasks as unknown[] | undefined) ?? []);
      for (const task of tasks) {
        const arn = String(task).startsWith('arn:')
          ? String(task)
          : `arn:aws:ecs:${region}:${ACCOUNT}:task/${cluster}/${String(task)}`;
        const denied = await guard(request, `ecs:${operation}`, arn);
        if (denied) return denied;
      }
    }
    return undefined;
  }

  /** Stops every task and waits for the processes to exit (Ctrl-C leaves none behind). */
  async stopAll(): Promise<void> {
    for (const task of this.tasks.values())
      if (task.provisioning) this.stop(task, 'local runtime shutting down');
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
    this.closed = true;
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
    const overrides = containerOverrides(input.overrides);
    if (typeof overrides === 'string') {
      fail(response, 'InvalidParameterException', overrides);
      return;
    }
    const override = overrides[0] ?? {};
    if (this.closed) {
      fail(response, 'ServerException', 'the local ECS is shutting down');
      return;
    }
    if (this.failNextRunTasks > 0) {
      this.failNextRunTasks -= 1;
      reply(response, { tasks: [], failures: [{ arn: clusterArn, reason: 'RESOURCE:CPU (injected)' }] });
      return;
    }
    if (this.runningTasks() >= this.maxRunningTasks) {
      reply(response, { tasks: [], failures: [{ arn: clusterArn, reason: CAPACITY_FAILURE_REASON }] });
      return;
    }
    const task: LocalTask = {
      taskArn: `arn:aws:ecs:${region}:${ACCOUNT}:task/${String(input.cluster ?? 'default')}/${randomUUID().replaceAll('-', '')}`,
      clusterArn,
      region,
      taskDefinitionArn: taskDefinitionArn(region, input.taskDefinition),
      startedBy: typeof input.startedBy === 'string' ? input.startedBy : undefined,
      containerName: override.name ?? 'game-server',
      environment: Object.fromEntries((override.environment ?? []).map(({ name, value }) => [name, value])),
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      createdAt: Date.now(),
    };
    this.tasks.set(task.taskArn, task);
    if (clientToken) this.byClientToken.set(clientToken, task.taskArn);
    if (this.taskStartSeconds > 0) this.provision(task, this.taskStartSeconds * 1000);
    else this.start(task);
    reply(response, { tasks: [describe(task)], failures: [] });
  }

  /** PROVISIONING for the first half of the time, PENDING (the image pull) for the rest, then the process. */
  private provision(task: LocalTask, ms: number): void {
    task.provisioning = [
      setTimeout(() => {
        task.lastStatus = 'PENDING';
      }, ms / 2),
      setTimeout(() => {
        task.provisioning = undefined;
        this.start(task);
      }, ms),
    ];
  }

  /** Tasks counted against the cap: every one not yet STOPPED. */
  runningTasks(): number {
    let count = 0;
    for (const task of this.tasks.values()) if (task.lastStatus !== 'STOPPED') count += 1;
    return count;
  }

  private start(task: LocalTask): void {
    const { command, args, cwd, env } = this.gameServer;
    const child = this.launcher.spawn(command, args, cwd, {
      ...baseEnvironment(),
      ...env,
      ...task.environment,
      [GameServerEnv.port]: '0',
      [GameServerEnv.host]: '127.0.0.1',
    });
    this.taskOfProcess.set(child.id, task.taskArn);
    task.process = child;
    task.lastStatus = 'RUNNING';
    task.startedAt = Date.now();
    child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      task.lastStatus = 'STOPPED';
      task.desiredStatus = 'STOPPED';
      task.stoppedAt = Date.now();
      task.exitCode = code ?? (signal ? 128 + 15 : 1);
      task.stoppedReason ??= 'Essential container in task exited';
      task.stopCode ??= 'EssentialContainerExited';
      this.options.onTaskStopped(stateChangeEvent(task));
    });
    child.once('error', (error: Error) => {
      task.stoppedReason = `CannotStartContainerError: ${error.message}`;
    });
  }

  private stop(task: LocalTask, reason: string): void {
    if (task.lastStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stoppedReason ??= reason;
    task.stopCode ??= 'UserInitiated';
    if (task.provisioning) {
      // Stopped before its container ever ran: no process, no exit code; ECS
      // still reports it STOPPED, with the StopTask reason, in a state change event.
      for (const timer of task.provisioning) clearTimeout(timer);
      task.provisioning = undefined;
      task.lastStatus = 'STOPPED';
      task.stoppedAt = Date.now();
      setImmediate(() => this.options.onTaskStopped(stateChangeEvent(task)));
      return;
    }
    if (task.process && task.process.exitCode === null && task.process.signalCode === null)
      task.process.kill('SIGTERM');
  }
}

/** What a process inherits from the runtime: enough to find executables and a home, nothing else. */
function baseEnvironment(): Record<string, string> {
  const names = process.platform === 'win32' ? ['PATH', 'HOME', 'SYSTEMROOT'] : ['PATH', 'HOME'];
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

interface ContainerOverride {
  name?: string;
  environment?: { name: string; value: string }[];
}

/**
 * The container overrides of a RunTask request, or why they are refused:
 * environment names outside GameServerEnv (NODE_OPTIONS, LD_PRELOAD, PATH...)
 * are refused loudly rather than dropped, so a caller's mistake shows at once.
 */
function containerOverrides(overrides: unknown): ContainerOverride[] | string {
  if (overrides === undefined) return [];
  const list = (overrides as { containerOverrides?: unknown } | null)?.containerOverrides;
  if (list === undefined) return [];
  if (!Array.isArray(list)) return 'overrides.containerOverrides must be a list';
  const result: ContainerOverride[] = [];
  for (const entry of list as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return 'each container override must be an object';
    const { name, environment } = entry as { name?: unknown; environment?: unknown };
    if (name !== undefined && typeof name !== 'string') return 'a container override name must be a string';
    if (environment !== undefined && !Array.isArray(environment))
      return 'a container override environment must be a list';
    const variables: { name: string; value: string }[] = [];
    for (const variable of (environment ?? []) as unknown[]) {
      const { name: key, value } = (variable ?? {}) as { name?: unknown; value?: unknown };
      if (typeof key !== 'string' || typeof value !== 'string')
        return 'each environment override needs a string name and value';
      if (!ALLOWED_OVERRIDES.has(key)) {
        return `the local ECS refuses the environment override ${key}: a game server may only be given ${[...ALLOWED_OVERRIDES].join(', ')}`;
      }
      variables.push({ name: key, value });
    }
    result.push({ name, environment: variables });
  }
  return result;
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
    stopCode: task.stopCode,
    createdAt: task.createdAt / 1000,
    startedAt: task.startedAt === undefined ? undefined : task.startedAt / 1000,
    stoppedAt: task.stoppedAt === undefined ? undefined : task.stoppedAt / 1000,
    launchType: 'FARGATE',
    containers: [
      {
        name: task.containerName,
        // A container is PENDING while its task provisions.
        lastStatus: task.lastStatus === 'PROVISIONING' ? 'PENDING' : task.lastStatus,
        exitCode: task.exitCode,
      },
    ],
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
