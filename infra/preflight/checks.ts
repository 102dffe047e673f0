import { poolOf, type WarmPool } from '@matchmaking/functions/pool-config';

/*
 * The preflight checks: one pure function per check, over what was read from the
 * account (preflight.ts reads it through an AccountReader). Each returns a status,
 * what was found, and what to raise or create before `pulumi up`, with the console
 * path or the exact AWS CLI command.
 */

/** What the stack will deploy, as far as the account's limits are concerned (stack-config.ts). */
export interface PreflightPlan {
  stack: string;
  /** aws:region: the API, tables, queue and functions. */
  homeRegion: string;
  /** matchmaking:regions: a Fargate fleet in each. */
  regions: readonly string[];
  /** matchmaking:gameServerCpu, in CPU units (1024 = 1 vCPU). */
  gameServerCpu: number;
  fargateSpot: boolean;
  warmPool: WarmPool;
  /** Matches expected to run at once per region (each holds a task), besides the warm pool. */
  concurrentMatches: number;
  /** The functions the stack gives reserved concurrency, by their deployed name. */
  reservations: readonly { functionName: string; reserved: number }[];
  /** matchmaking:accessLogs: WebSocket access logs, and who provides API Gateway's CloudWatch role. */
  accessLogs: 'off' | 'existing' | 'create';
}

export type Status = 'ok' | 'action' | 'unknown';

export interface CheckResult {
  title: string;
  /** The region the check is about; undefined for account-wide ones (IAM, credentials). */
  region?: string;
  status: Status;
  /** What was found, and for `action`, what fails if nothing is done. */
  detail: string;
  /** What to do: console paths and AWS CLI commands, in order. */
  fix: string[];
}

/** An AWS error as read (the SDK's error name and message). */
export interface ReadFailure {
  name: string;
  message: string;
}

/** One read: its value, or the error AWS answered. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ReadFailure };

/** The IAM action each read needs: named when the caller is denied. */
export const PERMISSIONS = {
  callerIdentity: 'sts:GetCallerIdentity',
  lambdaSettings: 'lambda:GetAccountSettings',
  functionConcurrency: 'lambda:GetFunctionConcurrency',
  apiGatewayAccount: 'apigateway:GET on arn:aws:apigateway:<region>::/account',
  getRole: 'iam:GetRole',
  serviceQuota: 'servicequotas:GetServiceQuota and servicequotas:GetAWSDefaultServiceQuota',
} as const;

/**
 * Service Quotas codes (Service Quotas console, and `aws service-quotas list-service-quotas
 * --service-code lambda|fargate`): Lambda "Concurrent executions", Fargate "On-Demand vCPU
 * resource count" and "Fargate Spot vCPU resource count" (per region, running tasks' vCPU).
 */
export const QUOTAS = {
  lambdaConcurrency: { serviceCode: 'lambda', quotaCode: 'L-B99A9384', name: 'Concurrent executions' },
  fargateOnDemand: {
    serviceCode: 'fargate',
    quotaCode: 'L-3032A538',
    name: 'Fargate On-Demand vCPU resource count',
  },
  fargateSpot: { serviceCode: 'fargate', quotaCode: 'L-36FBB829', name: 'Fargate Spot vCPU resource count' },
} as const;

/** Lambda concurrency the matchmaker should have room for: a burst of joins is one invocation each. */
export const RECOMMENDED_LAMBDA_CONCURRENCY = 1000;

/**
 * Opt-in regions (AWS Account Management guide, "Enable or disable AWS Regions in your
 * account"): off until enabled, and a call there with valid credentials is refused as if the
 * credentials were unknown.
 */
export const OPT_IN_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
]);

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'UnauthorizedException',
]);
/** What AWS answers a signed call in a region the account has not enabled. */
const REGION_REFUSED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'AuthFailure']);

function quotaCommand(
  quota: { serviceCode: string; quotaCode: string },
  value: number,
  region: string,
): string {
  return `aws service-quotas request-service-quota-increase --service-code ${quota.serviceCode} --quota-code ${quota.quotaCode} --desired-value ${value} --region ${region}`;
}

function quotaConsole(service: string, quotaName: string, region: string): string {
  return `Console (region ${region}): Service Quotas > AWS services > ${service} > ${quotaName} > Request increase at account level`;
}

/**
 * A read that failed: "could not check", naming the permission when the caller was denied,
 * and the region to enable when an opt-in region refused the credentials.
 */
export function couldNotCheck(
  title: string,
  error: ReadFailure,
  permission: string,
  region?: string,
): CheckResult {
  const seen = `${error.name}: ${error.message}`;
  if (ACCESS_DENIED.has(error.name)) {
    return {
      title,
      region,
      status: 'unknown',
      detail: `the caller lacks ${permission} (${seen})`,
      fix: [`Grant the deploy credentials ${permission}, then run pnpm preflight again`],
    };
  }
  if (region !== undefined && OPT_IN_REGIONS.has(region) && REGION_REFUSED.has(error.name)) {
    return {
      title,
      region,
      status: 'unknown',
      detail: `${region} is an opt-in region and refused the credentials: it is probably not enabled (${seen})`,
      fix: [
        `Console: Account > AWS Regions > ${region} > Enable`,
        `aws account enable-region --region-name ${region}`,
      ],
    };
  }
  return { title, region, status: 'unknown', detail: seen, fix: [] };
}

/** 1. Whose credentials these are: every other read is made with them. */
export function checkCredentials(identity: Outcome<{ account: string; arn: string }>): CheckResult {
  const title = 'Credentials';
  if (!identity.ok) {
    const result = couldNotCheck(title, identity.error, PERMISSIONS.callerIdentity);
    return {
      ...result,
      fix: [
        ...result.fix,
        'Provide credentials for the target account: AWS_PROFILE, `aws sso login`, or the workflow role (aws-actions/configure-aws-credentials)',
      ],
    };
  }
  return {
    title,
    status: 'ok',
    detail: `account ${identity.value.account} as ${identity.value.arn}`,
    fix: [],
  };
}

/**
 * 2. Lambda concurrency in the home region (Lambda GetAccountSettings). New accounts get 10
 * concurrent executions: a burst of joins past that is throttled (the client's joinQueue fails
 * with 429) and the queue's functions wait. A reserved concurrency must leave the account's
 * minimum unreserved: AWS documents "the Unreserved account concurrency minus 100" ("Configuring
 * reserved concurrency", Lambda Developer Guide), and accounts below 100 are held to their whole
 * limit ("decreases account's UnreservedConcurrentExecution below its minimum value of [10]"):
 * the floor is min(100, limit). The stack's own current reservations are added back first, so a
 * second `pulumi up` is not counted twice.
 */
export function checkLambdaConcurrency(
  plan: PreflightPlan,
  settings: Outcome<{ concurrentExecutions: number; unreservedConcurrentExecutions: number }>,
  currentReservations: Outcome<number>,
): CheckResult {
  const title = 'Lambda concurrency';
  const region = plan.homeRegion;
  if (!settings.ok) return couldNotCheck(title, settings.error, PERMISSIONS.lambdaSettings, region);
  const { concurrentExecutions: limit, unreservedConcurrentExecutions: unreserved } = settings.value;
  const reserving = plan.reservations.reduce((sum, r) => sum + r.reserved, 0);
  const problems: string[] = [];
  let desired = RECOMMENDED_LAMBDA_CONCURRENCY;
  if (limit < RECOMMENDED_LAMBDA_CONCURRENCY) {
    problems.push(
      `concurrent executions ${limit} (recommended >= ${RECOMMENDED_LAMBDA_CONCURRENCY}): a burst of more than ${limit} joins at once is throttled (joinQueue fails, players retry)`,
    );
  }
  if (reserving > 0) {
    if (!currentReservations.ok) {
      return couldNotCheck(title, currentReservations.error, PERMISSIONS.functionConcurrency, region);
    }
    const floor = Math.min(100, limit);
    const left = unreserved + currentReservations.value - reserving;
    const names = plan.reservations.map((r) => `${r.functionName} ${r.reserved}`).join(', ');
    if (left < floor) {
      problems.push(
        `reserving ${reserving} (${names}) leaves ${left} unreserved of ${limit}, below AWS's minimum of ${floor}: pulumi up fails (InvalidParameterValueException: "decreases account's UnreservedConcurrentExecution below its minimum value")`,
      );
      // Raising the limit raises the unreserved by as much: enough that 100 are left.
      desired = Math.max(desired, limit - left + 100);
    }
  }
  if (problems.length === 0) {
    return {
      title,
      region,
      status: 'ok',
      detail: `concurrent executions ${limit}, ${unreserved} unreserved${reserving > 0 ? `; the stack reserves ${reserving}` : ''}`,
      fix: [],
    };
  }
  return {
    title,
    region,
    status: 'action',
    detail: problems.join('; '),
    fix: [
      quotaConsole('AWS Lambda', QUOTAS.lambdaConcurrency.name, region),
      quotaCommand(QUOTAS.lambdaConcurrency, desired, region),
    ],
  };
}

/**
 * 3. API Gateway's CloudWatch role in the home region (API Gateway GetAccount). A WebSocket
 * stage with access logs is refused ("CloudWatch Logs role ARN must be set in account settings
 * to enable logging") until the region's account settings name a role ("Set up CloudWatch
 * logging for WebSocket APIs in API Gateway"). `existing`: it must be set already; `create`: the
 * stack sets it with aws.apigateway.Account, one per account and region
 * (AWS::ApiGateway::Account: "only one ... per region per account"): two stacks would overwrite
 * each other's role.
 */
export function checkApiGatewayRole(
  plan: PreflightPlan,
  roleArn: Outcome<string | undefined> | undefined,
): CheckResult {
  const title = 'API Gateway CloudWatch role';
  const region = plan.homeRegion;
  if (plan.accessLogs === 'off' || roleArn === undefined) {
    return {
      title,
      region,
      status: 'ok',
      detail: 'not needed: matchmaking:accessLogs is off',
      fix: [],
    };
  }
  if (!roleArn.ok) return couldNotCheck(title, roleArn.error, PERMISSIONS.apiGatewayAccount, region);
  const current = roleArn.value;
  if (plan.accessLogs === 'existing') {
    if (current !== undefined) {
      return { title, region, status: 'ok', detail: `set: ${current}`, fix: [] };
    }
    return {
      title,
      region,
      status: 'action',
      detail:
        'matchmaking:accessLogs is existing but no CloudWatch role is set: pulumi up fails (BadRequestException: CloudWatch Logs role ARN must be set in account settings to enable logging)',
      fix: [
        'aws iam create-role --role-name APIGatewayCloudWatchLogs --assume-role-policy-document \'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"}]}\'',
        'aws iam attach-role-policy --role-name APIGatewayCloudWatchLogs --policy-arn arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
        `aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=arn:aws:iam::<account>:role/APIGatewayCloudWatchLogs --region ${region}`,
        `Console (region ${region}): API Gateway > Settings > Logging > Edit > CloudWatch log role ARN`,
        'or set matchmaking:accessLogs to create (the stack then owns the region-wide setting)',
      ],
    };
  }
  if (current !== undefined) {
    return {
      title,
      region,
      status: 'action',
      detail: `matchmaking:accessLogs is create but ${region} already has a CloudWatch role (${current}): the stack would replace it, and aws.apigateway.Account is one per account and region, so another stack or tool managing it would fight this one`,
      fix: [`pulumi config set matchmaking:accessLogs existing --stack ${plan.stack}`],
    };
  }
  return {
    title,
    region,
    status: 'ok',
    detail: `none set; the stack creates it (aws.apigateway.Account is one per account and region: no other stack in ${region} may manage it)`,
    fix: [],
  };
}

/**
 * 4. ECS's service-linked role (IAM GetRole AWSServiceRoleForECS). ECS creates it on first use
 * only if the caller may (iam:CreateServiceLinkedRole; "Using service-linked roles for Amazon
 * ECS"); otherwise the first cluster or RunTask fails.
 */
export function checkEcsServiceLinkedRole(exists: Outcome<boolean>): CheckResult {
  const title = 'ECS service-linked role';
  if (!exists.ok) return couldNotCheck(title, exists.error, PERMISSIONS.getRole);
  if (exists.value) return { title, status: 'ok', detail: 'AWSServiceRoleForECS exists', fix: [] };
  return {
    title,
    status: 'action',
    detail:
      'AWSServiceRoleForECS is missing: ECS creates it on first use only if the deploy role has iam:CreateServiceLinkedRole; otherwise creating the clusters fails',
    fix: [
      'aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com',
      'Console: IAM > Roles > Create role > AWS service > Elastic Container Service > Elastic Container Service',
    ],
  };
}

/** vCPU a region's fleet may hold at once: the warm pool at its max plus the matches running. */
export function fargateVcpuNeeded(plan: PreflightPlan, region: string): { tasks: number; vcpu: number } {
  const tasks = poolOf(plan.warmPool, region).max + plan.concurrentMatches;
  return { tasks, vcpu: (tasks * plan.gameServerCpu) / 1024 };
}

/**
 * 5. Fargate vCPU per fleet region (Service Quotas; "Amazon ECS service quotas": the vCPU of
 * running tasks, per region). A task past it is not placed ("You've reached the limit on the
 * number of vCPUs you can run concurrently"): the warm pool stays short and cold matches wait.
 * `undefined`: Service Quotas has no such quota in the region.
 */
export function checkFargateQuota(
  plan: PreflightPlan,
  region: string,
  quota: Outcome<number | undefined>,
): CheckResult {
  const which = plan.fargateSpot ? QUOTAS.fargateSpot : QUOTAS.fargateOnDemand;
  const title = plan.fargateSpot ? 'Fargate Spot vCPU' : 'Fargate On-Demand vCPU';
  if (!quota.ok) return couldNotCheck(title, quota.error, PERMISSIONS.serviceQuota, region);
  const { tasks, vcpu } = fargateVcpuNeeded(plan, region);
  const need = `${tasks} tasks (warm pool max ${poolOf(plan.warmPool, region).max} + ${plan.concurrentMatches} concurrent matches) x ${plan.gameServerCpu / 1024} vCPU = ${vcpu} vCPU`;
  if (quota.value === undefined) {
    return {
      title,
      region,
      status: 'unknown',
      detail: `Service Quotas has no ${which.quotaCode} (${which.name}) in ${region}; the fleet needs ${need}`,
      fix: [`aws service-quotas list-service-quotas --service-code fargate --region ${region}`],
    };
  }
  if (quota.value >= vcpu) {
    return { title, region, status: 'ok', detail: `quota ${quota.value} vCPU >= ${need}`, fix: [] };
  }
  const desired = Math.ceil(vcpu);
  return {
    title,
    region,
    status: 'action',
    detail: `quota ${quota.value} vCPU < ${need}: tasks past the quota are not placed (the warm pool stays short, matches wait for a server)`,
    fix: [quotaConsole('AWS Fargate', which.name, region), quotaCommand(which, desired, region)],
  };
}
