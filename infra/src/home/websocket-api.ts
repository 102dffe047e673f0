import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { serviceTrustPolicy } from '../iam.js';
import type { Settings } from '../settings.js';
import type { DeployedFunctions } from './functions.js';

export const STAGE = 'live';

/** The WebSocket API, created before the functions (they need its management endpoint). */
export function createWebSocketApi(prefix: string, opts: pulumi.CustomResourceOptions) {
  const api = new aws.apigatewayv2.Api(
    `${prefix}-ws`,
    { protocolType: 'WEBSOCKET', routeSelectionExpression: '$request.body.action' },
    opts,
  );
  return api;
}

/**
 * Routes, the $connect REQUEST authorizer and the stage. The authorizer has
 * no identity sources on purpose: API Gateway refuses a request that lacks a
 * declared identity source before the authorizer runs, and a token may come
 * either in the Authorization header or (browsers) in the `token` query
 * parameter. Without identity sources there is no authorizer caching, which
 * $connect (once per connection) does not need.
 */
export function wireWebSocketApi(
  prefix: string,
  api: aws.apigatewayv2.Api,
  deployed: DeployedFunctions,
  logs: { logRetentionDays: number; accessLogs: Settings['accessLogs'] },
  opts: pulumi.CustomResourceOptions,
) {
  const authorizerFn = Object.values(deployed).find(
    (d) => d.definition.trigger.kind === 'websocketAuthorizer',
  );
  const authorizer = authorizerFn
    ? new aws.apigatewayv2.Authorizer(
        `${prefix}-ws-authorizer`,
        { apiId: api.id, authorizerType: 'REQUEST', authorizerUri: authorizerFn.fn.invokeArn, name: 'jwt' },
        opts,
      )
    : undefined;
  if (authorizerFn) allowApiGateway(`${prefix}-ws-authorizer`, authorizerFn.fn, api, opts);
  const routes: aws.apigatewayv2.Route[] = [];
  for (const { definition, fn } of Object.values(deployed)) {
    if (definition.trigger.kind !== 'websocketRoute') continue;
    const routeKey = definition.trigger.routeKey;
    const integration = new aws.apigatewayv2.Integration(
      `${prefix}-ws-${definition.name}`,
      {
        apiId: api.id,
        integrationType: 'AWS_PROXY',
        integrationUri: fn.invokeArn,
        integrationMethod: 'POST',
      },
      opts,
    );
    routes.push(
      new aws.apigatewayv2.Route(
        `${prefix}-ws-${definition.name}`,
        {
          apiId: api.id,
          routeKey,
          target: pulumi.interpolate`integrations/${integration.id}`,
          ...(routeKey === '$connect' && authorizer
            ? { authorizationType: 'CUSTOM', authorizerId: authorizer.id }
            : {}),
        },
        opts,
      ),
    );
    allowApiGateway(`${prefix}-ws-${definition.name}`, fn, api, opts);
  }
  const access = accessLogging(prefix, logs, opts);
  const stage = new aws.apigatewayv2.Stage(
    `${prefix}-ws-stage`,
    {
      apiId: api.id,
      name: STAGE,
      autoDeploy: true,
      defaultRouteSettings: { throttlingBurstLimit: 500, throttlingRateLimit: 1000 },
      accessLogSettings: access?.settings,
    },
    { ...opts, dependsOn: [...routes, ...(access?.account ? [access.account] : [])] },
  );
  return { stage };
}

/**
 * The stage's access logs, per `matchmaking:accessLogs`. CreateStage refuses
 * access logs until the region's API Gateway account setting names a role
 * that may write to CloudWatch Logs ("CloudWatch Logs role ARN must be set in
 * account settings to enable logging"): `existing` trusts that it does (`pnpm
 * preflight` checks), `create` makes the role and the region's
 * aws.apigateway.Account, a singleton per account and region (a second stack
 * saying `create` would overwrite it, and its destroy would leave the setting
 * pointing at a deleted role).
 */
function accessLogging(
  prefix: string,
  logs: { logRetentionDays: number; accessLogs: Settings['accessLogs'] },
  opts: pulumi.CustomResourceOptions,
) {
  if (logs.accessLogs === 'off') return undefined;
  const group = new aws.cloudwatch.LogGroup(
    `${prefix}-ws-access`,
    { retentionInDays: logs.logRetentionDays },
    opts,
  );
  const account = logs.accessLogs === 'create' ? apiGatewayAccount(prefix, opts) : undefined;
  const settings = {
    destinationArn: group.arn,
    format: JSON.stringify({
      requestId: '$context.requestId',
      connectionId: '$context.connectionId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      error: '$context.error.message',
    }),
  };
  return { settings, account };
}

/** The role API Gateway writes logs with, and the region's account setting naming it. */
function apiGatewayAccount(prefix: string, opts: pulumi.CustomResourceOptions): aws.apigateway.Account {
  const role = new aws.iam.Role(
    `${prefix}-apigateway-logs`,
    {
      assumeRolePolicy: serviceTrustPolicy('apigateway.amazonaws.com', { provider: opts.provider }, false),
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
    },
    opts,
  );
  return new aws.apigateway.Account(`${prefix}-apigateway-account`, { cloudwatchRoleArn: role.arn }, opts);
}

function allowApiGateway(
  name: string,
  fn: aws.lambda.Function,
  api: aws.apigatewayv2.Api,
  opts: pulumi.CustomResourceOptions,
): void {
  new aws.lambda.Permission(
    `${name}-invoke`,
    {
      action: 'lambda:InvokeFunction',
      function: fn.name,
      principal: 'apigateway.amazonaws.com',
      sourceArn: pulumi.interpolate`${api.executionArn}/*`,
    },
    opts,
  );
}

export { allowApiGateway };
