import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { loadConfig } from '../env.js';
import { lazy } from '../runtime/lazy.js';
import { createLogger } from '../runtime/logger.js';
import { PlayerTokenVerifier, tokenFromRequest } from '../use-cases/verify-player-token.js';

const logger = createLogger('authorizer');
const verifier = lazy(() => {
  const config = loadConfig(['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URL', 'JWT_MAX_TOKEN_AGE_SECONDS']);
  return new PlayerTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    jwksUrl: config.JWKS_URL,
    maxTokenAgeSeconds: config.JWT_MAX_TOKEN_AGE_SECONDS,
  });
});

/**
 * $connect REQUEST authorizer. No token (or not a JWT at all): throw
 * 'Unauthorized', which API Gateway answers with 401. A token that fails
 * verification: a Deny policy (403). Either way nothing is stored.
 *
 * The token comes in `Authorization: Bearer` (servers, Node) or, since
 * browsers cannot set headers on a WebSocket, in the `token` query-string
 * parameter (the SDK picks the one its runtime can send). A WebSocket API's
 * REQUEST authorizer may declare identity sources, `route.request.header.X`
 * or `route.request.querystring.X` (API Gateway developer guide, "Control
 * access to WebSocket APIs with AWS Lambda REQUEST authorizers",
 * docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html),
 * but then refuses with 401, without calling the function, any request
 * missing one of them: declaring either would refuse the other transport,
 * so infra declares none (infra/src/home/websocket-api.ts;
 * infra/test/program.test.ts checks it) and every $connect is verified here.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = tokenFromRequest(event.headers, event.queryStringParameters);
  const check = await verifier().verify(token);
  const connectionId = (event.requestContext as { connectionId?: string }).connectionId;
  if (!check.ok && check.reason === 'missing') {
    logger.info('connection refused: no token', { connectionId, detail: check.detail });
    throw new Error('Unauthorized');
  }
  if (!check.ok) logger.info('connection refused: bad token', { connectionId, detail: check.detail });
  const principalId = check.ok ? check.userId : 'anonymous';
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: check.ok ? 'Allow' : 'Deny', Resource: event.methodArn },
      ],
    },
    ...(check.ok ? { context: { userId: check.userId } } : {}),
  };
}
