import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import type { StackResource } from '../policy/rules/resource.js';

/**
 * Pulumi mocks answering with physical names and ids shaped like AWS's, so
 * the policy pack's rules meet what a real preview of an existing stack
 * shows: auto-names `<logical>-<7 hex>`, ARNs in each service's format, queue
 * URLs, 10-character API ids, subnet and security group ids. Each resource
 * also keeps what the engine would tell an analyzer: its URN, `protect`, its
 * dependencies and each input's dependencies (read from the registration
 * request, which the mocks' newResource does not see).
 */
const ACCOUNT = '123456789012';

/** Types Pulumi auto-names through a `name` input. */
const AUTONAMED = new Set([
  'aws:sqs/queue:Queue',
  'aws:iam/role:Role',
  'aws:ecr/repository:Repository',
  'aws:dynamodb/table:Table',
  'aws:lambda/function:Function',
  'aws:cloudwatch/logGroup:LogGroup',
  'aws:ec2/securityGroup:SecurityGroup',
  'aws:ecs/cluster:Cluster',
  'aws:sns/topic:Topic',
  'aws:cloudwatch/metricAlarm:MetricAlarm',
  'aws:cloudwatch/eventRule:EventRule',
  'aws:iam/rolePolicy:RolePolicy',
]);

const hex = (seed: string, length: number) =>
  createHash('sha256').update(seed).digest('hex').slice(0, length);
const apiId = (seed: string) =>
  BigInt(`0x${hex(seed, 16)}`)
    .toString(36)
    .slice(0, 10)
    .padStart(10, 'a');

/** The outputs AWS would give a resource of this type, name and region. */
function physical(type: string, logical: string, inputs: Record<string, unknown>, region: string) {
  const fifo = type === 'aws:sqs/queue:Queue' && inputs.fifoQueue === true ? '.fifo' : '';
  const name = String(inputs.name ?? `${logical}-${hex(logical, 7)}${fifo}`);
  const state: Record<string, unknown> = { ...inputs };
  if (AUTONAMED.has(type)) state.name = name;
  let id = AUTONAMED.has(type) ? name : `${logical}-${hex(logical, 8)}`;
  const arn = (service: string, resource: string, withRegion = true) =>
    `arn:aws:${service}:${withRegion ? region : ''}:${ACCOUNT}:${resource}`;
  switch (type) {
    case 'aws:dynamodb/table:Table':
      state.arn = arn('dynamodb', `table/${name}`);
      break;
    case 'aws:sqs/queue:Queue':
      state.arn = arn('sqs', name);
      state.url = `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${name}`;
      id = String(state.url);
      break;
    case 'aws:lambda/function:Function':
      state.arn = arn('lambda', `function:${name}`);
      state.invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${state.arn}/invocations`;
      break;
    case 'aws:iam/role:Role':
      state.arn = arn('iam', `role/${name}`, false);
      break;
    case 'aws:iam/rolePolicy:RolePolicy':
      id = `${String(inputs.role)}:${name}`;
      break;
    case 'aws:cloudwatch/logGroup:LogGroup':
      state.arn = arn('logs', `log-group:${name}`);
      break;
    case 'aws:ecs/cluster:Cluster':
      state.arn = arn('ecs', `cluster/${name}`);
      break;
    case 'aws:ecs/taskDefinition:TaskDefinition':
      state.arnWithoutRevision = arn('ecs', `task-definition/${String(inputs.family)}`);
      state.arn = `${state.arnWithoutRevision}:1`;
      state.revision = 1;
      break;
    case 'aws:ecr/repository:Repository':
      state.arn = arn('ecr', `repository/${name}`);
      state.repositoryUrl = `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${name}`;
      break;
    case 'aws:ec2/securityGroup:SecurityGroup':
      id = `sg-${hex(logical, 17)}`;
      state.arn = arn('ec2', `security-group/${id}`);
      break;
    case 'aws:apigatewayv2/api:Api':
      id = apiId(logical);
      state.apiEndpoint = `${inputs.protocolType === 'WEBSOCKET' ? 'wss' : 'https'}://${id}.execute-api.${region}.amazonaws.com`;
      state.executionArn = arn('execute-api', id);
      break;
    case 'aws:sns/topic:Topic':
      state.arn = arn('sns', name);
      break;
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      state.arn = arn('cloudwatch', `alarm:${name}`);
      break;
    case 'aws:cloudwatch/eventRule:EventRule':
      state.arn = arn('events', `rule/${name}`);
      break;
    case 'awsx:ec2:Vpc':
      state.vpcId = `vpc-${hex(logical, 17)}`;
      state.publicSubnetIds = [`subnet-${hex(`${logical}a`, 17)}`, `subnet-${hex(`${logical}b`, 17)}`];
      break;
    case 'awsx:ecr:Image':
      state.imageUri = `${String(inputs.repositoryUrl)}@sha256:${hex(logical, 64)}`;
      break;
    case 'aws:acm/certificate:Certificate':
      state.arn = arn('acm', `certificate/${hex(logical, 8)}-${hex(logical, 4)}`);
      state.domainValidationOptions = [
        {
          resourceRecordName: `_${hex(logical, 32)}.${String(inputs.domainName)}.`,
          resourceRecordType: 'CNAME',
          resourceRecordValue: `_${hex(logical, 32)}.acm-validations.aws.`,
        },
      ];
      break;
    case 'aws:apigatewayv2/domainName:DomainName':
      state.domainNameConfiguration = {
        targetDomainName: `d-${apiId(logical)}.execute-api.${region}.amazonaws.com`,
        hostedZoneId: 'Z1UJRXOUMOOFQ8',
      };
      break;
    default:
      state.arn = arn(type.split(':')[1]?.split('/')[0] ?? 'unknown', `${logical}`);
  }
  return { id, state };
}

/** One recorded run: every resource as a policy rule sees it. */
export interface RealisticMocks {
  /** The resources registered since the last call, and forget them. */
  take(): StackResource[];
  /** How many are registered now. */
  count(): number;
}

export function installRealisticMocks(): RealisticMocks {
  const providerRegions = new Map<string, string>();
  const pending = new Map<string, { state: Record<string, unknown>; region?: string }>();
  let resources: StackResource[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const providerUrn = args.provider?.split('::').slice(0, -1).join('::');
        const region =
          (args.inputs.region as string | undefined) ??
          (providerUrn ? providerRegions.get(providerUrn) : undefined);
        const result = physical(args.type, args.name, args.inputs, region ?? 'us-east-1');
        pending.set(`${args.type}::${args.name}`, { state: result.state, region });
        return result;
      },
      call(args) {
        if (args.token === 'aws:index/getCallerIdentity:getCallerIdentity') return { accountId: ACCOUNT };
        if (args.token === 'aws:ec2/getVpc:getVpc') return { id: 'vpc-0a1b2c3d4e5f60718' };
        if (args.token === 'aws:ec2/getSubnets:getSubnets')
          return { ids: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'] };
        return {};
      },
    },
    'serverless-matchmaking',
    'production',
    false,
  );
  // The mock monitor hands newResource only type, name, inputs and provider: read the rest from the request.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(
      req: RegisterRequest,
      callback: (err: unknown, res?: { getUrn(): string }) => void,
    ): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, res) => {
      const key = `${req.getType()}::${req.getName()}`;
      const seen = pending.get(key);
      pending.delete(key);
      if (!err && res && seen) {
        const urn = res.getUrn();
        if (req.getType() === 'pulumi:providers:aws') providerRegions.set(urn, String(seen.state.region));
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, prop) => {
          propertyDependencies[prop] = deps.getUrnsList();
        });
        resources.push({
          type: req.getType(),
          name: req.getName(),
          urn,
          props: seen.state,
          protect: req.getProtect() === true,
          region: seen.region,
          dependencies: req.getDependenciesList(),
          propertyDependencies,
        });
      }
      callback(err, res);
    });
  return {
    count: () => resources.length,
    take() {
      const taken = resources;
      resources = [];
      return taken;
    },
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(fn: (deps: { getUrnsList(): string[] }, prop: string) => void): void;
  };
}

/** Waits until no resource has been registered for `quietMs` (every apply() of a program has run). */
export async function settled(mocks: { count(): number }, quietMs = 300): Promise<void> {
  let last = -1;
  while (mocks.count() !== last) {
    last = mocks.count();
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}
