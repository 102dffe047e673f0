import { ErrorCode, MatchmakingError } from '@matchmaking/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createLogger } from '../../runtime/logger.js';

const logger = createLogger('callbacks');

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidJson]: 400,
  [ErrorCode.InvalidMessage]: 400,
  [ErrorCode.MessageTooLarge]: 413,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Gone]: 410,
};

/** JSON response of the callback API. */
export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Runs a callback use case and maps typed errors to HTTP statuses with a {code, message} body. */
export function callbackRoute(
  run: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>,
) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      return await run(event);
    } catch (error) {
      if (error instanceof MatchmakingError) {
        return json(STATUS[error.code] ?? 400, { code: error.code, message: error.message });
      }
      logger.error('callback failed', {
        matchId: event.pathParameters?.matchId,
        serverId: event.pathParameters?.serverId,
        error,
      });
      return json(500, { code: ErrorCode.Internal, message: 'internal error; retry' });
    }
  };
}

/** The body as text, decoded if API Gateway base64-encoded it. */
export function bodyOf(event: APIGatewayProxyEventV2): string | undefined {
  if (event.body === undefined) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}
