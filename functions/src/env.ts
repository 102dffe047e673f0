import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { regionNameSchema } from '@matchmaking/core';
import { z } from 'zod';
import { warmPoolSchema } from './pool/pool-config.js';
import { queuesSchema } from './queues/queue-config.js';
import { DEFAULT_PING_URL_TEMPLATE, pingUrlTemplateSchema } from './regions/ping-url.js';

/**
 * Every environment variable a Lambda function reads: its name, what it means
 * and how it is validated. The Pulumi program sets exactly these (per function,
 * see manifest.ts) and the local runtime sets them for `pnpm dev`; this is the
 * one definition both use. No other module reads `process.env`.
 */
const positiveInt = z.coerce.number().int().positive();
const csvList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** A variable holding JSON, checked against `schema` ('must be JSON' when it does not parse). */
function jsonText<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const fleetSchema = z.strictObject({
  cluster: z.string().min(1),
  taskDefinition: z.string().min(1),
  containerName: z.string().min(1),
  subnets: z.array(z.string().min(1)),
  securityGroups: z.array(z.string().min(1)),
  assignPublicIp: z.boolean().default(true),
  capacityProvider: z.string().min(1).optional(),
});
export type Fleet = z.infer<typeof fleetSchema>;

export const envDefinitions = {
  CONNECTIONS_TABLE: { description: 'DynamoDB table: connection id -> user id', schema: z.string().min(3) },
  PLAYERS_TABLE: {
    description: 'DynamoDB table: user id -> rating, region, status, match',
    schema: z.string().min(3),
  },
  TICKETS_TABLE: {
    description: 'DynamoDB table: waiting queue tickets, keyed by region',
    schema: z.string().min(3),
  },
  MATCHES_TABLE: { description: 'DynamoDB table: matches, keyed by match id', schema: z.string().min(3) },
  SERVERS_TABLE: {
    description: 'DynamoDB table: warm-pool game servers, keyed by server id',
    schema: z.string().min(3),
  },
  WARM_POOL: {
    description:
      'JSON: the warm pool per region, {"default":{"idle":N,"max":M},"regions":{"<region>":{...}},"leadSeconds":60}; idle 0 and max 0 turn it off',
    schema: jsonText(warmPoolSchema),
  },
  WARM_SERVER_HEARTBEAT_SECONDS: {
    description:
      "Seconds between a warm server's heartbeats; a server silent for three of them is never assigned and is stopped",
    schema: z.coerce.number().positive().max(300),
  },
  WARM_ASSIGN_TIMEOUT_SECONDS: {
    description:
      "Seconds an assigned warm server has to take its match before it is marked bad and the match goes to another server or a cold start (at most 8: a match tries 3 servers within the starter's 30 s timeout)",
    schema: z.coerce.number().positive().max(8),
  },
  WARM_SERVER_REGISTER_SECONDS: {
    description:
      'Seconds a launched warm server has to register (Fargate start included) before it is stopped',
    schema: positiveInt,
  },
  WARM_SERVER_MATCHES: {
    description:
      'Matches a warm server plays before it exits (1: a fresh process per match; more: it returns to the pool after each)',
    schema: positiveInt.max(1000),
  },
  PARTIES_TABLE: {
    description: 'DynamoDB table: parties by invite code (members, leader)',
    schema: z.string().min(3),
  },
  MATCHMAKER_TABLE: {
    description: "DynamoDB table: the matchmaker's own state (the pass epoch)",
    schema: z.string().min(3),
  },
  MATCHMAKING_QUEUE_URL: {
    description: 'URL of the FIFO queue that serialises matchmaking passes',
    schema: z.url().refine((url) => url.endsWith('.fifo'), 'must be a FIFO queue URL ending in .fifo'),
  },
  MATCH_START_QUEUE_URL: {
    description:
      'URL of the FIFO queue (one message group per match) that hands recorded matches to the match starter',
    schema: z.url().refine((url) => url.endsWith('.fifo'), 'must be a FIFO queue URL ending in .fifo'),
  },
  PASS_MAX_MATCHES: {
    description: 'Matches one matchmaking pass records at most; the rest go to a continuation pass',
    schema: positiveInt,
  },
  PASS_BUDGET_SECONDS: {
    description:
      'Seconds one matchmaking pass may spend recording matches before it asks for a continuation (well under the 60 s function timeout)',
    schema: positiveInt,
  },
  WEBSOCKET_MANAGEMENT_ENDPOINT: {
    description:
      'The @connections management endpoint of the WebSocket API stage (https://{api}.execute-api.{region}.amazonaws.com/{stage})',
    schema: z.url(),
  },
  CALLBACK_BASE_URL: { description: 'Base URL of the game-server callback HTTP API', schema: z.url() },
  JWT_ISSUER: { description: 'Expected `iss` of player tokens', schema: z.string().min(1) },
  JWT_AUDIENCE: { description: 'Expected `aud` of player tokens', schema: z.string().min(1) },
  JWKS_URL: { description: 'URL of the JSON Web Key Set that signs player tokens', schema: z.url() },
  JWT_MAX_TOKEN_AGE_SECONDS: {
    description: 'Oldest player token accepted, by its `iat` (tokens must also carry `exp`)',
    schema: positiveInt,
  },
  MATCHMAKING_REGIONS: {
    description: 'Comma-separated regions players may queue in (each has a game-server fleet)',
    schema: csvList.pipe(z.array(regionNameSchema).min(1, 'must name at least one region')),
  },
  PING_URL_TEMPLATE: {
    description:
      'The URL clients time per served region (getPingTargets): http(s), with {region} and optionally {dnsSuffix} (amazonaws.com, amazonaws.com.cn in China)',
    schema: pingUrlTemplateSchema,
  },
  MATCHMAKING_QUEUES: {
    description:
      'JSON: the game modes, {"<queue>":{"teamSize":N,"ratingWindow":{"initial":100,"growthPerSecond":10,"max":600},"maxWaitSeconds":300,"partyRating":"mean","default":true},...}',
    schema: jsonText(queuesSchema),
  },
  GAME_SERVER_FLEETS: {
    description:
      'JSON: region -> { cluster, taskDefinition, containerName, subnets, securityGroups, assignPublicIp }',
    schema: jsonText(z.record(regionNameSchema, fleetSchema)),
  },
  READY_TIMEOUT_SECONDS: {
    description: 'Seconds a started match may wait for its server ready callback',
    schema: positiveInt,
  },
  MAX_MATCH_SECONDS: { description: 'Seconds a match may run before it is abandoned', schema: positiveInt },
  MAX_MESSAGES_PER_PLAYER: {
    description:
      'Messages one player may send per 10 seconds, over all its connections; past it the player gets RATE_LIMITED and that connection is closed',
    schema: positiveInt,
  },
  GAME_SERVER_IDLE_SECONDS: {
    description:
      'Seconds a game server waits with no player connected (from start, or since the last one left) before it ends the match unplayed',
    schema: positiveInt,
  },
  METRICS_DEPLOYMENT: {
    description:
      'The `deployment` dimension of every metric (namespace Matchmaking): the Pulumi program sets its resource prefix, matchmaking-<stack>',
    schema: z.string().min(1).max(255),
  },
} as const;

export type EnvName = keyof typeof envDefinitions;
export type Config<N extends EnvName> = { [K in N]: z.output<(typeof envDefinitions)[K]['schema']> };

/** Defaults the Pulumi program and the local runtime use when the user sets nothing. */
export const envDefaults: Partial<Record<EnvName, string>> = {
  MATCHMAKING_QUEUES: JSON.stringify({ duel: { teamSize: 1 } }),
  PING_URL_TEMPLATE: DEFAULT_PING_URL_TEMPLATE,
  READY_TIMEOUT_SECONDS: '120',
  MAX_MATCH_SECONDS: '3600',
  GAME_SERVER_IDLE_SECONDS: '120',
  JWT_MAX_TOKEN_AGE_SECONDS: '86400',
  MAX_MESSAGES_PER_PLAYER: '20',
  PASS_MAX_MATCHES: '1000',
  PASS_BUDGET_SECONDS: '20',
  WARM_POOL: '{}',
  WARM_SERVER_HEARTBEAT_SECONDS: '5',
  WARM_ASSIGN_TIMEOUT_SECONDS: '3',
  WARM_SERVER_REGISTER_SECONDS: '180',
  WARM_SERVER_MATCHES: '1',
  METRICS_DEPLOYMENT: 'matchmaking',
};

/**
 * Settings too large for Lambda's 4 KB of environment variables (a fleet per
 * region, a queue per game mode, the pool per region): the Pulumi program
 * writes them into the function's deployment package instead, as
 * DEPLOYMENT_FILE beside the handler, and `loadConfig` reads them from
 * there ($LAMBDA_TASK_ROOT, which Lambda sets to the package's directory).
 */
export const DEPLOYMENT_FILE_VARIABLES = ['GAME_SERVER_FLEETS', 'MATCHMAKING_QUEUES', 'WARM_POOL'] as const;
export const DEPLOYMENT_FILE = 'deployment.json';

const deploymentFiles = new Map<string, Record<string, string>>();

/** The deployment file's variables (read once per path): none without LAMBDA_TASK_ROOT or the file. */
function deploymentFile(env: Record<string, string | undefined>): Record<string, string> {
  const root = env.LAMBDA_TASK_ROOT;
  if (!root) return {};
  const path = join(root, DEPLOYMENT_FILE);
  let values = deploymentFiles.get(path);
  if (!values) {
    values = existsSync(path) ? parseDeploymentFile(readFileSync(path, 'utf8'), path) : {};
    deploymentFiles.set(path, values);
  }
  return values;
}

function parseDeploymentFile(text: string, path: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`bad configuration: ${path} is not JSON`);
  }
  const parsed = z.record(z.string(), z.string()).safeParse(json);
  if (!parsed.success) throw new ConfigError(`bad configuration: ${path} must be a JSON object of strings`);
  return parsed.data;
}

/** One problem, naming where it is inside a JSON value (`squad.teamSize: ...`) and, for a bad key, why. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const nested = 'issues' in issue && Array.isArray(issue.issues) ? issue.issues : [];
  const reason =
    nested.length > 0 ? `${issue.message} (${nested.map((i) => i.message).join('; ')})` : issue.message;
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${reason}` : reason;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the named variables once (per cold start), from the
 * environment or, for DEPLOYMENT_FILE_VARIABLES, the deployment file; names
 * every missing or bad one.
 */
export function loadConfig<N extends EnvName>(
  names: readonly N[],
  env: Record<string, string | undefined> = process.env,
): Config<N> {
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  const file = names.some((name) => (DEPLOYMENT_FILE_VARIABLES as readonly string[]).includes(name))
    ? deploymentFile(env)
    : {};
  for (const name of names) {
    const raw = env[name] ?? file[name] ?? envDefaults[name];
    if (raw === undefined || raw === '') {
      problems.push(`${name} is not set (${envDefinitions[name].description})`);
      continue;
    }
    const parsed = envDefinitions[name].schema.safeParse(raw);
    if (parsed.success) config[name] = parsed.data;
    else problems.push(`${name} is invalid: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`bad configuration: ${problems.join('; ')}`);
  return config as Config<N>;
}
