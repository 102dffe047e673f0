import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
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
  logRetentionDays: number,
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
  const accessLogs = new aws.cloudwatch.LogGroup(
    `${prefix}-ws-access`,
    { retentionInDays: logRetentionDays },
    opts,
  );
  const stage = new aws.apigatewayv2.Stage(
    `${prefix}-ws-stage`,
    {
      apiId: api.id,
      name: STAGE,
      autoDeploy: true,
      defaultRouteSettings: { throttlingBurstLimit: 500, throttlingRateLimit: 1000 },
      accessLogSettings: {
        destinationArn: accessLogs.arn,
        format: JSON.stringify({
          requestId: '$context.requestId',
          connectionId: '$context.connectionId',
          routeKey: '$context.routeKey',
          status: '$context.status',
          error: '$context.error.message',
        }),
      },
    },
    { ...opts, dependsOn: routes },
  );
  return { stage };
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
