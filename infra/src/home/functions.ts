import { bundleFunction } from '@matchmaking/functions/bundle';
import type { EnvName } from '@matchmaking/functions/env';
import { type FunctionDefinition, functions } from '@matchmaking/functions/manifest';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type AccessTargets, statementsFor } from '../iam.js';

export interface FunctionsInput {
  prefix: string;
  /** Where handler bundles are written before they are zipped. */
  buildDir: string;
  /** A value for every environment variable any function reads. */
  environment: Record<EnvName, pulumi.Input<string>>;
  targets: pulumi.Input<AccessTargets>;
  logRetentionDays: number;
  /** Concurrency reserved for the matchmaker (`matchmaking:reservedConcurrency`); none when unset. */
  reservedConcurrency?: number;
}

export type DeployedFunctions = Record<
  string,
  { definition: FunctionDefinition; fn: aws.lambda.Function; policy: aws.iam.RolePolicy }
>;

/**
 * One Lambda per manifest entry: its bundle (esbuild, nodejs22.x), exactly the
 * environment variables it lists, and a role granting exactly its manifest
 * access (plus its own logs).
 */
export function createFunctions(
  input: FunctionsInput,
  opts: pulumi.CustomResourceOptions,
): DeployedFunctions {
  const deployed: DeployedFunctions = {};
  for (const definition of functions) {
    const name = `${input.prefix}-${definition.name}`;
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      },
      opts,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${name}`, retentionInDays: input.logRetentionDays },
      opts,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi.all([input.targets, logGroup.arn]).apply(([targets, logGroupArn]) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: [`${logGroupArn}:*`],
              },
              ...statementsFor(definition.access, targets),
            ],
          }),
        ),
      },
      opts,
    );
    const environment = Object.fromEntries(
      definition.env.map((envName) => [envName, input.environment[envName]]),
    );
    const fn = new aws.lambda.Function(
      name,
      {
        name,
        role: role.arn,
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        code: new pulumi.asset.AssetArchive({
          '.': new pulumi.asset.FileArchive(bundleFunction(definition, input.buildDir)),
        }),
        timeout: definition.timeoutSeconds,
        memorySize: definition.memoryMb,
        reservedConcurrentExecutions:
          definition.trigger.kind === 'matchmakingQueue' ? input.reservedConcurrency : undefined,
        environment: { variables: { ...environment, NODE_OPTIONS: '--enable-source-maps' } },
        loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
      },
      { ...opts, dependsOn: [logGroup] },
    );
    deployed[definition.name] = { definition, fn, policy };
  }
  return deployed;
}
