import { parseArgs } from 'node:util';
import { readStackSettings } from '../config.js';
import { startLocalStack } from '../stack.js';

const HELP = `pnpm dev [options]: the whole matchmaking product on this machine (listening on 127.0.0.1 only)

  --port <n>           port of the WebSocket API and every local endpoint (default 3001)
  --team-size <n>      players per team (default: matchmaking:teamSize in Pulumi.dev.yaml, else 1)
  --regions <a,b>      regions served (default: matchmaking:regions in Pulumi.dev.yaml)
  --data-dir <dir>     keep DynamoDB data in this directory (default: in memory)
  --tick-seconds <n>   seconds between ticks: deadlines and window widening (default 5)
  --ready-timeout <n>  seconds a match waits for its server (default 30)
  --max-match <n>      seconds a match may run (default 3600)
  --max-tasks <n>      game servers that may run at once; RunTask fails beyond, as ECS does
                       at the Fargate quota (default 16)
  --log-level <level>  DEBUG | INFO | WARN | ERROR | SILENT for the handlers (default INFO)
  -h, --help`;

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
        'log-level': { type: 'string' },
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
const teamSize = positiveInt('team-size', values['team-size'], settings.teamSize) as number;
if (teamSize < 1) {
  console.error('--team-size must be at least 1');
  process.exit(2);
}
const maxTasks = positiveInt('max-tasks', values['max-tasks']);
if (maxTasks === 0) {
  console.error('--max-tasks must be at least 1');
  process.exit(2);
}
const stack = await startLocalStack({
  port: positiveInt('port', values.port, 3001),
  teamSize,
  regions: values.regions ? values.regions.split(',').map((r) => r.trim()) : settings.regions,
  dataDir: values['data-dir'],
  tickSeconds: positiveInt('tick-seconds', values['tick-seconds'], 5),
  readyTimeoutSeconds: positiveInt('ready-timeout', values['ready-timeout']),
  maxMatchSeconds: positiveInt('max-match', values['max-match']),
  maxTasks,
  logLevel: logLevel as 'INFO',
  onGameServerLog: (taskArn, line) => console.log(`[game-server ${taskArn.slice(-8)}] ${line}`),
}).catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  console.error(code === 'EADDRINUSE' ? `port ${values.port ?? 3001} is in use: try --port <n>` : error);
  process.exit(1);
});

const e = stack.endpoints;
const portFlag = stack.port === 3001 ? '' : ` --port ${stack.port}`;
console.log(`
matchmaking is running locally (regions ${stack.regions.join(', ')}, ${stack.teamSize}v${stack.teamSize})

  WebSocket API      ${e.websocket}
  @connections API   ${e.connections}
  callback HTTP API  ${e.callbacks}
  JWKS               ${e.jwks}
  dev tokens         POST ${e.devTokens} (needs the run's secret, in ${stack.devTokenFile})
  SQS FIFO queue     ${e.sqs}
  ECS (RunTask)      ${e.ecs} (at most ${stack.ecs.maxRunningTasks} game servers at once)
  DynamoDB           ${e.dynamodb}${values['data-dir'] ? ` (data in ${values['data-dir']})` : ' (in memory)'}

Connect a player (in another terminal):
  wscat -c ws://localhost:${stack.port} -H "Authorization: Bearer $(pnpm -s token alice${portFlag})"
then send: {"action":"joinQueue","region":"${stack.regions[0]}"}

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
