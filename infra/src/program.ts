import type { EnvName } from '@matchmaking/functions/env';
import { functions } from '@matchmaking/functions/manifest';
import { type TableEnvName, tableVariables } from '@matchmaking/functions/tables';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { environmentSizes, longestCreatedValues, refuseOversizedEnvironments } from './environment.js';
import { createFleet } from './fleet/fleet.js';
import { createCallbackApi, wireCallbackApi } from './home/callback-api.js';
import { createFunctions, type DeployedFunctions, RUNTIME_VARIABLES } from './home/functions.js';
import { createMonitoring } from './home/monitoring.js';
import { createMatchmakingQueue, createMatchStartQueue } from './home/queue.js';
import { createTables } from './home/tables.js';
import { connectQueue, connectSchedules, connectTaskEvents } from './home/triggers.js';
import { createWebSocketApi, STAGE, wireWebSocketApi } from './home/websocket-api.js';
import type { AccessTargets } from './iam.js';
import type { Settings } from './settings.js';

export interface ProgramOptions {
  /** Resource name prefix, e.g. `matchmaking-dev`. */
  prefix: string;
  repoRoot: string;
  buildDir: string;
}

/**
 * The whole deployment: a game-server fleet in every configured region, and
 * in the home region the WebSocket API, the callback API, the tables, the
 * FIFO queue and the functions, all wired from the function manifest.
 */
export function createMatchmaking(settings: Settings, options: ProgramOptions) {
  const { prefix } = options;
  // Before anything is declared: a function whose variables AWS would refuse stops the program here.
  refuseUndeployableEnvironments(settings, prefix);
  const home = new aws.Provider(`${prefix}-home`, { region: settings.homeRegion as aws.Region });
  const opts = { provider: home };
  const fleets = settings.regions.map((region) =>
    createFleet(
      {
        prefix,
        region,
        homeRegion: settings.homeRegion,
        repoRoot: options.repoRoot,
        cpu: settings.gameServerCpu,
        memory: settings.gameServerMemory,
        port: settings.gameServerPort,
        fargateSpot: settings.fargateSpot,
        logRetentionDays: settings.logRetentionDays,
      },
      undefined,
    ),
  );
  const tables = createTables(prefix, settings.protectData, opts, settings.tableWarmThroughput);
  // Each queue's visibility follows its consumer's timeout (the manifest's).
  const timeoutOf = (kind: 'matchmakingQueue' | 'matchStartQueue') =>
    functions.find((definition) => definition.trigger.kind === kind)?.timeoutSeconds ?? 60;
  const { queue, deadLetters } = createMatchmakingQueue(prefix, timeoutOf('matchmakingQueue'), opts);
  const starts = createMatchStartQueue(prefix, timeoutOf('matchStartQueue'), opts);
  const websocketApi = createWebSocketApi(prefix, opts);
  const callbackApi = createCallbackApi(prefix, opts);
  const identity = aws.getCallerIdentityOutput({}, opts);
  const websocketStageArn = pulumi.interpolate`${websocketApi.executionArn}/${STAGE}`;
  const managementEndpoint = pulumi.interpolate`https://${websocketApi.id}.execute-api.${settings.homeRegion}.amazonaws.com/${STAGE}`;
  const fleetsJson = pulumi
    .all(fleets.map((fleet) => fleet.fleet))
    .apply((list) =>
      JSON.stringify(Object.fromEntries(list.map((fleet, i) => [settings.regions[i], fleet]))),
    );

  const environment = environmentOf(settings, prefix, {
    ...tableVariables((table) => tables[table].name),
    MATCHMAKING_QUEUE_URL: queue.url,
    MATCH_START_QUEUE_URL: starts.queue.url,
    WEBSOCKET_MANAGEMENT_ENDPOINT: managementEndpoint,
    CALLBACK_BASE_URL: callbackApi.apiEndpoint,
    GAME_SERVER_FLEETS: fleetsJson,
  });
  const tableArns = pulumi.all(
    Object.fromEntries(Object.entries(tables).map(([name, table]) => [name, table.arn])) as Record<
      keyof typeof tables,
      pulumi.Output<string>
    >,
  );
  const targets: pulumi.Output<AccessTargets> = pulumi
    .all([
      tableArns,
      websocketStageArn,
      queue.arn,
      starts.queue.arn,
      pulumi.all(
        fleets.map((f) =>
          pulumi.all([f.cluster.arn, f.taskDefinition.arnWithoutRevision, f.role.arn, f.executionRole.arn]),
        ),
      ),
    ])
    .apply(([tableArnsByName, stageArn, queueArn, matchStartQueueArn, fleetArns]) => ({
      tables: tableArnsByName as AccessTargets['tables'],
      websocketStageArn: stageArn,
      queueArn,
      matchStartQueueArn,
      fleets: fleetArns.map(([clusterArn, family, taskRoleArn, executionRoleArn]) => ({
        clusterArn,
        taskDefinitionArn: `${family}:*`,
        taskRoleArn,
        executionRoleArn,
      })),
    }));

  const deployed = createFunctions(
    {
      prefix,
      buildDir: options.buildDir,
      environment,
      targets,
      logRetentionDays: settings.logRetentionDays,
      reservedConcurrency: settings.reservedConcurrency,
    },
    opts,
  );
  const { stage } = wireWebSocketApi(
    prefix,
    websocketApi,
    deployed,
    { logRetentionDays: settings.logRetentionDays, accessLogs: settings.accessLogs },
    opts,
  );
  wireCallbackApi(prefix, callbackApi, deployed, opts);
  connectQueue(prefix, queue, 'matchmakingQueue', deployed, opts);
  connectQueue(prefix, starts.queue, 'matchStartQueue', deployed, opts);
  connectSchedules(prefix, deployed, opts);
  connectTaskEvents(
    prefix,
    fleets.map((f) => f.cluster.arn),
    deployed,
    opts,
  );
  const monitoring = createMonitoring(
    {
      prefix,
      homeRegion: settings.homeRegion,
      queues: Object.keys(settings.queues),
      regions: settings.regions,
      warmPool: settings.warmPool,
      deadLetterQueues: [
        { of: 'matchmaking', queue: deadLetters },
        { of: 'match-starts', queue: starts.deadLetters },
      ],
      // A pass request waits at most a few batches; a start must begin well before its ready deadline.
      workQueues: [
        { of: 'matchmaking', queue, maxAgeSeconds: 120 },
        {
          of: 'match-starts',
          queue: starts.queue,
          maxAgeSeconds: Math.min(60, settings.readyTimeoutSeconds / 2),
        },
      ],
      errorsOf: [
        {
          alarm: 'matchmaker-errors',
          what: 'the matchmaker function failed or timed out',
          functionName: functionOf(deployed, 'matchmakingQueue').name,
        },
        {
          alarm: 'tick-errors',
          what: 'the tick failed or timed out (deadlines, stale claims, the warm pool and the passes wait for the next minute; EventBridge retries an invocation, then drops it)',
          functionName: functionOf(deployed, 'schedule').name,
        },
        {
          alarm: 'task-state-change-errors',
          what: 'the taskStateChange function failed or timed out on a stopped game server (EventBridge retries an invocation, then drops it: its match waits for its deadline)',
          functionName: functionOf(deployed, 'gameServerTaskEvents').name,
        },
      ],
      alarms: settings.alarms,
    },
    opts,
  );
  const customDomain =
    settings.domainName && settings.hostedZoneId
      ? createDomain(prefix, settings.domainName, settings.hostedZoneId, websocketApi, stage, opts)
      : undefined;

  return {
    websocketUrl: customDomain ?? pulumi.interpolate`${websocketApi.apiEndpoint}/${STAGE}`,
    callbackUrl: callbackApi.apiEndpoint,
    deadLetterQueueUrl: deadLetters.url,
    matchStartDeadLetterQueueUrl: starts.deadLetters.url,
    clusters: Object.fromEntries(fleets.map((f) => [f.region, f.cluster.name])),
    repositories: Object.fromEntries(fleets.map((f) => [f.region, f.repository.repositoryUrl])),
    accountId: identity.accountId,
    alarmTopicArn: monitoring.topic.arn,
    dashboardName: monitoring.dashboard.dashboardName,
  };
}

/**
 * Refuses settings that would give some function more than Lambda's 4 KB of
 * variables, with the longest names AWS gives what is created (the large
 * settings are in the deployment file and do not count).
 */
export function refuseUndeployableEnvironments(settings: Settings, prefix: string): void {
  refuseOversizedEnvironments(functions, estimatedEnvironment(settings, prefix), RUNTIME_VARIABLES);
}

/** Each function's environment size (bytes) with these settings and the longest created names. */
export function estimatedEnvironmentSizes(settings: Settings, prefix: string) {
  return environmentSizes(functions, estimatedEnvironment(settings, prefix), RUNTIME_VARIABLES);
}

function estimatedEnvironment(settings: Settings, prefix: string): Record<EnvName, string> {
  return environmentOf(settings, prefix, {
    ...longestCreatedValues(prefix, settings.homeRegion),
    GAME_SERVER_FLEETS: '',
  } as Record<CreatedValue, string>) as Record<EnvName, string>;
}

/** The variables whose values come from what the program creates. */
type CreatedValue =
  | TableEnvName
  | 'MATCHMAKING_QUEUE_URL'
  | 'MATCH_START_QUEUE_URL'
  | 'WEBSOCKET_MANAGEMENT_ENDPOINT'
  | 'CALLBACK_BASE_URL'
  | 'GAME_SERVER_FLEETS';

/** Every function variable's value: the settings', and what was created (or its longest estimate). */
function environmentOf<V>(
  settings: Settings,
  prefix: string,
  created: Record<CreatedValue, V>,
): Record<EnvName, V | string> {
  return {
    ...created,
    WARM_POOL: JSON.stringify(settings.warmPool),
    WARM_SERVER_HEARTBEAT_SECONDS: String(settings.warmServerHeartbeatSeconds),
    WARM_ASSIGN_TIMEOUT_SECONDS: String(settings.warmAssignTimeoutSeconds),
    WARM_SERVER_REGISTER_SECONDS: String(settings.warmServerRegisterSeconds),
    WARM_SERVER_MATCHES: String(settings.warmServerMatches),
    PASS_MAX_MATCHES: String(settings.passMaxMatches),
    PASS_BUDGET_SECONDS: String(settings.passBudgetSeconds),
    JWT_ISSUER: settings.jwtIssuer,
    JWT_AUDIENCE: settings.jwtAudience,
    JWKS_URL: settings.jwksUrl,
    JWT_MAX_TOKEN_AGE_SECONDS: String(settings.jwtMaxTokenAgeSeconds),
    MAX_MESSAGES_PER_PLAYER: String(settings.maxMessagesPerPlayer),
    MATCHMAKING_REGIONS: settings.regions.join(','),
    MATCHMAKING_QUEUES: JSON.stringify(settings.queues),
    PING_URL_TEMPLATE: settings.pingUrlTemplate,
    READY_TIMEOUT_SECONDS: String(settings.readyTimeoutSeconds),
    MAX_MATCH_SECONDS: String(settings.maxMatchSeconds),
    GAME_SERVER_IDLE_SECONDS: String(settings.gameServerIdleSeconds),
    // The metrics' `deployment` dimension: the dashboard and alarms select this stack's by it.
    METRICS_DEPLOYMENT: prefix,
  };
}

/**
 * The one function of a trigger: the matchmaker (matchmakingQueue), the tick
 * (schedule), the task-state events' (gameServerTaskEvents).
 */
function functionOf(
  deployed: DeployedFunctions,
  kind: 'matchmakingQueue' | 'schedule' | 'gameServerTaskEvents',
): aws.lambda.Function {
  const found = Object.values(deployed).filter((d) => d.definition.trigger.kind === kind);
  if (found.length !== 1) throw new Error(`the manifest has ${found.length} ${kind} functions, not one`);
  return (found[0] as (typeof found)[number]).fn;
}

/** The seed's custom domain: an ACM certificate validated by DNS, the API domain, its mapping and an alias record. */
function createDomain(
  prefix: string,
  domainName: string,
  hostedZoneId: string,
  api: aws.apigatewayv2.Api,
  stage: aws.apigatewayv2.Stage,
  opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  const certificate = new aws.acm.Certificate(
    `${prefix}-ws-certificate`,
    { domainName, validationMethod: 'DNS' },
    opts,
  );
  const option = certificate.domainValidationOptions.apply((options) => options[0]);
  const validationRecord = new aws.route53.Record(
    `${prefix}-ws-certificate-validation`,
    {
      zoneId: hostedZoneId,
      name: option.apply((o) => o?.resourceRecordName ?? ''),
      type: option.apply((o) => o?.resourceRecordType ?? 'CNAME'),
      records: [option.apply((o) => o?.resourceRecordValue ?? '')],
      ttl: 300,
      allowOverwrite: true,
    },
    opts,
  );
  const validation = new aws.acm.CertificateValidation(
    `${prefix}-ws-certificate`,
    { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
    opts,
  );
  const domain = new aws.apigatewayv2.DomainName(
    `${prefix}-ws-domain`,
    {
      domainName,
      domainNameConfiguration: {
        certificateArn: validation.certificateArn,
        endpointType: 'REGIONAL',
        securityPolicy: 'TLS_1_2',
      },
    },
    opts,
  );
  new aws.apigatewayv2.ApiMapping(
    `${prefix}-ws-mapping`,
    { apiId: api.id, domainName: domain.id, stage: stage.id },
    opts,
  );
  new aws.route53.Record(
    `${prefix}-ws-alias`,
    {
      zoneId: hostedZoneId,
      name: domainName,
      type: 'A',
      aliases: [
        {
          name: domain.domainNameConfiguration.targetDomainName,
          zoneId: domain.domainNameConfiguration.hostedZoneId,
          evaluateTargetHealth: false,
        },
      ],
    },
    opts,
  );
  return pulumi.interpolate`wss://${domain.domainName}`;
}
