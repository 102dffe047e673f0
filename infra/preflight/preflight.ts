import {
  type CheckResult,
  checkApiGatewayRole,
  checkCredentials,
  checkEcsServiceLinkedRole,
  checkFargateQuota,
  checkLambdaConcurrency,
  type Outcome,
  type PreflightPlan,
  QUOTAS,
} from './checks.js';

/**
 * What preflight reads from the target account, with the caller's credentials. Each method
 * answers a value or throws the AWS error (its `name` is the SDK's error name); "absent" answers
 * (no such role, no such quota, no such function) are values, not errors (aws-reader.ts).
 */
export interface AccountReader {
  callerIdentity(): Promise<{ account: string; arn: string }>;
  lambdaAccountSettings(
    region: string,
  ): Promise<{ concurrentExecutions: number; unreservedConcurrentExecutions: number }>;
  /** A function's reserved concurrency; undefined when it has none or does not exist yet. */
  functionReservedConcurrency(region: string, functionName: string): Promise<number | undefined>;
  /** API Gateway's account-level CloudWatch role in the region; undefined when unset. */
  apiGatewayCloudWatchRoleArn(region: string): Promise<string | undefined>;
  roleExists(roleName: string): Promise<boolean>;
  /** The quota's applied value (else AWS's default); undefined when the region has no such quota. */
  serviceQuota(region: string, serviceCode: string, quotaCode: string): Promise<number | undefined>;
}

async function attempt<T>(read: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    const failure =
      error instanceof Error
        ? { name: error.name, message: error.message }
        : { name: 'Error', message: String(error) };
    return { ok: false, error: failure };
  }
}

/** Every check, in the report's order: credentials first, then the home region, IAM, each fleet region. */
export async function runPreflight(reader: AccountReader, plan: PreflightPlan): Promise<CheckResult[]> {
  const identity = await attempt(() => reader.callerIdentity());
  const credentials = checkCredentials(identity);
  if (!identity.ok) {
    // Every other read would fail the same way: one clear line instead of six.
    return [credentials];
  }
  const home = plan.homeRegion;
  const fleetQuota = plan.fargateSpot ? QUOTAS.fargateSpot : QUOTAS.fargateOnDemand;
  const quotasRead = Promise.all(
    plan.regions.map((region) =>
      attempt(() => reader.serviceQuota(region, fleetQuota.serviceCode, fleetQuota.quotaCode)),
    ),
  );
  const [settings, reserved, roleArn, ecsRole] = await Promise.all([
    attempt(() => reader.lambdaAccountSettings(home)),
    attempt(async () => {
      let sum = 0;
      for (const { functionName } of plan.reservations) {
        sum += (await reader.functionReservedConcurrency(home, functionName)) ?? 0;
      }
      return sum;
    }),
    plan.accessLogs === 'off' ? undefined : attempt(() => reader.apiGatewayCloudWatchRoleArn(home)),
    attempt(() => reader.roleExists('AWSServiceRoleForECS')),
  ]);
  const quotas = await quotasRead;
  return [
    credentials,
    checkLambdaConcurrency(plan, settings, reserved),
    checkApiGatewayRole(plan, roleArn),
    checkEcsServiceLinkedRole(ecsRole),
    ...plan.regions.map((region, i) => checkFargateQuota(plan, region, quotas[i]!)),
  ];
}
