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
