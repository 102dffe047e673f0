import {
  APIGatewayClient,
  GetAccountCommand,
  type GetAccountCommandOutput,
} from '@aws-sdk/client-api-gateway';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  GetAccountSettingsCommand,
  type GetAccountSettingsCommandOutput,
  GetFunctionConcurrencyCommand,
  type GetFunctionConcurrencyCommandOutput,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  type GetServiceQuotaCommandOutput,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import {
  GetCallerIdentityCommand,
  type GetCallerIdentityCommandOutput,
  STSClient,
} from '@aws-sdk/client-sts';
import type { AccountReader } from './preflight.js';

/** What the reader needs of an SDK v3 client: `send`. Tests pass fakes that answer like the SDK. */
export interface Sender {
  send(command: object): Promise<unknown>;
}

/** One client per service and region (IAM is global: one client). */
export interface AwsClients {
  sts(region: string): Sender;
  lambda(region: string): Sender;
  apiGateway(region: string): Sender;
  iam(): Sender;
  serviceQuotas(region: string): Sender;
}

/** The real clients, with the default credential chain (AWS_PROFILE, SSO, the workflow's role). */
export function sdkClients(homeRegion: string): AwsClients {
  const cache = new Map<string, Sender>();
  const once = (key: string, make: () => Sender): Sender => {
    let client = cache.get(key);
    if (client === undefined) {
      client = make();
      cache.set(key, client);
    }
    return client;
  };
  return {
    sts: (region) => once(`sts:${region}`, () => new STSClient({ region })),
    lambda: (region) => once(`lambda:${region}`, () => new LambdaClient({ region })),
    apiGateway: (region) => once(`apigateway:${region}`, () => new APIGatewayClient({ region })),
    iam: () => once('iam', () => new IAMClient({ region: homeRegion })),
    serviceQuotas: (region) => once(`servicequotas:${region}`, () => new ServiceQuotasClient({ region })),
  };
}

function named(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/**
 * The AccountReader over SDK v3 clients. "Absent" answers become values: IAM's
 * NoSuchEntityException (no such role), Lambda's ResourceNotFoundException (the function is not
 * deployed yet), Service Quotas' NoSuchResourceException (no applied value: AWS's default is read
 * instead, GetServiceQuota's documented behaviour; none either: no such quota in the region).
 * Every other error (AccessDenied*, throttling, no credentials) is thrown as the SDK raised it.
 */
export function awsAccountReader(clients: AwsClients, homeRegion: string): AccountReader {
  return {
    async callerIdentity() {
      const out = (await clients
        .sts(homeRegion)
        .send(new GetCallerIdentityCommand({}))) as GetCallerIdentityCommandOutput;
      return { account: out.Account ?? '?', arn: out.Arn ?? '?' };
    },
    async lambdaAccountSettings(region) {
      const out = (await clients
        .lambda(region)
        .send(new GetAccountSettingsCommand({}))) as GetAccountSettingsCommandOutput;
      return {
        concurrentExecutions: out.AccountLimit?.ConcurrentExecutions ?? 0,
        unreservedConcurrentExecutions: out.AccountLimit?.UnreservedConcurrentExecutions ?? 0,
      };
    },
    async functionReservedConcurrency(region, functionName) {
      try {
        const out = (await clients
          .lambda(region)
          .send(
            new GetFunctionConcurrencyCommand({ FunctionName: functionName }),
          )) as GetFunctionConcurrencyCommandOutput;
        return out.ReservedConcurrentExecutions;
      } catch (error) {
        if (named(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
    },
    async apiGatewayCloudWatchRoleArn(region) {
      const out = (await clients
        .apiGateway(region)
        .send(new GetAccountCommand({}))) as GetAccountCommandOutput;
      return out.cloudwatchRoleArn || undefined;
    },
    async roleExists(roleName) {
      try {
        await clients.iam().send(new GetRoleCommand({ RoleName: roleName }));
        return true;
      } catch (error) {
        if (named(error, 'NoSuchEntityException')) return false;
        throw error;
      }
    },
    async serviceQuota(region, serviceCode, quotaCode) {
      const client = clients.serviceQuotas(region);
      const input = { ServiceCode: serviceCode, QuotaCode: quotaCode };
      try {
        const out = (await client.send(new GetServiceQuotaCommand(input))) as GetServiceQuotaCommandOutput;
        return out.Quota?.Value;
      } catch (error) {
        if (!named(error, 'NoSuchResourceException')) throw error;
      }
      try {
        const out = (await client.send(
          new GetAWSDefaultServiceQuotaCommand(input),
        )) as GetServiceQuotaCommandOutput;
        return out.Quota?.Value;
      } catch (error) {
        if (named(error, 'NoSuchResourceException')) return undefined;
        throw error;
      }
    },
  };
}
