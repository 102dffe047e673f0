import { bundleFunction } from '@matchmaking/functions/bundle';
import { DEPLOYMENT_FILE, type EnvName } from '@matchmaking/functions/env';
import { type FunctionDefinition, functions } from '@matchmaking/functions/manifest';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { splitEnvironment } from '../environment.js';
import { type AccessTargets, serviceTrustPolicy, statementsFor } from '../iam.js';

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

/** Variables every function gets besides its own: stack traces through the bundle's source map. */
export const RUNTIME_VARIABLES = { NODE_OPTIONS: '--enable-source-maps' };

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
      { assumeRolePolicy: serviceTrustPolicy('lambda.amazonaws.com', { provider: opts.provider }) },
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
    // The large settings go into the package (DEPLOYMENT_FILE), the rest into the 4 KB of variables.
    const { variables, file } = splitEnvironment(definition, input.environment);
    const bundle = bundleFunction(definition, input.buildDir);
    const code = pulumi.output(file).apply(
      (values) =>
        new pulumi.asset.AssetArchive({
          '.': new pulumi.asset.FileArchive(bundle),
          ...(Object.keys(values).length > 0
            ? { [DEPLOYMENT_FILE]: new pulumi.asset.StringAsset(JSON.stringify(values)) }
            : {}),
        }),
    );
    const fn = new aws.lambda.Function(
      name,
      {
        name,
        role: role.arn,
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        code,
        timeout: definition.timeoutSeconds,
        memorySize: definition.memoryMb,
        reservedConcurrentExecutions:
          definition.trigger.kind === 'matchmakingQueue' ? input.reservedConcurrency : undefined,
        environment: { variables: { ...variables, ...RUNTIME_VARIABLES } },
        loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
      },
      { ...opts, dependsOn: [logGroup] },
    );
    deployed[definition.name] = { definition, fn, policy };
  }
  return deployed;
}
