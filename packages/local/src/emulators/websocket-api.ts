import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { LocalLambdas } from '../lambda.js';
import { sourceIpOf } from './http-util.js';

/** API Gateway's limit on a WebSocket frame (larger frames close the connection with 1009). */
const MAX_FRAME_BYTES = 128 * 1024;

export interface LocalConnection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  authorizer: Record<string, unknown>;
}

/**
 * The API Gateway WebSocket API: $connect runs the REQUEST authorizer and the
 * $connect route before the upgrade completes, frames are routed on
 * `$request.body.action` (anything else goes to $default), and a closed socket
 * runs $disconnect once. Route handlers answer through @connections.
 */
export class WebSocketApi {
  readonly connections = new Map<string, LocalConnection>();
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly routes: Map<string, string>;

  constructor(
    private readonly lambdas: LocalLambdas,
    private readonly stage = 'local',
  ) {
    // The manifest's websocketRoute triggers are the routes, as on AWS.
    this.routes = new Map();
    for (const definition of lambdas.all()) {
      if (definition.trigger.kind === 'websocketRoute')
        this.routes.set(definition.trigger.routeKey, definition.name);
    }
  }

  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const connectionId = newConnectionId();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : (value ?? ''),
      ]),
    );
    const query = Object.fromEntries(url.searchParams);
    const requestContext = this.requestContext(connectionId, '$connect', 'CONNECT', request);
    const authorizer = this.lambdas.find((f) => f.trigger.kind === 'websocketAuthorizer');
    let context: Record<string, unknown> = {};
    if (authorizer) {
      const verdict = await this.authorize(authorizer.name, { headers, query, requestContext });
      if (verdict.status !== 200) return refuse(socket, verdict.status);
      context = verdict.context;
    }
    const connectRoute = this.routes.get('$connect');
    if (connectRoute) {
      const result = (await this.lambdas
        .invoke(connectRoute, {
          requestContext: { ...requestContext, authorizer: context },
          headers,
          queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
          isBase64Encoded: false,
        })
        .catch(() => ({ statusCode: 500 }))) as { statusCode?: number } | undefined;
      const status = result?.statusCode ?? 200;
      if (status < 200 || status > 299) return refuse(socket, status);
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.open(ws, connectionId, request, context));
  }

  /** Sends data to a connection; false when it is gone (the management API's 410). */
  post(connectionId: string, data: Buffer): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection || connection.socket.readyState !== connection.socket.OPEN) return false;
    connection.socket.send(data.toString('utf8'));
    return true;
  }

  close(connectionId: string): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection) return false;
    connection.socket.close(1000, 'closed by the API');
    return true;
  }

  /** Closes every socket (their $disconnect runs) and waits for them. */
  async stop(): Promise<void> {
    const closing = [...this.connections.values()].map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.socket.once('close', () => resolve());
          connection.socket.terminate();
        }),
    );
    await Promise.all(closing);
    this.server.close();
  }

  private open(
    ws: WebSocket,
    id: string,
    request: IncomingMessage,
    authorizer: Record<string, unknown>,
  ): void {
    const now = Date.now();
    const connection: LocalConnection = {
      id,
      socket: ws,
      connectedAt: now,
      lastActiveAt: now,
      sourceIp: sourceIpOf(request),
      userAgent: request.headers['user-agent'] ?? '',
      authorizer,
    };
    this.connections.set(id, connection);
    ws.on('message', (data, isBinary) => {
      connection.lastActiveAt = Date.now();
      const body = isBinary ? Buffer.from(data as Buffer).toString('base64') : data.toString();
      void this.route(connection, body, isBinary, request);
    });
    ws.once('close', () => {
      this.connections.delete(id);
      const route = this.routes.get('$disconnect');
      if (!route) return;
      const requestContext = this.requestContext(id, '$disconnect', 'DISCONNECT', request);
      void this.lambdas
        .invoke(route, { requestContext: { ...requestContext, authorizer }, isBase64Encoded: false })
        .catch((error: unknown) => console.error(`$disconnect failed for ${id}`, error));
    });
  }

  private async route(
    connection: LocalConnection,
    body: string,
    isBinary: boolean,
    request: IncomingMessage,
  ) {
    const routeKey = this.selectRoute(body, isBinary);
    const name = this.routes.get(routeKey);
    if (!name) return;
    const requestContext = this.requestContext(connection.id, routeKey, 'MESSAGE', request);
    await this.lambdas
      .invoke(name, {
        requestContext: {
          ...requestContext,
          messageId: newConnectionId(),
          authorizer: connection.authorizer,
        },
        body,
        isBase64Encoded: isBinary,
      })
      .catch((error: unknown) => console.error(`route ${routeKey} failed for ${connection.id}`, error));
  }

  /** `$request.body.action`: a JSON object whose action names a route; anything else is $default. */
  private selectRoute(body: string, isBinary: boolean): string {
    if (isBinary) return '$default';
    try {
      const action = (JSON.parse(body) as { action?: unknown })?.action;
      if (typeof action === 'string' && !action.startsWith('$') && this.routes.has(action)) return action;
    } catch {
      // not JSON: $default
    }
    return '$default';
  }

  private async authorize(
    name: string,
    request: { headers: Record<string, string>; query: Record<string, string>; requestContext: object },
  ): Promise<{ status: number; context: Record<string, unknown> }> {
    try {
      const result = (await this.lambdas.invoke(name, {
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:local:000000000000:local/${this.stage}/$connect`,
        headers: request.headers,
        multiValueHeaders: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, [v]])),
        queryStringParameters: request.query,
        multiValueQueryStringParameters: Object.fromEntries(
          Object.entries(request.query).map(([k, v]) => [k, [v]]),
        ),
        stageVariables: {},
        requestContext: request.requestContext,
      })) as {
        principalId?: string;
        policyDocument?: { Statement?: { Effect?: string }[] };
        context?: object;
      };
      const allowed = result?.policyDocument?.Statement?.every((statement) => statement.Effect === 'Allow');
      if (!allowed) return { status: 403, context: {} };
      return { status: 200, context: { principalId: result.principalId, ...(result.context ?? {}) } };
    } catch (error) {
      return { status: (error as Error).message === 'Unauthorized' ? 401 : 500, context: {} };
    }
  }

  private requestContext(
    connectionId: string,
    routeKey: string,
    eventType: string,
    request: IncomingMessage,
  ) {
    const now = Date.now();
    return {
      routeKey,
      eventType,
      connectionId,
      connectedAt: this.connections.get(connectionId)?.connectedAt ?? now,
      requestTimeEpoch: now,
      requestId: newConnectionId(),
      extendedRequestId: newConnectionId(),
      messageDirection: 'IN',
      stage: this.stage,
      domainName: request.headers.host ?? 'localhost',
      apiId: 'local',
      identity: { sourceIp: sourceIpOf(request), userAgent: request.headers['user-agent'] ?? '' },
    };
  }
}

/** API Gateway's connection ids are 12 base64 characters ending in '='. */
function newConnectionId(): string {
  return `${randomBytes(8).toString('base64').slice(0, 11)}=`;
}

function refuse(socket: Duplex, status: number): void {
  const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Internal Server Error';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
