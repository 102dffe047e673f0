import { regionNameSchema } from '@matchmaking/core';
import { envDefaults, envDefinitions } from '@matchmaking/functions/env';
import { warmPoolSchema } from '@matchmaking/functions/pool-config';
import { type QueuesInput, queuesSchema } from '@matchmaking/functions/queue-config';
import { z } from 'zod';

/**
 * The stack's configuration (`pulumi config`, namespace `matchmaking`),
 * validated once with clear errors before any resource is declared.
 */
const positiveInt = z.coerce.number().int().positive();
/** The functions' own default queues (MATCHMAKING_QUEUES unset): one 1v1 queue. */
const DEFAULT_QUEUES = JSON.parse(envDefaults.MATCHMAKING_QUEUES ?? '{}') as QueuesInput;

/**
 * `matchmaking:queues`, validated by the functions' own schema but kept as configured: the
 * functions fill in the same defaults, and a Lambda's variables share 4 KB (20 queues written
 * out in full would nearly fill it). `pnpm dev` passes it the same way.
 */
function queuesSetting() {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): QueuesInput => {
      const queues = value ?? DEFAULT_QUEUES;
      const parsed = queuesSchema.safeParse(queues);
      if (parsed.success) return queues as QueuesInput;
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    });
}

export const settingsSchema = z.strictObject({
  /** The region with the API, tables, queue and functions (aws:region). */
  homeRegion: regionNameSchema,
  /** Regions with a game-server fleet; players queue in these. */
  regions: z.array(regionNameSchema).min(1, 'must list at least one region'),
  /**
   * The game modes: `{<queue>: {teamSize, ratingWindow: {initial, growthPerSecond, max},
   * maxWaitSeconds, partyRating: mean|max, default}}`, exactly one `default: true` unless there is
   * only one (queue-config.ts). Unset: the functions' default, one 1v1 queue.
   */
  queues: queuesSetting(),
  /**
   * The URL clients time per region (getPingTargets, PING_URL_TEMPLATE): http(s) with `{region}`
   * and optionally `{dnsSuffix}`. Unset: DynamoDB's regional `/ping` (functions/src/regions/ping-url.ts).
   */
  pingUrlTemplate: envDefinitions.PING_URL_TEMPLATE.schema.default(envDefaults.PING_URL_TEMPLATE as string),
  jwtIssuer: z.string().min(1, 'is required (the `iss` of player tokens)'),
  jwtAudience: z.string().min(1, 'is required (the `aud` of player tokens)'),
  jwksUrl: z.url('must be the https URL of the JSON Web Key Set'),
  /** Messages one player may send per 10 s before its connection is closed (RATE_LIMITED). */
  maxMessagesPerPlayer: positiveInt.default(Number(envDefaults.MAX_MESSAGES_PER_PLAYER)),
  /** A matchmaking pass's budget: matches it records and seconds it spends before a continuation. */
  passMaxMatches: positiveInt.default(Number(envDefaults.PASS_MAX_MATCHES)),
  passBudgetSeconds: positiveInt.max(45).default(Number(envDefaults.PASS_BUDGET_SECONDS)),
  /** Oldest player token accepted (by its iat), in seconds. */
  jwtMaxTokenAgeSeconds: positiveInt.default(Number(envDefaults.JWT_MAX_TOKEN_AGE_SECONDS)),
  readyTimeoutSeconds: positiveInt.default(Number(envDefaults.READY_TIMEOUT_SECONDS)),
  maxMatchSeconds: positiveInt.default(Number(envDefaults.MAX_MATCH_SECONDS)),
  /** Seconds a game server waits with no player connected before it ends the match unplayed. */
  gameServerIdleSeconds: positiveInt.default(Number(envDefaults.GAME_SERVER_IDLE_SECONDS)),
  /** Game-server task size (Fargate) and port. */
  gameServerCpu: z.enum(['256', '512', '1024', '2048', '4096']).default('256'),
  gameServerMemory: positiveInt.default(512),
  gameServerPort: positiveInt.max(65535).default(7777),
  /**
   * The warm pool: `{default: {idle, max}, regions: {<region>: {idle, max}}, leadSeconds}`
   * (idle servers kept ready per region, and the most demand may grow them to). Unset: the
   * schema's own defaults, the pool off in every region.
   */
  warmPool: warmPoolSchema.prefault({}),
  /** Seconds between a warm server's heartbeats (three missed: stopped). */
  warmServerHeartbeatSeconds: z.coerce
    .number()
    .positive()
    .max(300)
    .default(Number(envDefaults.WARM_SERVER_HEARTBEAT_SECONDS)),
  /** Seconds an assigned warm server has to take its match before another (or a cold start) gets it. */
  warmAssignTimeoutSeconds: z.coerce
    .number()
    .positive()
    .max(8)
    .default(Number(envDefaults.WARM_ASSIGN_TIMEOUT_SECONDS)),
  /** Seconds a launched warm server has to register (Fargate's start included). */
  warmServerRegisterSeconds: positiveInt.default(Number(envDefaults.WARM_SERVER_REGISTER_SECONDS)),
  /** Matches a warm server plays before it exits (1: a fresh task per match). */
  warmServerMatches: positiveInt.max(1000).default(Number(envDefaults.WARM_SERVER_MATCHES)),
  /** Run game servers on Fargate Spot (cheaper; a reclaimed task ends its match as abandoned). */
  fargateSpot: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')])
    .default(false),
  /**
   * Concurrency reserved for the matchmaker. Off by default: a new account's
   * Lambda concurrency quota is 10, and AWS refuses a reservation that leaves
   * fewer than 10 unreserved ("Lambda quotas"). Raise the quota first
   * (`pnpm preflight` says how), then reserve, e.g. 5.
   */
  reservedConcurrency: positiveInt.max(1000).optional(),
  /**
   * The WebSocket stage's access logs. They need the region's API Gateway
   * account setting `cloudwatchRoleArn` ("Set up CloudWatch logging for
   * WebSocket APIs"): `off` (default), `existing` (the account has the role
   * already: `pnpm preflight` checks), or `create` (this stack creates the role
   * and the region's aws.apigateway.Account: a region-wide singleton, so only
   * one stack per account and region may say `create`, or two stacks fight).
   */
  accessLogs: z.enum(['off', 'existing', 'create']).default('off'),
  /**
   * Protect the players (ratings) and matches tables: DynamoDB deletion
   * protection, point-in-time recovery, and Pulumi `protect`, so a rename, a
   * key change or a `pulumi destroy` cannot delete them. Default true; set
   * false only on a throwaway stack (README: destroying a stack on purpose).
   */
  protectData: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')])
    .default(true),
  /**
   * Pre-warmed throughput of the hot tables (tickets, players, matches, connections): a new
   * on-demand table serves about 4,000 writes and 12,000 reads per second at once and only grows
   * past that as it scales ("DynamoDB warm throughput"). A launch expecting a burst of 1,000
   * joins/s (about 5 writes each) sets e.g. `{writeUnitsPerSecond: 10000}` before it; a one-time
   * charge, and a base table's warm throughput can never be lowered. Unset: AWS's defaults.
   */
  tableWarmThroughput: z
    .strictObject({
      writeUnitsPerSecond: positiveInt.min(4000).max(40_000).optional(),
      readUnitsPerSecond: positiveInt.min(12_000).max(120_000).optional(),
    })
    .optional(),
  /** Days CloudWatch keeps function, API and game-server logs. */
  logRetentionDays: z.coerce
    .number()
    .refine(
      (days) => [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365].includes(days),
      'not a CloudWatch retention',
    )
    .default(14),
  /**
   * What pages an operator (the alarms; see home/alarms.ts): the time-to-match p95 limit per
   * queue and region, and where alarms are sent besides the stack's own SNS topic (an e-mail
   * address subscribed to it, an existing topic in the home region).
   */
  alarms: z
    .strictObject({
      timeToMatchP95Seconds: z.coerce.number().positive().max(86_400).default(60),
      email: z.email('must be an e-mail address').optional(),
      topicArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, 'must be an SNS topic ARN')
        .optional(),
    })
    .prefault({}),
  /** Optional custom domain for the WebSocket API, in this Route 53 hosted zone (certificate made and validated). */
  domainName: z.string().min(3).optional(),
  hostedZoneId: z.string().min(1).optional(),
});
export type Settings = z.output<typeof settingsSchema>;

/** Stack settings that are gone, and what replaced them: a stack still setting one is refused. */
export const REMOVED_KEYS: Readonly<Record<string, string>> = {
  'matchmaking:teamSize': 'matchmaking:queues (each queue has its teamSize)',
  'matchmaking:ratingWindowInitial': 'matchmaking:queues (each queue has its ratingWindow.initial)',
  'matchmaking:ratingWindowGrowthPerSecond':
    'matchmaking:queues (each queue has its ratingWindow.growthPerSecond)',
  'matchmaking:ratingWindowMax': 'matchmaking:queues (each queue has its ratingWindow.max)',
};

/**
 * Refuses a stack configuration (all its keys, `pulumi.runtime.allConfig()`)
 * that sets a `matchmaking:` key the program does not read: a removed one
 * (naming its replacement) or a misspelled one (`matchmaking:warmpool` would
 * otherwise be silently ignored, and the pool silently off).
 */
export function refuseRemovedKeys(keys: readonly string[]): void {
  const known = new Set(
    Object.keys(settingsSchema.shape)
      .filter((name) => name !== 'homeRegion') // aws:region
      .map((name) => `matchmaking:${name}`),
  );
  const problems = keys
    .filter((key) => key.startsWith('matchmaking:') && !known.has(key))
    .map((key) =>
      key in REMOVED_KEYS
        ? `${key} is no longer read: use ${REMOVED_KEYS[key]}`
        : `${key}: not a setting${closest(key, [...known])}`,
    );
  if (problems.length > 0) throw new Error(`invalid stack configuration: ${problems.join('; ')}`);
}

/** ` (did you mean matchmaking:warmPool?)` for a key that differs from a setting only in case. */
function closest(key: string, known: readonly string[]): string {
  const match = known.find((name) => name.toLowerCase() === key.toLowerCase());
  return match ? ` (did you mean ${match}?)` : '';
}

/** The stack setting at `path`: `aws:region`, `matchmaking:queues.squad.teamSize`. */
function keyOf(path: readonly PropertyKey[]): string {
  const [top, ...rest] = path.map(String);
  if (top === undefined) return 'matchmaking';
  return [top === 'homeRegion' ? 'aws:region' : `matchmaking:${top}`, ...rest].join('.');
}

/** What is wrong, naming the setting it is about. */
function describeIssue(issue: z.core.$ZodIssue): string {
  // Settings nobody reads (a typo, or a removed one): each named, a removed one with its replacement.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((name) => {
        const key = keyOf([...issue.path, name]);
        const replacement = REMOVED_KEYS[key];
        return replacement ? `${key} is no longer read: use ${replacement}` : `${key}: not a setting`;
      })
      .join('; ');
  }
  // A bad record key (a queue or region name): the key's own problems say why.
  if (issue.code === 'invalid_key') {
    return `${keyOf(issue.path)}: not a valid name: ${issue.issues.map((i) => i.message).join('; ')}`;
  }
  return `${keyOf(issue.path)}: ${issue.message}`;
}

/** Validates raw configuration; throws one error naming every bad key. */
export function parseSettings(raw: Record<string, unknown>): Settings {
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(describeIssue);
    throw new Error(`invalid stack configuration: ${problems.join('; ')}`);
  }
  const settings = parsed.data;
  if ((settings.domainName === undefined) !== (settings.hostedZoneId === undefined)) {
    throw new Error(
      'invalid stack configuration: matchmaking:domainName needs matchmaking:hostedZoneId (its Route 53 zone), and the other way round',
    );
  }
  if (new Set(settings.regions).size !== settings.regions.length) {
    throw new Error('invalid stack configuration: matchmaking:regions lists a region twice');
  }
  const topicRegion = settings.alarms.topicArn?.split(':')[3];
  if (topicRegion !== undefined && topicRegion !== settings.homeRegion) {
    throw new Error(
      `invalid stack configuration: matchmaking:alarms.topicArn is in ${topicRegion}: alarms can only notify a topic of the home region (aws:region ${settings.homeRegion})`,
    );
  }
  for (const region of Object.keys(settings.warmPool.regions)) {
    if (!settings.regions.includes(region))
      throw new Error(
        `invalid stack configuration: matchmaking:warmPool.regions names ${region}, which is not in matchmaking:regions`,
      );
  }
  return settings;
}
