import { createHash } from 'node:crypto';

/*
 * What the deploy role must be allowed, per resource type the program declares: the IAM actions
 * the Terraform AWS provider (Pulumi's aws provider is built on it) calls to create, read, update,
 * delete and tag each resource, with the resource each action is authorized on. The deploy-role
 * test turns the program's resources (run under mocks) into concrete requests with
 * `requiredRequests` and checks policy.json allows every one. Dev-only: never imported by the
 * program.
 *
 * Sources: the Service Authorization Reference (which resource types each action takes, "*" when
 * it has none) and the Terraform AWS provider's resource code (which calls each resource makes).
 */

/** A group of actions on one resource of a declared resource. */
export interface Need {
  actions: readonly string[];
  /**
   * The ARN the actions are authorized on, with placeholders: {region}, {account}, {name} (this
   * resource's physical name), {id} (an id AWS makes up), {input.<key>} (an input as declared) and
   * the names of `refs`. "*" for actions without resource-level permissions.
   */
  resource: string;
  /** Request context the policy's conditions read (same placeholders). */
  context?: Readonly<Record<string, string>>;
  /** Placeholders for other resources an input names: the physical name of the resource of `type` it points to. */
  refs?: Readonly<Record<string, { input: string; type: string }>>;
  /** Only when this optional input is set. */
  when?: string;
  /** One request per element of this list input, the element as {each}. */
  each?: string;
}

const PASS_ROLE = 'iam:PassRole';

/** Passing a role to a service (the role's ARN is the input `input`, a role the program declares). */
function passRole(input: string, service: string, when?: string): Need {
  return {
    actions: [PASS_ROLE],
    resource: 'arn:aws:iam::{account}:role/{role}',
    refs: { role: { input, type: 'aws:iam/role:Role' } },
    context: { 'iam:PassedToService': service },
    ...(when ? { when } : {}),
  };
}

const ROLE = 'aws:iam/role:Role';
const API = 'arn:aws:apigateway:{region}::/apis/{id}';
const EC2 = 'arn:aws:ec2:{region}:{account}';
/** Terraform's security group create revokes the default egress rule, then authorizes the declared ones. */
const SECURITY_GROUP_RULES = [
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:AuthorizeSecurityGroupEgress',
  'ec2:RevokeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupEgress',
];

/** Per Pulumi resource type: what its create, read, update, delete and tagging need. */
export const requiredActions: Readonly<Record<string, readonly Need[]>> = {
  // The provider checks its credentials (and aws.getCallerIdentity reads the account).
  'pulumi:providers:aws': [{ actions: ['sts:GetCallerIdentity'], resource: '*' }],

  'aws:dynamodb/table:Table': [
    {
      actions: [
        'dynamodb:CreateTable',
        'dynamodb:DescribeTable',
        'dynamodb:UpdateTable',
        'dynamodb:DeleteTable',
        'dynamodb:DescribeContinuousBackups',
        'dynamodb:UpdateContinuousBackups',
        'dynamodb:DescribeTimeToLive',
        'dynamodb:UpdateTimeToLive',
        'dynamodb:ListTagsOfResource',
        'dynamodb:TagResource',
        'dynamodb:UntagResource',
      ],
      resource: 'arn:aws:dynamodb:{region}:{account}:table/{name}',
    },
  ],

  'aws:sqs/queue:Queue': [
    {
      actions: [
        'sqs:CreateQueue',
        'sqs:GetQueueUrl',
        'sqs:GetQueueAttributes',
        'sqs:SetQueueAttributes',
        'sqs:DeleteQueue',
        'sqs:ListQueueTags',
        'sqs:TagQueue',
        'sqs:UntagQueue',
      ],
      resource: 'arn:aws:sqs:{region}:{account}:{name}',
    },
  ],
  'aws:sqs/queuePolicy:QueuePolicy': [
    {
      actions: ['sqs:GetQueueAttributes', 'sqs:SetQueueAttributes'],
      resource: 'arn:aws:sqs:{region}:{account}:{queue}',
      refs: { queue: { input: 'queueUrl', type: 'aws:sqs/queue:Queue' } },
    },
  ],

  'aws:lambda/function:Function': [
    {
      actions: [
        'lambda:CreateFunction',
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:ListVersionsByFunction',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:PutFunctionConcurrency',
        'lambda:DeleteFunctionConcurrency',
        'lambda:DeleteFunction',
        'lambda:ListTags',
        'lambda:TagResource',
        'lambda:UntagResource',
      ],
      resource: 'arn:aws:lambda:{region}:{account}:function:{name}',
    },
    passRole('role', 'lambda.amazonaws.com'),
  ],
  'aws:lambda/eventSourceMapping:EventSourceMapping': [
    // CreateEventSourceMapping has no resource: the policy pins it to our functions by lambda:FunctionArn.
    {
      actions: ['lambda:CreateEventSourceMapping'],
      resource: '*',
      refs: { fn: { input: 'functionName', type: 'aws:lambda/function:Function' } },
      context: { 'lambda:FunctionArn': 'arn:aws:lambda:{region}:{account}:function:{fn}' },
    },
    {
      actions: [
        'lambda:GetEventSourceMapping',
        'lambda:UpdateEventSourceMapping',
        'lambda:DeleteEventSourceMapping',
        'lambda:ListTags',
        'lambda:TagResource',
        'lambda:UntagResource',
      ],
      resource: 'arn:aws:lambda:{region}:{account}:event-source-mapping:{id}',
    },
  ],
  'aws:lambda/permission:Permission': [
    {
      actions: ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'],
      resource: 'arn:aws:lambda:{region}:{account}:function:{fn}',
      refs: { fn: { input: 'function', type: 'aws:lambda/function:Function' } },
    },
  ],

  [ROLE]: [
    {
      actions: [
        'iam:CreateRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:DeleteRole',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:ListRolePolicies',
        'iam:GetRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
      ],
      resource: 'arn:aws:iam::{account}:role/{name}',
    },
    {
      actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      resource: 'arn:aws:iam::{account}:role/{name}',
      each: 'managedPolicyArns',
      context: { 'iam:PolicyARN': '{each}' },
    },
  ],
  'aws:iam/rolePolicy:RolePolicy': [
    {
      actions: ['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy'],
      resource: 'arn:aws:iam::{account}:role/{role}',
      refs: { role: { input: 'role', type: ROLE } },
    },
  ],
  'aws:iam/rolePolicyAttachment:RolePolicyAttachment': [
    {
      actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:ListAttachedRolePolicies'],
      resource: 'arn:aws:iam::{account}:role/{role}',
      refs: { role: { input: 'role', type: ROLE } },
      context: { 'iam:PolicyARN': '{input.policyArn}' },
    },
  ],

  // API Gateway v2: ids are made by AWS, so these are scoped to the paths, not to our names.
  'aws:apigatewayv2/api:Api': [
    { actions: ['apigateway:POST'], resource: 'arn:aws:apigateway:{region}::/apis' },
    { actions: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'], resource: API },
    {
      actions: ['apigateway:GET', 'apigateway:POST', 'apigateway:DELETE'],
      resource: 'arn:aws:apigateway:{region}::/tags/{id}',
    },
  ],
  'aws:apigatewayv2/route:Route': [
    { actions: ['apigateway:POST'], resource: `${API}/routes` },
    { actions: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'], resource: `${API}/routes/{id}` },
  ],
  'aws:apigatewayv2/integration:Integration': [
    { actions: ['apigateway:POST'], resource: `${API}/integrations` },
    {
      actions: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
      resource: `${API}/integrations/{id}`,
    },
  ],
  'aws:apigatewayv2/authorizer:Authorizer': [
    { actions: ['apigateway:POST'], resource: `${API}/authorizers` },
    {
      actions: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
      resource: `${API}/authorizers/{id}`,
    },
  ],
  'aws:apigatewayv2/stage:Stage': [
    { actions: ['apigateway:POST'], resource: `${API}/stages` },
    {
      actions: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
      resource: `${API}/stages/{input.name}`,
    },
    // Access logging is delivered by CloudWatch Logs' vended log delivery, set up as the caller
    // ("Configuring logging for an HTTP API": these actions have no resource-level permissions).
    {
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
      resource: '*',
      when: 'accessLogSettings',
    },
  ],
  'aws:apigatewayv2/domainName:DomainName': [
    { actions: ['apigateway:POST'], resource: 'arn:aws:apigateway:{region}::/domainnames' },
    {
      actions: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
      resource: 'arn:aws:apigateway:{region}::/domainnames/{input.domainName}',
    },
  ],
  'aws:apigatewayv2/apiMapping:ApiMapping': [
    {
      actions: ['apigateway:POST'],
      resource: 'arn:aws:apigateway:{region}::/domainnames/{domain}/apimappings',
      refs: { domain: { input: 'domainName', type: 'aws:apigatewayv2/domainName:DomainName' } },
    },
    {
      actions: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
      resource: 'arn:aws:apigateway:{region}::/domainnames/{domain}/apimappings/{id}',
      refs: { domain: { input: 'domainName', type: 'aws:apigatewayv2/domainName:DomainName' } },
    },
  ],
  // The region's API Gateway account settings: the role it writes WebSocket logs with.
  'aws:apigateway/account:Account': [
    { actions: ['apigateway:GET', 'apigateway:PATCH'], resource: 'arn:aws:apigateway:{region}::/account' },
    passRole('cloudwatchRoleArn', 'apigateway.amazonaws.com', 'cloudwatchRoleArn'),
  ],

  'aws:cloudwatch/logGroup:LogGroup': [
    {
      actions: [
        'logs:CreateLogGroup',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:DeleteLogGroup',
        'logs:ListTagsForResource',
        'logs:TagResource',
        'logs:UntagResource',
      ],
      resource: 'arn:aws:logs:{region}:{account}:log-group:{name}',
    },
    { actions: ['logs:DescribeLogGroups'], resource: '*' },
  ],
  'aws:cloudwatch/metricAlarm:MetricAlarm': [
    {
      actions: [
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:DeleteAlarms',
        'cloudwatch:ListTagsForResource',
        'cloudwatch:TagResource',
        'cloudwatch:UntagResource',
      ],
      resource: 'arn:aws:cloudwatch:{region}:{account}:alarm:{name}',
    },
  ],
  'aws:cloudwatch/dashboard:Dashboard': [
    {
      actions: ['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard', 'cloudwatch:DeleteDashboards'],
      resource: 'arn:aws:cloudwatch::{account}:dashboard/{name}',
    },
  ],
  'aws:cloudwatch/eventRule:EventRule': [
    {
      actions: [
        'events:PutRule',
        'events:DescribeRule',
        'events:EnableRule',
        'events:DisableRule',
        'events:DeleteRule',
        'events:ListTargetsByRule',
        'events:ListTagsForResource',
        'events:TagResource',
        'events:UntagResource',
      ],
      resource: 'arn:aws:events:{region}:{account}:rule/{name}',
    },
  ],
  'aws:cloudwatch/eventTarget:EventTarget': [
    {
      actions: ['events:PutTargets', 'events:RemoveTargets', 'events:ListTargetsByRule'],
      resource: 'arn:aws:events:{region}:{account}:rule/{rule}',
      refs: { rule: { input: 'rule', type: 'aws:cloudwatch/eventRule:EventRule' } },
    },
    passRole('roleArn', 'events.amazonaws.com', 'roleArn'),
  ],

  'aws:sns/topic:Topic': [
    {
      actions: [
        'sns:CreateTopic',
        'sns:GetTopicAttributes',
        'sns:SetTopicAttributes',
        'sns:DeleteTopic',
        'sns:ListTagsForResource',
        'sns:TagResource',
        'sns:UntagResource',
      ],
      resource: 'arn:aws:sns:{region}:{account}:{name}',
    },
  ],
  'aws:sns/topicSubscription:TopicSubscription': [
    {
      actions: ['sns:Subscribe'],
      resource: 'arn:aws:sns:{region}:{account}:{topic}',
      refs: { topic: { input: 'topic', type: 'aws:sns/topic:Topic' } },
    },
    // A subscription's ARN is its topic's ARN and an id; IAM authorizes these on the topic.
    {
      actions: ['sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes', 'sns:Unsubscribe'],
      resource: 'arn:aws:sns:{region}:{account}:{topic}',
      refs: { topic: { input: 'topic', type: 'aws:sns/topic:Topic' } },
    },
  ],

  'aws:ecs/cluster:Cluster': [
    {
      actions: [
        'ecs:CreateCluster',
        'ecs:DescribeClusters',
        'ecs:UpdateCluster',
        'ecs:UpdateClusterSettings',
        'ecs:DeleteCluster',
        'ecs:ListTagsForResource',
        'ecs:TagResource',
        'ecs:UntagResource',
      ],
      resource: 'arn:aws:ecs:{region}:{account}:cluster/{name}',
    },
    // The account's first cluster creates ECS's service-linked role.
    {
      actions: ['iam:CreateServiceLinkedRole'],
      resource: 'arn:aws:iam::{account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
      context: { 'iam:AWSServiceName': 'ecs.amazonaws.com' },
    },
  ],
  'aws:ecs/clusterCapacityProviders:ClusterCapacityProviders': [
    {
      actions: ['ecs:PutClusterCapacityProviders', 'ecs:DescribeClusters'],
      resource: 'arn:aws:ecs:{region}:{account}:cluster/{cluster}',
      refs: { cluster: { input: 'clusterName', type: 'aws:ecs/cluster:Cluster' } },
    },
  ],
  'aws:ecs/taskDefinition:TaskDefinition': [
    {
      actions: [
        'ecs:RegisterTaskDefinition',
        'ecs:ListTagsForResource',
        'ecs:TagResource',
        'ecs:UntagResource',
      ],
      resource: 'arn:aws:ecs:{region}:{account}:task-definition/{name}:1',
    },
    { actions: ['ecs:DescribeTaskDefinition', 'ecs:DeregisterTaskDefinition'], resource: '*' },
    passRole('executionRoleArn', 'ecs-tasks.amazonaws.com', 'executionRoleArn'),
    passRole('taskRoleArn', 'ecs-tasks.amazonaws.com', 'taskRoleArn'),
  ],

  'aws:ecr/repository:Repository': [
    {
      actions: [
        'ecr:CreateRepository',
        'ecr:DescribeRepositories',
        'ecr:PutImageScanningConfiguration',
        'ecr:PutImageTagMutability',
        'ecr:DeleteRepository',
        // forceDelete: the repository is deleted with its images.
        'ecr:BatchDeleteImage',
        'ecr:ListTagsForResource',
        'ecr:TagResource',
        'ecr:UntagResource',
      ],
      resource: 'arn:aws:ecr:{region}:{account}:repository/{name}',
    },
  ],
  'aws:ecr/lifecyclePolicy:LifecyclePolicy': [
    {
      actions: ['ecr:PutLifecyclePolicy', 'ecr:GetLifecyclePolicy', 'ecr:DeleteLifecyclePolicy'],
      resource: 'arn:aws:ecr:{region}:{account}:repository/{repository}',
      refs: { repository: { input: 'repository', type: 'aws:ecr/repository:Repository' } },
    },
  ],
  // awsx builds the image with Docker and pushes it (and pulls cached layers) with an ECR token.
  'awsx:ecr:Image': [
    { actions: ['ecr:GetAuthorizationToken'], resource: '*' },
    {
      actions: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:InitiateLayerUpload',
        'ecr:UploadLayerPart',
        'ecr:CompleteLayerUpload',
        'ecr:PutImage',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
      ],
      resource: 'arn:aws:ecr:{region}:{account}:repository/{repository}',
      refs: { repository: { input: 'repositoryUrl', type: 'aws:ecr/repository:Repository' } },
    },
  ],

  // awsx's VPC component: the VPC, its subnets, internet gateway, route tables, routes and
  // associations. EC2 names resources by ids it makes, so nothing here can be scoped by name.
  'awsx:ec2:Vpc': [
    {
      actions: [
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeVpcs',
        'ec2:DescribeSubnets',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeRouteTables',
        'ec2:DescribeNetworkAcls',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeNetworkInterfaces',
      ],
      resource: '*',
    },
    {
      actions: [
        'ec2:CreateVpc',
        'ec2:DeleteVpc',
        'ec2:ModifyVpcAttribute',
        'ec2:DescribeVpcAttribute',
        'ec2:CreateTags',
        'ec2:DeleteTags',
      ],
      resource: `${EC2}:vpc/vpc-{id}`,
    },
    {
      actions: [
        'ec2:CreateSubnet',
        'ec2:DeleteSubnet',
        'ec2:ModifySubnetAttribute',
        'ec2:CreateTags',
        'ec2:DeleteTags',
      ],
      resource: `${EC2}:subnet/subnet-{id}`,
    },
    {
      actions: [
        'ec2:CreateInternetGateway',
        'ec2:AttachInternetGateway',
        'ec2:DetachInternetGateway',
        'ec2:DeleteInternetGateway',
        'ec2:CreateTags',
        'ec2:DeleteTags',
      ],
      resource: `${EC2}:internet-gateway/igw-{id}`,
    },
    {
      actions: [
        'ec2:CreateRouteTable',
        'ec2:DeleteRouteTable',
        'ec2:CreateRoute',
        'ec2:ReplaceRoute',
        'ec2:DeleteRoute',
        'ec2:AssociateRouteTable',
        'ec2:DisassociateRouteTable',
        'ec2:CreateTags',
        'ec2:DeleteTags',
      ],
      resource: `${EC2}:route-table/rtb-{id}`,
    },
  ],
  'aws:ec2/securityGroup:SecurityGroup': [
    { actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkInterfaces'], resource: '*' },
    { actions: ['ec2:CreateSecurityGroup'], resource: `${EC2}:vpc/vpc-{id}` },
    {
      actions: [
        'ec2:CreateSecurityGroup',
        'ec2:DeleteSecurityGroup',
        'ec2:CreateTags',
        ...SECURITY_GROUP_RULES,
      ],
      resource: `${EC2}:security-group/sg-{id}`,
    },
  ],

  // The optional custom domain: the certificate, its DNS validation record and the alias.
  'aws:acm/certificate:Certificate': [
    { actions: ['acm:RequestCertificate'], resource: '*' },
    {
      actions: [
        'acm:DescribeCertificate',
        'acm:DeleteCertificate',
        'acm:ListTagsForCertificate',
        'acm:AddTagsToCertificate',
        'acm:RemoveTagsFromCertificate',
      ],
      resource: 'arn:aws:acm:{region}:{account}:certificate/{id}',
    },
  ],
  'aws:acm/certificateValidation:CertificateValidation': [
    { actions: ['acm:DescribeCertificate'], resource: 'arn:aws:acm:{region}:{account}:certificate/{id}' },
  ],
  'aws:route53/record:Record': [
    {
      actions: [
        'route53:ChangeResourceRecordSets',
        'route53:ListResourceRecordSets',
        'route53:GetHostedZone',
      ],
      resource: 'arn:aws:route53:::hostedzone/{input.zoneId}',
    },
    { actions: ['route53:GetChange'], resource: 'arn:aws:route53:::change/C{id}' },
  ],
};

/** A resource the program declared, as the mocks record it (infra/test/mocks.ts). */
export interface DeclaredResource {
  type: string;
  /** The logical name. */
  name: string;
  inputs: Record<string, unknown>;
  /** `<urn>::<id>` of its explicit provider. */
  provider?: string;
  /** The id and outputs the mocks answered with. */
  id: string;
  state: Record<string, unknown>;
}

/** One call the deploy role makes. */
export interface Request {
  action: string;
  resource: string;
  context: Record<string, string>;
  /** The declared resource it is for (type and logical name), to say what a denial breaks. */
  for: string;
}

export const ACCOUNT = '123456789012';

/** A stable made-up id or name suffix for a resource (AWS and Pulumi make random ones). */
function madeUp(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/** The name AWS knows a resource by: the name given, else Pulumi's auto-name (`<logical>-<7 hex>`). */
function physicalName(resource: DeclaredResource): string {
  const given = resource.inputs.name ?? resource.inputs.family ?? resource.inputs.dashboardName;
  if (typeof given === 'string' && given.length > 0) return given;
  const autoName = `${resource.name}-${madeUp(resource.name, 7)}`;
  // ECR repository names are lower case (Pulumi lower-cases their auto-names).
  return resource.type === 'aws:ecr/repository:Repository' ? autoName.toLowerCase() : autoName;
}

/**
 * The concrete requests `pulumi up` and `pulumi destroy` make for these declared resources: each
 * resource's needs with its region (its provider's), the account, its physical name and the
 * names of the resources its inputs point to. Throws for a type without an entry in
 * `requiredActions`, or an input that names no declared resource.
 */
export function requiredRequests(
  declared: readonly DeclaredResource[],
  table: Readonly<Record<string, readonly Need[]>> = requiredActions,
): Request[] {
  const providerRegions = new Map(
    declared
      .filter((r) => r.type === 'pulumi:providers:aws')
      .map((r) => [r.name, String(r.inputs.region ?? 'us-east-1')]),
  );
  const pointedTo = (value: unknown, type: string, from: DeclaredResource): DeclaredResource => {
    const found = declared.find(
      (r) =>
        r.type === type &&
        [r.id, r.state.arn, r.state.name, r.state.repositoryUrl, r.state.url].some(
          (v) => v !== undefined && v === value,
        ),
    );
    if (!found) throw new Error(`${from.type} ${from.name}: ${String(value)} names no declared ${type}`);
    return found;
  };
  const requests: Request[] = [];
  for (const resource of declared) {
    const needs = table[resource.type];
    if (!needs) throw new Error(`no required actions for ${resource.type} (${resource.name})`);
    const providerName = resource.provider?.split('::')[3];
    const region =
      String(resource.inputs.region ?? '') ||
      (providerName && providerRegions.get(providerName)) ||
      'us-east-1';
    for (const need of needs) {
      if (need.when && resource.inputs[need.when] === undefined) continue;
      const values: Record<string, string> = {
        region,
        account: ACCOUNT,
        name: physicalName(resource),
        id: madeUp(`${resource.type}/${resource.name}`, 12),
      };
      for (const [key, value] of Object.entries(resource.inputs)) {
        if (typeof value === 'string') values[`input.${key}`] = value;
      }
      for (const [placeholder, ref] of Object.entries(need.refs ?? {})) {
        values[placeholder] = physicalName(pointedTo(resource.inputs[ref.input], ref.type, resource));
      }
      const eachOf = need.each ? ((resource.inputs[need.each] as unknown[] | undefined) ?? []) : [undefined];
      for (const each of eachOf) {
        const fill = (template: string) =>
          template.replace(/\{([^}]+)\}/g, (_, key: string) => {
            const value = key === 'each' ? each : values[key];
            if (value === undefined)
              throw new Error(`${resource.type} ${resource.name}: no value for {${key}}`);
            return String(value);
          });
        const context = Object.fromEntries(
          Object.entries(need.context ?? {}).map(([key, value]) => [key, fill(value)]),
        );
        for (const action of need.actions) {
          requests.push({
            action,
            resource: fill(need.resource),
            context,
            for: `${resource.type} ${resource.name}`,
          });
        }
      }
    }
  }
  return requests;
}

/**
 * The reads `pnpm preflight` makes before `pulumi up` (infra/preflight), which the deploy
 * workflow runs with the deploy role: the account's identity, Lambda's concurrency, the
 * matchmaker's reservation, API Gateway's account setting, the ECS service-linked role and the
 * Fargate vCPU quotas.
 */
export function preflightRequests(stackPrefix: string, regions: readonly string[], home: string): Request[] {
  const read = (action: string, resource: string): Request => ({
    action,
    resource,
    context: {},
    for: 'pnpm preflight',
  });
  return [
    read('sts:GetCallerIdentity', '*'),
    read('lambda:GetAccountSettings', '*'),
    read(
      'lambda:GetFunctionConcurrency',
      `arn:aws:lambda:${home}:${ACCOUNT}:function:${stackPrefix}-matchmaker`,
    ),
    read('apigateway:GET', `arn:aws:apigateway:${home}::/account`),
    read(
      'iam:GetRole',
      `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    ),
    ...regions.flatMap((region) =>
      ['L-3032A538', 'L-36FBB829'].flatMap((quota) => [
        read('servicequotas:GetServiceQuota', `arn:aws:servicequotas:${region}:${ACCOUNT}:fargate/${quota}`),
      ]),
    ),
    // No resource-level permissions (Service Authorization Reference: Service Quotas).
    read('servicequotas:GetAWSDefaultServiceQuota', '*'),
    read('servicequotas:GetServiceQuota', `arn:aws:servicequotas:${home}:${ACCOUNT}:lambda/L-B99A9384`),
  ];
}

/** Every action preflightRequests names. */
export const PREFLIGHT_ACTIONS: readonly string[] = [
  'sts:GetCallerIdentity',
  'lambda:GetAccountSettings',
  'lambda:GetFunctionConcurrency',
  'apigateway:GET',
  'iam:GetRole',
  'servicequotas:GetServiceQuota',
  'servicequotas:GetAWSDefaultServiceQuota',
];
