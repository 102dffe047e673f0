import { parseArgs } from 'node:util';
import { readStackSettings } from '../config.js';
import { parsePingDelays } from '../emulators/ping.js';
import { MAX_METRICS_SUMMARY_SECONDS, startLocalStack } from '../stack.js';

const HELP = `pnpm dev [options]: the whole matchmaking product on this machine (listening on 127.0.0.1 only)

  --port <n>           port of the WebSocket API and every local endpoint (default 3001)
  --team-size <n>      serve one queue (\`default\`) with this many players per team, instead of
                       the queues of matchmaking:queues in Pulumi.dev.yaml
  --regions <a,b>      regions served (default: matchmaking:regions in Pulumi.dev.yaml)
  --data-dir <dir>     keep DynamoDB data in this directory (default: in memory)
  --tick-seconds <n>   seconds between ticks: deadlines and window widening (default 5)
  --ready-timeout <n>  seconds a match waits for its server (default 30)
  --max-match <n>      seconds a match may run (default 3600)
  --max-tasks <n>      game servers that may run at once; RunTask fails beyond, as ECS does
                       at the Fargate quota (default 16)
  --warm-servers <n>   idle game servers kept ready per region (the warm pool; default 0: off);
                       a match takes one at once instead of starting one
  --warm-servers-max <n>  the most the pool grows to with demand (default: --warm-servers)
  --ping-delays <region=ms,...>  the round trip each region's ping endpoint emulates (what
                       getPingTargets hands out), e.g. eu-west-1=150 (0-5000 ms; default per
                       region: us-east-1 20, eu-west-1 90, ap-southeast-1 220...)
  --log-level <level>  DEBUG | INFO | WARN | ERROR | SILENT for the handlers (default INFO);
                       DEBUG also shows the metrics' EMF lines
  --metrics-summary-seconds <n>  a one-line summary of the metrics the handlers publish every
                       n seconds (default 60; 0: none; at most 86400, a day)

AWS's latencies, off by default (0), to see what the design costs there:
  --emulate-runtask-ms <n>          milliseconds ECS RunTask takes to answer
  --emulate-task-start-seconds <n>  seconds from RunTask to the game server running (Fargate's
                                    provisioning and image pull: 30-45 s on AWS); may be fractional
  --emulate-dynamodb-ms <n>         milliseconds every DynamoDB call of the handlers takes at least
  --cold-start-every <n>            a cold start of each function every n of its invocations (its
                                    module state is dropped and reloaded; each keeps about 1.5 MB,
                                    as ES modules cannot be unloaded)
  Function timeouts (the matchmaker's 60 s...) are always enforced as Lambda does.

  --no-iam             allow every AWS call: by default each function calls the emulators with its own
                       role and is refused (AccessDenied) what the policy the Pulumi program deploys
                       does not allow it
  -h, --help`;

function nonNegativeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    console.error(`--${name} must be a number of 0 or more, got "${value}"\n\n${HELP}`);
    process.exit(2);
  }
  return number;
}

function positiveInt(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    console.error(`--${name} must be a whole number, got "${value}"\n\n${HELP}`);
    process.exit(2);
  }
  return number;
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        'team-size': { type: 'string' },
        regions: { type: 'string' },
        'data-dir': { type: 'string' },
        'tick-seconds': { type: 'string' },
        'ready-timeout': { type: 'string' },
        'max-match': { type: 'string' },
        'max-tasks': { type: 'string' },
        'warm-servers': { type: 'string' },
        'warm-servers-max': { type: 'string' },
        'ping-delays': { type: 'string' },
        'log-level': { type: 'string' },
        'metrics-summary-seconds': { type: 'string' },
        'emulate-runtask-ms': { type: 'string' },
        'emulate-task-start-seconds': { type: 'string' },
        'emulate-dynamodb-ms': { type: 'string' },
        'cold-start-every': { type: 'string' },
        'no-iam': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
})();
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const settings = readStackSettings();
const logLevel = (values['log-level'] ?? 'INFO').toUpperCase();
if (!['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'].includes(logLevel)) {
  console.error(`--log-level must be DEBUG, INFO, WARN, ERROR or SILENT\n\n${HELP}`);
  process.exit(2);
}
const teamSize = positiveInt('team-size', values['team-size']);
if (teamSize === 0) {
  console.error('--team-size must be at least 1');
  process.exit(2);
}
const maxTasks = positiveInt('max-tasks', values['max-tasks']);
if (maxTasks === 0) {
  console.error('--max-tasks must be at least 1');
  process.exit(2);
}
const metricsSummarySeconds = positiveInt(
  'metrics-summary-seconds',
  values['metrics-summary-seconds'],
  60,
) as number;
if (metricsSummarySeconds > MAX_METRICS_SUMMARY_SECONDS) {
  console.error(
    `--metrics-summary-seconds must be at most ${MAX_METRICS_SUMMARY_SECONDS} (a day; 0 turns the summary off), got ${metricsSummarySeconds}`,
  );
  process.exit(2);
}
const warmServers = positiveInt('warm-servers', values['warm-servers'], 0) as number;
const warmMax = positiveInt('warm-servers-max', values['warm-servers-max']);
if (warmMax !== undefined && warmMax < warmServers) {
  console.error('--warm-servers-max must be at least --warm-servers');
  process.exit(2);
}
let pingDelaysMs: Record<string, number> | undefined;
try {
  pingDelaysMs = values['ping-delays'] === undefined ? undefined : parsePingDelays(values['ping-delays']);
} catch (error) {
  console.error(`--ping-delays: ${(error as Error).message}\n\n${HELP}`);
  process.exit(2);
}
const emulate = {
  runTaskMs: positiveInt('emulate-runtask-ms', values['emulate-runtask-ms'], 0),
  taskStartSeconds:
    nonNegativeNumber('emulate-task-start-seconds', values['emulate-task-start-seconds']) ?? 0,
  dynamoDbMs: positiveInt('emulate-dynamodb-ms', values['emulate-dynamodb-ms'], 0),
  coldStartEvery: positiveInt('cold-start-every', values['cold-start-every'], 0),
};
const stack = await startLocalStack({
  port: positiveInt('port', values.port, 3001),
  ...(teamSize === undefined ? { queues: settings.queues } : { teamSize }),
  regions: values.regions ? values.regions.split(',').map((r) => r.trim()) : settings.regions,
  dataDir: values['data-dir'],
  tickSeconds: positiveInt('tick-seconds', values['tick-seconds'], 5),
  readyTimeoutSeconds: positiveInt('ready-timeout', values['ready-timeout']),
  maxMatchSeconds: positiveInt('max-match', values['max-match']),
  maxTasks,
  warmServers,
  ...(warmMax === undefined ? {} : { warmPool: { max: warmMax } }),
  logLevel: logLevel as 'INFO',
  metricsSummarySeconds,
  emulate,
  pingDelaysMs,
  lobby: true,
  iam: !values['no-iam'],
  onGameServerLog: (taskArn, line) => console.log(`[game-server ${taskArn.slice(-8)}] ${line}`),
}).catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') console.error(`port ${values.port ?? 3001} is in use: try --port <n>`);
  else if (error instanceof Error && error.message.startsWith('pingDelaysMs'))
    console.error(`--ping-delays: ${error.message}`);
  else console.error(error);
  process.exit(1);
});

const e = stack.endpoints;
const emulated = [
  stack.emulate.runTaskMs > 0 ? `RunTask ${stack.emulate.runTaskMs} ms` : '',
  stack.emulate.taskStartSeconds > 0 ? `task start ${stack.emulate.taskStartSeconds} s` : '',
  stack.emulate.dynamoDbMs > 0 ? `DynamoDB ${stack.emulate.dynamoDbMs} ms per call` : '',
  stack.emulate.coldStartEvery > 0 ? `a cold start every ${stack.emulate.coldStartEvery} invocations` : '',
].filter(Boolean);
const queueList = [...stack.queues.queues.values()]
  .map(
    (q) => `${q.name} ${q.teamSize}v${q.teamSize}${q.name === stack.queues.defaultQueue ? ' (default)' : ''}`,
  )
  .join(', ');
const pingTargets = Object.entries(stack.pingDelaysMs)
  .map(([region, ms]) => `${region} ${ms} ms`)
  .join(', ');
const portFlag = stack.port === 3001 ? '' : ` --port ${stack.port}`;
console.log(`
matchmaking is running locally (regions ${stack.regions.join(', ')}; queues ${queueList})

  Lobby (browser)    ${stack.lobbyUrl}
                     (open it in two windows to play a match; the link carries this run's dev key)
  WebSocket API      ${e.websocket}
  @connections API   ${e.connections}
  callback HTTP API  ${e.callbacks}
  JWKS               ${e.jwks}
  dev tokens         POST ${e.devTokens} (needs the run's secret, in ${stack.devTokenFile})
  SQS FIFO queue     ${e.sqs}
  ECS (RunTask)      ${e.ecs} (at most ${stack.ecs.maxRunningTasks} game servers at once)
  warm pool          ${warmServers > 0 ? `${warmServers} idle game server(s) per region, up to ${warmMax ?? warmServers}` : 'off (--warm-servers <n> keeps servers ready)'}
  ping targets       GET ${e.ping}: ${pingTargets} (emulated; --ping-delays)
  DynamoDB           ${e.dynamodb}${values['data-dir'] ? ` (data in ${values['data-dir']})` : ' (in memory)'}
  emulated AWS       ${emulated.length > 0 ? emulated.join(', ') : 'off (no latency, no cold starts)'}; function timeouts enforced
  IAM                ${stack.iam.enforce ? 'enforced: each function may do only what its deployed policy allows (--no-iam: off)' : 'off (--no-iam): every call allowed'}
  metrics summary    ${metricsSummarySeconds > 0 ? `every ${metricsSummarySeconds} s` : 'off'} (--metrics-summary-seconds)

Connect a player (in another terminal):
  wscat -c ws://localhost:${stack.port} -H "Authorization: Bearer $(pnpm -s token alice${portFlag})"
then send: {"action":"joinQueue","region":"${stack.regions[0]}"}
or time each region ({"action":"getPingTargets"}) and join with {"action":"joinQueue","latencies":{"<region>":<ms>,...}}

Ctrl-C stops everything, game servers included.
`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping: closing connections and game servers...');
  await stack.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
