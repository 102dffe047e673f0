import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { createMatchmaking } from './src/program.js';
import { parseSettings, refuseRemovedKeys } from './src/settings.js';

/*
 * `pulumi up` entry (Pulumi.yaml at the repository root points here). Reads
 * and validates the stack configuration, then declares everything.
 */
const aws = new pulumi.Config('aws');
const config = new pulumi.Config('matchmaking');
refuseRemovedKeys(Object.keys(pulumi.runtime.allConfig()));
const settings = parseSettings({
  homeRegion: aws.require('region'),
  regions: config.requireObject<string[]>('regions'),
  queues: config.getObject('queues'),
  pingUrlTemplate: config.get('pingUrlTemplate'),
  jwtIssuer: config.get('jwtIssuer') ?? '',
  jwtAudience: config.get('jwtAudience') ?? '',
  jwksUrl: config.get('jwksUrl') ?? '',
  jwtMaxTokenAgeSeconds: config.get('jwtMaxTokenAgeSeconds'),
  maxMessagesPerPlayer: config.get('maxMessagesPerPlayer'),
  passMaxMatches: config.get('passMaxMatches'),
  passBudgetSeconds: config.get('passBudgetSeconds'),
  readyTimeoutSeconds: config.get('readyTimeoutSeconds'),
  maxMatchSeconds: config.get('maxMatchSeconds'),
  gameServerIdleSeconds: config.get('gameServerIdleSeconds'),
  gameServerCpu: config.get('gameServerCpu'),
  gameServerMemory: config.get('gameServerMemory'),
  gameServerPort: config.get('gameServerPort'),
  fargateSpot: config.get('fargateSpot'),
  warmPool: config.getObject('warmPool'),
  warmServerHeartbeatSeconds: config.get('warmServerHeartbeatSeconds'),
  warmAssignTimeoutSeconds: config.get('warmAssignTimeoutSeconds'),
  warmServerRegisterSeconds: config.get('warmServerRegisterSeconds'),
  warmServerMatches: config.get('warmServerMatches'),
  logRetentionDays: config.get('logRetentionDays'),
  reservedConcurrency: config.get('reservedConcurrency'),
  accessLogs: config.get('accessLogs'),
  protectData: config.get('protectData'),
  tableWarmThroughput: config.getObject('tableWarmThroughput'),
  alarms: config.getObject('alarms'),
  domainName: config.get('domainName'),
  hostedZoneId: config.get('hostedZoneId'),
});
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(repoRoot, 'functions', 'dist');
mkdirSync(buildDir, { recursive: true });
const outputs = createMatchmaking(settings, {
  prefix: `matchmaking-${pulumi.getStack()}`,
  repoRoot,
  buildDir,
});

export const websocketUrl = outputs.websocketUrl;
export const callbackUrl = outputs.callbackUrl;
export const deadLetterQueueUrl = outputs.deadLetterQueueUrl;
export const matchStartDeadLetterQueueUrl = outputs.matchStartDeadLetterQueueUrl;
export const clusters = outputs.clusters;
export const repositories = outputs.repositories;
export const alarmTopicArn = outputs.alarmTopicArn;
export const dashboardName = outputs.dashboardName;
