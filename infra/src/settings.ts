import { regionNameSchema } from '@matchmaking/core';
import { envDefaults } from '@matchmaking/functions/env';
import { warmPoolSchema } from '@matchmaking/functions/pool-config';
import { z } from 'zod';

/**
 * The stack's configuration (`pulumi config`, namespace `matchmaking`),
 * validated once with clear errors before any resource is declared.
 */
const positiveInt = z.coerce.number().int().positive();
const nonNegative = z.coerce.number().nonnegative();

export const settingsSchema = z.strictObject({
  /** The region with the API, tables, queue and functions (aws:region). */
  homeRegion: regionNameSchema,
  /** Regions with a game-server fleet; players queue in these. */
  regions: z.array(regionNameSchema).min(1, 'matchmaking:regions must list at least one region'),
  teamSize: positiveInt.max(50).default(Number(envDefaults.TEAM_SIZE)),
  jwtIssuer: z.string().min(1, 'matchmaking:jwtIssuer is required (the `iss` of player tokens)'),
  jwtAudience: z.string().min(1, 'matchmaking:jwtAudience is required (the `aud` of player tokens)'),
  jwksUrl: z.url('matchmaking:jwksUrl must be the https URL of the JSON Web Key Set'),
  /** Messages one player may send per 10 s before its connection is closed (RATE_LIMITED). */
  maxMessagesPerPlayer: positiveInt.default(Number(envDefaults.MAX_MESSAGES_PER_PLAYER)),
  /** A matchmaking pass's budget: matches it records and seconds it spends before a continuation. */
  passMaxMatches: positiveInt.default(Number(envDefaults.PASS_MAX_MATCHES)),
  passBudgetSeconds: positiveInt.max(45).default(Number(envDefaults.PASS_BUDGET_SECONDS)),
  /** Oldest player token accepted (by its iat), in seconds. */
  jwtMaxTokenAgeSeconds: positiveInt.default(Number(envDefaults.JWT_MAX_TOKEN_AGE_SECONDS)),
  ratingWindowInitial: nonNegative.default(Number(envDefaults.RATING_WINDOW_INITIAL)),
  ratingWindowGrowthPerSecond: nonNegative.default(Number(envDefaults.RATING_WINDOW_GROWTH_PER_SECOND)),
  ratingWindowMax: nonNegative.default(Number(envDefaults.RATING_WINDOW_MAX)),
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
  /** Days CloudWatch keeps function, API and game-server logs. */
  logRetentionDays: z.coerce
    .number()
    .refine(
      (days) => [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365].includes(days),
      'not a CloudWatch retention',
    )
    .default(14),
  /** Optional custom domain for the WebSocket API, in this Route 53 hosted zone (certificate made and validated). */
  domainName: z.string().min(3).optional(),
  hostedZoneId: z.string().min(1).optional(),
});
export type Settings = z.output<typeof settingsSchema>;

/** Validates raw configuration; throws one error naming every bad key. */
export function parseSettings(raw: Record<string, unknown>): Settings {
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`,
    );
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
  for (const region of Object.keys(settings.warmPool.regions)) {
    if (!settings.regions.includes(region))
      throw new Error(
        `invalid stack configuration: matchmaking:warmPool.regions names ${region}, which is not in matchmaking:regions`,
      );
  }
  if (settings.ratingWindowMax < settings.ratingWindowInitial) {
    throw new Error('invalid stack configuration: ratingWindowMax must be at least ratingWindowInitial');
  }
  return settings;
}
