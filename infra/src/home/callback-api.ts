import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { DeployedFunctions } from './functions.js';
import { allowApiGateway } from './websocket-api.js';

/**
 * The HTTP API the game servers call (a match's session, ready, result; a warm-pool server's
 * register, heartbeat, assignment, deregister, release): one route per http trigger of the manifest.
 */
export function createCallbackApi(prefix: string, opts: pulumi.CustomResourceOptions) {
  return new aws.apigatewayv2.Api(`${prefix}-callbacks`, { protocolType: 'HTTP' }, opts);
}

export function wireCallbackApi(
  prefix: string,
  api: aws.apigatewayv2.Api,
  deployed: DeployedFunctions,
  opts: pulumi.CustomResourceOptions,
) {
  const routes: aws.apigatewayv2.Route[] = [];
  for (const { definition, fn } of Object.values(deployed)) {
    if (definition.trigger.kind !== 'http') continue;
    const integration = new aws.apigatewayv2.Integration(
      `${prefix}-http-${definition.name}`,
      {
        apiId: api.id,
        integrationType: 'AWS_PROXY',
        integrationUri: fn.invokeArn,
        payloadFormatVersion: '2.0',
      },
      opts,
    );
    routes.push(
      new aws.apigatewayv2.Route(
        `${prefix}-http-${definition.name}`,
        {
          apiId: api.id,
          routeKey: `${definition.trigger.method} ${definition.trigger.path}`,
          target: pulumi.interpolate`integrations/${integration.id}`,
        },
        opts,
      ),
    );
    allowApiGateway(`${prefix}-http-${definition.name}`, fn, api, opts);
  }
  return new aws.apigatewayv2.Stage(
    `${prefix}-callbacks-stage`,
    {
      apiId: api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: { throttlingBurstLimit: 200, throttlingRateLimit: 500 },
    },
    { ...opts, dependsOn: routes },
  );
}
