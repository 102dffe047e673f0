import { DEPLOYMENT_FILE } from '@matchmaking/functions/env';
import * as pulumi from '@pulumi/pulumi';

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
  /** A Lambda function's deployment file (DEPLOYMENT_FILE in its code archive), once readDeploymentFiles ran. */
  deploymentFile?: Record<string, string>;
  /** The id and outputs the mock answered with (ARNs, names, endpoints), to follow references between resources. */
  id: string;
  state: Record<string, unknown>;
}

/**
 * Pulumi mocks: every resource is recorded with its inputs and gets the
 * computed outputs our program reads (ARNs, URLs, endpoints); data sources
 * answer with a fixed account. AWS itself cannot run here.
 */
export function installMocks(): Recorded[] {
  const recorded: Recorded[] = [];
  // Each explicit provider's region by name, so a resource's ARN names its provider's region.
  const providerRegions = new Map<string, string>();
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        // A provider reference is `<urn>::<id>`; the URN's fourth `::` part is the provider's name.
        const providerName = args.provider?.split('::')[3];
        const region = String(
          args.inputs.region ?? (providerName && providerRegions.get(providerName)) ?? 'us-east-1',
        );
        if (args.type === 'pulumi:providers:aws') providerRegions.set(args.name, region);
        const arn = `arn:aws:${args.type.split(':')[1]?.split('/')[0]}:${region}:123456789012:${args.name}`;
        const state: Record<string, unknown> = { ...args.inputs, arn, name: args.inputs.name ?? args.name };
        if (args.type === 'aws:sqs/queue:Queue')
          state.url = `https://sqs.${region}.amazonaws.com/123456789012/${args.inputs.name}`;
        if (args.type === 'aws:apigatewayv2/api:Api') {
          state.apiEndpoint = `wss://${args.name}.execute-api.us-east-1.amazonaws.com`;
          state.executionArn = `arn:aws:execute-api:us-east-1:123456789012:${args.name}`;
        }
        if (args.type === 'aws:lambda/function:Function')
          state.invokeArn = `arn:aws:apigateway:invoke/${args.name}`;
        if (args.type === 'aws:ecr/repository:Repository')
          state.repositoryUrl = `123456789012.dkr.ecr/${args.name}`;
        if (args.type === 'aws:ecs/cluster:Cluster')
          state.arn = `arn:aws:ecs:${region}:123456789012:cluster/${args.name}`;
        if (args.type === 'awsx:ec2:Vpc') {
          state.vpcId = `${args.name}-id`;
          state.publicSubnetIds = [`${args.name}-public-a`, `${args.name}-public-b`];
        }
        if (args.type === 'aws:acm/certificate:Certificate') {
          state.domainValidationOptions = [
            {
              resourceRecordName: '_x.play.example.com',
              resourceRecordType: 'CNAME',
              resourceRecordValue: '_y.acm',
            },
          ];
        }
        if (args.type === 'aws:apigatewayv2/domainName:DomainName') {
          state.domainNameConfiguration = { targetDomainName: 'd-1.execute-api', hostedZoneId: 'Z1' };
        }
        if (args.type === 'awsx:ecr:Image') state.imageUri = `123456789012.dkr.ecr/${args.name}@sha256:abc`;
        if (args.type === 'aws:ecs/taskDefinition:TaskDefinition') state.arnWithoutRevision = `${arn}-family`;
        if (args.type === 'aws:apigatewayv2/domainName:DomainName') state.domainName = args.inputs.domainName;
        const id = `${args.name}-id`;
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          provider: args.provider,
          id,
          state,
        });
        return { id, state };
      },
      call(args) {
        if (args.token === 'aws:ec2/getVpc:getVpc') return { id: 'vpc-1' };
        if (args.token === 'aws:ec2/getSubnets:getSubnets') return { ids: ['subnet-a', 'subnet-b'] };
        if (args.token === 'aws:index/getCallerIdentity:getCallerIdentity')
          return { accountId: '123456789012' };
        return {};
      },
    },
    'serverless-matchmaking',
    'test',
    false,
  );
  return recorded;
}

/** Resolves an Output in tests. */
export function resolveOutput<T>(output: pulumi.Output<T> | T): Promise<unknown> {
  return new Promise((resolve) => {
    pulumi.output(output).apply((value) => {
      resolve(value);
      return value;
    });
  });
}

/** A statement of a function's IAM policy as the program writes it. */
export interface Statement {
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * Reads what one `createMatchmaking` call (resources named `<prefix>-...`)
 * recorded: a resource by name, a function's environment and policy, a
 * table's ARN.
 */
export function resourcesOf(recorded: readonly Recorded[], prefix: string) {
  const ofType = (type: string): Recorded[] => recorded.filter((r) => r.type === type);
  const named = (type: string, name: string): Recorded => {
    const found = ofType(type).find((r) => r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
  };
  return {
    ofType,
    named,
    variablesOf: (fn: string): Record<string, string> =>
      (named('aws:lambda/function:Function', `${prefix}-${fn}`).inputs.environment as { variables: object })
        .variables as Record<string, string>,
    /** A function's settings as its loadConfig sees them: its variables and its deployment file's (readDeploymentFiles first). */
    settingsOf: (fn: string): Record<string, string> => {
      const lambda = named('aws:lambda/function:Function', `${prefix}-${fn}`);
      if (!lambda.deploymentFile) throw new Error('call readDeploymentFiles(recorded) first');
      return {
        ...((lambda.inputs.environment as { variables: object }).variables as Record<string, string>),
        ...lambda.deploymentFile,
      };
    },
    statementsOf: (fn: string): Statement[] =>
      JSON.parse(String(named('aws:iam/rolePolicy:RolePolicy', `${prefix}-${fn}-policy`).inputs.policy))
        .Statement as Statement[],
    tableArn: (table: string) => String(named('aws:dynamodb/table:Table', `${prefix}-${table}`).state.arn),
  };
}

/**
 * Reads each recorded Lambda function's deployment file out of its code
 * archive (an AssetArchive whose assets and texts are promises): `{}` when it
 * has none.
 */
export async function readDeploymentFiles(recorded: Recorded[]): Promise<void> {
  for (const lambda of recorded.filter((r) => r.type === 'aws:lambda/function:Function')) {
    const assets = (await (
      lambda.inputs.code as { assets: Promise<Record<string, { text?: Promise<string> }>> }
    ).assets) as Record<string, { text?: Promise<string> }>;
    const file = assets[DEPLOYMENT_FILE];
    lambda.deploymentFile = file?.text ? (JSON.parse(await file.text) as Record<string, string>) : {};
  }
}
