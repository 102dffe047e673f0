import type { Fleet } from '@matchmaking/functions/env';
import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import { serviceTrustPolicy } from '../iam.js';

/** Images an ECR repository keeps; older ones expire. */
export const KEPT_IMAGES = 10;

/**
 * The region's game-server repository name. ECR takes only lowercase names
 * ("Creating a private repository", ECR User Guide); a stack may be named `Prod`.
 */
export function ecrRepositoryName(fleetName: string): string {
  const lower = fleetName
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    // One separator between letters and digits: ECR refuses `_-`, `--`... at either end too.
    .replace(/[._-]{2,}/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '');
  return `${lower}-game-server`;
}

/** The container name the matchmaker overrides (must match the task definition). */
export const CONTAINER_NAME = 'game-server';

export interface FleetInput {
  prefix: string;
  region: string;
  homeRegion: string;
  repoRoot: string;
  cpu: string;
  memory: number;
  port: number;
  fargateSpot: boolean;
  logRetentionDays: number;
}

/**
 * One region's game servers: its own provider (explicit, never the default),
 * an ECR repository with the image built from game-server/Dockerfile, an ECS
 * cluster with Fargate and Fargate Spot in its own VPC's public subnets, the task definition,
 * and the forwarding of its task state changes to the home region.
 */
export function createFleet(input: FleetInput, parent: pulumi.Resource | undefined) {
  const name = `${input.prefix}-${input.region}`;
  const provider = new aws.Provider(`${name}-provider`, { region: input.region as aws.Region }, { parent });
  const opts = { provider, parent };
  // Public subnets in two availability zones with an internet gateway and routes; no NAT (tasks get public IPs).
  const vpc = new awsx.ec2.Vpc(
    `${name}-vpc`,
    {
      cidrBlock: '10.70.0.0/16',
      numberOfAvailabilityZones: 2,
      natGateways: { strategy: 'None' },
      subnetSpecs: [{ type: 'Public', cidrMask: 20 }],
      enableDnsHostnames: true,
    },
    opts,
  );
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-game-servers`,
    {
      vpcId: vpc.vpcId,
      description: 'Players reach game servers on their port',
      ingress: [
        {
          protocol: 'tcp',
          fromPort: input.port,
          toPort: input.port,
          cidrBlocks: ['0.0.0.0/0'],
          ipv6CidrBlocks: ['::/0'],
        },
      ],
      egress: [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }],
    },
    opts,
  );
  const repository = new aws.ecr.Repository(
    `${name}-game-server`,
    {
      // Named only where the auto-name could not be (a stack named `Prod`): renaming an existing
      // repository replaces it, images and all, under the task definitions still using them.
      name: /[^a-z0-9._/-]/.test(name) ? ecrRepositoryName(name) : undefined,
      forceDelete: true,
      imageScanningConfiguration: { scanOnPush: true },
    },
    opts,
  );
  // Every deploy pushes an image: keep the latest few (a start still on the previous task
  // definition revision needs its image), expire the rest ("Amazon ECR lifecycle policies").
  new aws.ecr.LifecyclePolicy(
    `${name}-game-server`,
    {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `keep the ${KEPT_IMAGES} most recent images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: KEPT_IMAGES },
            action: { type: 'expire' },
          },
        ],
      }),
    },
    opts,
  );
  const image = new awsx.ecr.Image(
    `${name}-game-server-image`,
    {
      repositoryUrl: repository.repositoryUrl,
      context: input.repoRoot,
      dockerfile: `${input.repoRoot}/game-server/Dockerfile`,
      platform: 'linux/amd64',
    },
    opts,
  );
  const cluster = new aws.ecs.Cluster(
    `${name}-cluster`,
    { settings: [{ name: 'containerInsights', value: 'enabled' }] },
    opts,
  );
  new aws.ecs.ClusterCapacityProviders(
    `${name}-capacity`,
    {
      clusterName: cluster.name,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategies: [
        { capacityProvider: input.fargateSpot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 },
      ],
    },
    opts,
  );
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-game-server-logs`,
    { retentionInDays: input.logRetentionDays },
    opts,
  );
  const executionRole = taskRole(
    `${name}-execution`,
    opts,
    'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
  );
  // The game server calls only the public callback API, with its own token (a match's bootstrap
  // token, or a pool server's registration token then server token): its task role grants nothing.
  const role = taskRole(`${name}-task`, opts);
  const taskDefinition = new aws.ecs.TaskDefinition(
    `${name}-game-server`,
    {
      family: `${name}-game-server`,
      // A deploy registers a new revision and keeps the old one ACTIVE: a start in flight (or a
      // function not yet updated) still runs tasks from it; deregistering it would fail them.
      skipDestroy: true,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: input.cpu,
      memory: String(input.memory),
      executionRoleArn: executionRole.arn,
      taskRoleArn: role.arn,
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      containerDefinitions: pulumi.all([image.imageUri, logGroup.name]).apply(([imageUri, logGroupName]) =>
        JSON.stringify([
          {
            name: CONTAINER_NAME,
            image: imageUri,
            essential: true,
            // Seconds from SIGTERM to SIGKILL: 120, Fargate's maximum and the notice a Fargate Spot
            // interruption gives. On SIGTERM an idle warm-pool server deregisters first (so no match is
            // assigned to a server about to go); a server in a match closes it and exits, and the match
            // ends through the task-stopped event. Either way the process gets every second it can.
            stopTimeout: 120,
            portMappings: [{ containerPort: input.port, protocol: 'tcp' }],
            environment: [{ name: 'PORT', value: String(input.port) }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': logGroupName,
                'awslogs-region': input.region,
                'awslogs-stream-prefix': 'match',
              },
            },
          },
        ]),
      ),
    },
    opts,
  );
  forwardTaskEvents(name, input, cluster, opts);
  const fleet: pulumi.Output<Fleet> = pulumi
    .all([cluster.name, taskDefinition.arn, vpc.publicSubnetIds, securityGroup.id])
    .apply(([clusterName, taskDefinitionArn, subnetIds, securityGroupId]) => ({
      cluster: clusterName,
      taskDefinition: taskDefinitionArn,
      containerName: CONTAINER_NAME,
      subnets: subnetIds,
      securityGroups: [securityGroupId],
      assignPublicIp: true,
      capacityProvider: input.fargateSpot ? 'FARGATE_SPOT' : 'FARGATE',
    }));
  return {
    region: input.region,
    provider,
    cluster,
    taskDefinition,
    role,
    executionRole,
    repository,
    image,
    fleet,
  };
}

function taskRole(name: string, opts: pulumi.CustomResourceOptions, managedPolicyArn?: string): aws.iam.Role {
  return new aws.iam.Role(
    name,
    {
      // The execution role (the managed policy's) without the source-account condition: see serviceTrustPolicy.
      assumeRolePolicy: serviceTrustPolicy(
        'ecs-tasks.amazonaws.com',
        { provider: opts.provider },
        managedPolicyArn === undefined,
      ),
      managedPolicyArns: managedPolicyArn ? [managedPolicyArn] : [],
    },
    opts,
  );
}

/**
 * Outside the home region, this cluster's "task stopped" events are sent to
 * the home region's default event bus, where one rule hands them to the
 * taskStateChange function (EventBridge cross-region event bus targets).
 */
function forwardTaskEvents(
  name: string,
  input: FleetInput,
  cluster: aws.ecs.Cluster,
  opts: pulumi.CustomResourceOptions,
): void {
  if (input.region === input.homeRegion) return;
  const account = aws.getCallerIdentityOutput({}, { provider: opts.provider });
  const homeBus = pulumi.interpolate`arn:aws:events:${input.homeRegion}:${account.accountId}:event-bus/default`;
  const role = new aws.iam.Role(
    `${name}-events-forwarder`,
    {
      assumeRolePolicy: serviceTrustPolicy('events.amazonaws.com', { provider: opts.provider }),
      inlinePolicies: [
        {
          name: 'put-events-home',
          policy: homeBus.apply((arn) =>
            JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: arn }],
            }),
          ),
        },
      ],
    },
    opts,
  );
  const rule = new aws.cloudwatch.EventRule(
    `${name}-task-stopped`,
    {
      eventPattern: cluster.arn.apply((arn) =>
        JSON.stringify({
          source: ['aws.ecs'],
          'detail-type': ['ECS Task State Change'],
          detail: { clusterArn: [arn], lastStatus: ['STOPPED'] },
        }),
      ),
    },
    opts,
  );
  new aws.cloudwatch.EventTarget(
    `${name}-task-stopped`,
    { rule: rule.name, arn: homeBus, roleArn: role.arn },
    opts,
  );
}
