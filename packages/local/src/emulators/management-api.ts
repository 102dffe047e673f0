import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AccessGuard, refuseAccess } from './aws-auth.js';
import { BodyTooLargeError, decodePathPart, readBody, sendJson, tooLarge } from './http-util.js';
import type { WebSocketApi } from './websocket-api.js';

/**
 * The `@connections` management API of the WebSocket stage, as
 * @aws-sdk/client-apigatewaymanagementapi calls it: POST (send), GET (info),
 * DELETE (close); 410 GoneException for a connection that is not open.
 * `faults` makes chosen connections answer another status (tests only).
 */
export class ManagementApi {
  /** connection id -> HTTP status to answer instead of delivering (410, 500...). */
  readonly faults = new Map<string, number>();
  /** Each call's IAM check (the stack sets LocalIam's); none: every call allowed. */
  guard?: AccessGuard;

  /** `stageArn`: `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}`, what IAM policies name. */
  constructor(
    private readonly api: WebSocketApi,
    private readonly stageArn: string,
  ) {}

  matches(path: string): boolean {
    return path.startsWith('/@connections/');
  }

  async handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const connectionId = decodePathPart(path.slice('/@connections/'.length));
    if (connectionId === undefined)
      return sendJson(
        response,
        400,
        { message: 'malformed percent-escape in the connection id' },
        { 'x-amzn-errortype': 'BadRequestException' },
      );
    // execute-api:ManageConnections on {stage}/{METHOD}/@connections/{id} ("Control access to the
    // @connections API", API Gateway Developer Guide).
    const resource = `${this.stageArn}/${request.method ?? 'GET'}/@connections/${connectionId}`;
    const denied = await this.guard?.(request, 'execute-api:ManageConnections', resource);
    if (denied) return refuseAccess(response, 'execute-api', denied);
    const fault = this.faults.get(connectionId);
    if (fault !== undefined) return error(response, fault);
    const connection = this.api.connections.get(connectionId);
    if (request.method === 'POST') {
      let data: Buffer;
      try {
        data = await readBody(request, 128 * 1024);
      } catch (failure) {
        if (!(failure instanceof BodyTooLargeError)) throw failure;
        return tooLarge(
          response,
          { message: 'Payload too large' },
          { 'x-amzn-errortype': 'PayloadTooLargeException' },
        );
      }
      return this.api.post(connectionId, data) ? empty(response, 200) : error(response, 410);
    }
    if (!connection) return error(response, 410);
    if (request.method === 'GET') {
      return sendJson(response, 200, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
      });
    }
    if (request.method === 'DELETE') {
      this.api.close(connectionId);
      return empty(response, 204);
    }
    sendJson(response, 405, { message: 'method not allowed' });
  }
}

function empty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'content-length': 0 });
  response.end();
}

function error(response: ServerResponse, status: number): void {
  const type =
    status === 410 ? 'GoneException' : status === 403 ? 'ForbiddenException' : 'InternalServerErrorException';
  sendJson(
    response,
    status,
    { message: status === 410 ? null : `injected ${status}` },
    { 'x-amzn-errortype': type },
  );
}
