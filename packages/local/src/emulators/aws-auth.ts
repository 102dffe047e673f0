import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-util.js';

/** The AWS credentials of one local run: the handlers get them, and only requests signed with them are served. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A random key pair per run, shaped like AWS's (20-character key id, 40-character secret). */
export function newLocalCredentials(): LocalCredentials {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

/**
 * The access key id a request's SigV4 Authorization header names, if any
 * (only the key id is read: the signature itself is not recomputed).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html
 */
export function accessKeyIdOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('AWS4-HMAC-SHA256 ')) return undefined;
  return /Credential=([^/,\s]+)\//.exec(header)?.[1];
}

/** Constant-time string comparison (for secrets). */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const MISSING_TOKEN = 'Missing Authentication Token';

/**
 * The error each service answers for a request without valid credentials, in
 * its own protocol: AWS JSON 1.1 for ECS, AWS JSON 1.0 (query-compatible) for
 * SQS, REST-JSON for the API Gateway management API.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 */
export function refuseUnsigned(
  response: ServerResponse,
  service: 'ecs' | 'sqs' | 'execute-api',
  problem: 'missing' | 'invalid',
): void {
  const message = problem === 'missing' ? MISSING_TOKEN : INVALID_TOKEN;
  const type = problem === 'missing' ? 'MissingAuthenticationTokenException' : 'UnrecognizedClientException';
  if (service === 'ecs') {
    sendJson(response, 403, { __type: type, message }, { 'content-type': 'application/x-amz-json-1.1' });
  } else if (service === 'sqs') {
    const code = problem === 'missing' ? 'MissingAuthenticationToken' : 'InvalidClientTokenId';
    sendJson(
      response,
      403,
      { __type: `com.amazon.coral.service#${type}`, message },
      { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};Sender` },
    );
  } else {
    sendJson(response, 403, { message }, { 'x-amzn-errortype': type });
  }
}

/**
 * An identity-based denial (LocalIam), in each service's protocol: DynamoDB
 * and ECS answer 400 AccessDeniedException (AWS JSON 1.0 / 1.1), SQS 403 with
 * the query error code AccessDenied, the @connections API 403
 * AccessDeniedException. The message is AWS's: it names the role, the action
 * and the resource ("Troubleshoot access denied error messages", IAM User Guide).
 */
export function refuseAccess(
  response: ServerResponse,
  service: 'ecs' | 'sqs' | 'execute-api' | 'dynamodb',
  message: string,
): void {
  if (service === 'dynamodb') {
    sendJson(
      response,
      400,
      { __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', message },
      { 'content-type': 'application/x-amz-json-1.0' },
    );
  } else if (service === 'ecs') {
    sendJson(
      response,
      400,
      { __type: 'AccessDeniedException', message },
      { 'content-type': 'application/x-amz-json-1.1' },
    );
  } else if (service === 'sqs') {
    sendJson(
      response,
      403,
      { __type: 'com.amazon.coral.service#AccessDeniedException', message },
      { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'AccessDenied;Sender' },
    );
  } else {
    sendJson(response, 403, { message }, { 'x-amzn-errortype': 'AccessDeniedException' });
  }
}

/**
 * Decides whether a signed request may do `action` on `resource` (with these
 * IAM condition keys): undefined when it may, else the AccessDenied message.
 * The stack sets one on each emulator (LocalIam.check); without one, every call is allowed.
 */
export type AccessGuard = (
  request: IncomingMessage,
  action: string,
  resource: string,
  context?: Record<string, string | string[]>,
) => Promise<string | undefined>;
