import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lazy } from '../runtime/lazy.js';

/*
 * SDK clients, built once per cold start with no endpoint options: on AWS the
 * defaults apply; locally the runtime sets AWS_ENDPOINT_URL_<SERVICE>. The
 * code is the same in both places.
 */

export const documentClient = lazy(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);

export const sqsClient = lazy(() => new SQSClient({}));

const managementClients = new Map<string, ApiGatewayManagementApiClient>();
/** The @connections client of the WebSocket API stage at `endpoint`. */
export function managementClient(endpoint: string): ApiGatewayManagementApiClient {
  let client = managementClients.get(endpoint);
  if (!client) {
    client = new ApiGatewayManagementApiClient({ endpoint });
    managementClients.set(endpoint, client);
  }
  return client;
}

const ecsClients = new Map<string, ECSClient>();
/** ECS in one of the fleet regions. */
export function ecsClient(region: string): ECSClient {
  let client = ecsClients.get(region);
  if (!client) {
    client = new ECSClient({ region });
    ecsClients.set(region, client);
  }
  return client;
}
