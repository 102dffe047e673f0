import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { LocalLambdas } from '../lambda.js';
import { sourceIpOf } from './http-util.js';

/*
 * API Gateway's WebSocket quotas: a message is at most 128 KB and each of its
 * frames at most 32 KB; a client over either is disconnected with 1009.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export const MAX_MESSAGE_BYTES = 128 * 1024;
export const MAX_FRAME_BYTES = 32 * 1024;
/** Route invocations in flight per connection; further frames wait in the kernel (the socket is paused). */
export const MAX_IN_FLIGHT_PER_CONNECTION = 4;

/*
 * API Gateway's WebSocket quotas (neither can be increased): "Idle Connection
 * Timeout 10 minutes" and "Connection duration for WebSocket API 2 hours".
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html
 * AWS documents no close code for either; clients report 1001 (Going Away).
 */
export const IDLE_TIMEOUT_SECONDS = 600;
export const MAX_CONNECTION_SECONDS = 7200;
export const LIMIT_CLOSE_CODE = 1001;
export const LIMIT_CLOSE_REASON = 'Going away';

/** How long a connection may stay quiet, and open at all (startLocalStack's websocketLimits). */
export interface WebSocketLimits {
  /** Seconds without a message from the client before the connection is closed (default 600). */
  idleSeconds: number;
  /** Seconds after it connected that every connection is closed (default 7200). */
  maxConnectionSeconds: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  idleSeconds: IDLE_TIMEOUT_SECONDS,
  maxConnectionSeconds: MAX_CONNECTION_SECONDS,
};

/** The limits with defaults filled in, checked: each a number of seconds from 1 to API Gateway's own. */
export function webSocketLimits(input: Partial<WebSocketLimits> = {}): WebSocketLimits {
  const limits = { ...DEFAULT_WEBSOCKET_LIMITS, ...input };
  for (const [name, value] of Object.entries(limits) as [keyof WebSocketLimits, number][]) {
    const most = DEFAULT_WEBSOCKET_LIMITS[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > most)
      throw new Error(
        `websocketLimits.${name} must be more than 0 and at most ${most} (AWS's), got ${value}`,
      );
  }
  return limits;
}

export interface LocalConnection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  authorizer: Record<string, unknown>;
  /** Route invocations running for this connection (at most MAX_IN_FLIGHT_PER_CONNECTION). */
  inFlight: number;
  /** Messages read but not yet routed (a socket read's worth at most: the socket is paused meanwhile). */
  pending: string[];
  /** Being closed by the API for a protocol violation: nothing more it sends is routed. */
  closing: boolean;
  /** The idle timer, re-armed by every message from the client (not by those sent to it). */
  idleTimer?: NodeJS.Timeout;
  /** Closes the connection at the duration limit. */
  lifetimeTimer?: NodeJS.Timeout;
}

/**
 * The API Gateway WebSocket API: $connect runs the REQUEST authorizer and the
 * $connect route before the upgrade completes, frames are routed on
 * `$request.body.action` (anything else goes to $default), and a closed socket
 * runs $disconnect once. Route handlers answer through @connections.
 *
 * One client cannot take the runtime down or stall it: a protocol violation
 * closes only that connection (1002 / 1007 / 1009, 1003 for binary frames) and
 * runs its $disconnect; at most MAX_IN_FLIGHT_PER_CONNECTION of its messages
 * are routed at a time while its socket is paused; and a client that goes
 * away during $connect gets its $disconnect too.
 *
 * API Gateway's two time limits hold too: a connection the client sent
 * nothing on for `idleSeconds` is closed, and every connection is closed
 * `maxConnectionSeconds` after it connected (1001, then $disconnect as for any
 * close). Only the client's messages count as activity here: what the
 * backend posts through @connections does not keep a connection open.
 */
export class WebSocketApi {
  readonly connections = new Map<string, LocalConnection>();
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  private readonly routes: Map<string, string>;

  constructor(
    private readonly lambdas: LocalLambdas,
    private readonly limits: WebSocketLimits = DEFAULT_WEBSOCKET_LIMITS,
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
    // Node's HTTP server drops its own 'error' listener from an upgrading socket: a
    // client resetting the connection while the authorizer runs must not crash the runtime.
    socket.on('error', () => undefined);
    // A request that cannot become a WebSocket is refused before any function runs.
    const problem = upgradeProblem(request);
    if (problem) return refuse(socket, 400, problem);
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      return refuse(socket, 400, 'malformed request target');
    }
    let gone = false;
    socket.once('close', () => {
      gone = true;
    });
    const connectionId = newConnectionId();
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
    if (gone) return; // no $connect ran: nothing to undo
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
    // $connect succeeded: from here on, API Gateway runs $disconnect whatever happens to the
    // connection, so a client gone before the upgrade completes leaves no connection behind.
    let opened = false;
    if (!gone && !socket.destroyed) {
      this.server.handleUpgrade(request, socket, head, (ws) => {
        opened = true;
        this.open(ws, connectionId, request, context, socket);
      });
    }
    if (!opened) {
      socket.destroy();
      this.disconnect(connectionId, request, context);
    }
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
    // What it sent and is not routed yet is dropped; reading resumes so its close frame is seen.
    connection.closing = true;
    connection.pending = [];
    connection.socket.close(1000, 'closed by the API');
    connection.socket.resume();
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
    socket: Duplex,
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
      inFlight: 0,
      pending: [],
      closing: false,
    };
    this.connections.set(id, connection);
    // A misbehaving client gets the close frame and a second to answer it, not ws's 30.
    const hangUp = () => setTimeout(() => ws.terminate(), 1000).unref();
    const condemn = (code: number, reason: string) => {
      if (connection.closing) return;
      connection.closing = true;
      connection.pending = [];
      ws.close(code, reason);
      ws.resume();
      hangUp();
    };
    // ws has no per-frame limit: follow the frame headers of the raw bytes. Prepended, so it
    // sees every chunk (the upgrade's head included) before ws parses it.
    socket.prependListener(
      'data',
      frameSizeWatcher(MAX_FRAME_BYTES, () => condemn(1009, 'frame too large')),
    );
    // A protocol violation (invalid UTF-8, unmasked frame, reserved opcode or bit, oversized
    // control frame or message, bad close code): ws closes the connection with 1002 / 1007 /
    // 1009 and 'close' runs $disconnect. Without this listener the error would end the process.
    ws.on('error', () => {
      connection.closing = true;
      connection.pending = [];
      hangUp();
    });
    // The timers only close the socket; 'close' clears them. Unref'd: an open connection alone
    // must not keep a process (a test run, a script) alive.
    const timeUp = () => condemn(LIMIT_CLOSE_CODE, LIMIT_CLOSE_REASON);
    const armIdle = () => {
      clearTimeout(connection.idleTimer);
      connection.idleTimer = setTimeout(timeUp, this.limits.idleSeconds * 1000).unref();
    };
    armIdle();
    connection.lifetimeTimer = setTimeout(timeUp, this.limits.maxConnectionSeconds * 1000).unref();
    ws.on('message', (data, isBinary) => {
      if (connection.closing) return;
      connection.lastActiveAt = Date.now();
      armIdle();
      // API Gateway refuses binary frames and closes the connection with 1003.
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-binary-media-types.html
      if (isBinary) return condemn(1003, 'binary frames are not supported');
      connection.pending.push(data.toString());
      this.pump(connection, request);
    });
    ws.once('close', () => {
      clearTimeout(connection.idleTimer);
      clearTimeout(connection.lifetimeTimer);
      connection.closing = true;
      connection.pending = [];
      this.connections.delete(id);
      this.disconnect(id, request, authorizer);
    });
  }

  /** Routes the connection's waiting messages, a few at a time; its socket stays paused while any wait. */
  private pump(connection: LocalConnection, request: IncomingMessage): void {
    while (connection.inFlight < MAX_IN_FLIGHT_PER_CONNECTION && connection.pending.length > 0) {
      const body = connection.pending.shift() as string;
      connection.inFlight += 1;
      void this.route(connection, body, request).finally(() => {
        connection.inFlight -= 1;
        this.pump(connection, request);
      });
    }
    if (connection.closing) return;
    if (connection.pending.length > 0) connection.socket.pause();
    else connection.socket.resume();
  }

  private disconnect(id: string, request: IncomingMessage, authorizer: Record<string, unknown>): void {
    const route = this.routes.get('$disconnect');
    if (!route) return;
    const requestContext = this.requestContext(id, '$disconnect', 'DISCONNECT', request);
    void this.lambdas
      .invoke(route, { requestContext: { ...requestContext, authorizer }, isBase64Encoded: false })
      .catch((error: unknown) => console.error(`$disconnect failed for ${id}`, error));
  }

  private async route(connection: LocalConnection, body: string, request: IncomingMessage) {
    const routeKey = this.selectRoute(body);
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
        isBase64Encoded: false,
      })
      .catch((error: unknown) => console.error(`route ${routeKey} failed for ${connection.id}`, error));
  }

  /** `$request.body.action`: a JSON object whose action names a route; anything else is $default. */
  private selectRoute(body: string): string {
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

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

/** Answers an upgrade request with an HTTP error and closes the connection. */
export function refuse(socket: Duplex, status: number, message?: string): void {
  const text = STATUS_TEXT[status] ?? 'Internal Server Error';
  const body = message ? JSON.stringify({ message }) : '';
  const type = body ? 'Content-Type: application/json\r\n' : '';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Why a request cannot be a WebSocket opening handshake (RFC 6455 4.2.1), or
 * undefined when it can: checked before the authorizer, so no function runs
 * for an upgrade that would fail anyway.
 */
function upgradeProblem(request: IncomingMessage): string | undefined {
  if (request.method !== 'GET') return 'a WebSocket upgrade must be a GET';
  if (String(request.headers.upgrade ?? '').toLowerCase() !== 'websocket')
    return 'the Upgrade header must be websocket';
  if (request.headers['sec-websocket-version'] !== '13') return 'Sec-WebSocket-Version must be 13';
  const key = request.headers['sec-websocket-key'];
  if (
    typeof key !== 'string' ||
    !/^[+/0-9A-Za-z]{22}==$/.test(key) ||
    Buffer.from(key, 'base64').length !== 16
  )
    return 'Sec-WebSocket-Key must be 16 random bytes in base64';
  return undefined;
}

/**
 * Follows the frame headers (RFC 6455 5.2) of a client's byte stream and calls
 * `onTooLarge` once a frame announces more than `limit` payload bytes.
 */
export function frameSizeWatcher(limit: number, onTooLarge: () => void): (chunk: Buffer) => void {
  let header: number[] = [];
  let skip = 0; // payload bytes of the current frame still to pass over
  let done = false;
  return (chunk) => {
    let offset = 0;
    while (!done && offset < chunk.length) {
      if (skip > 0) {
        const step = Math.min(skip, chunk.length - offset);
        skip -= step;
        offset += step;
        continue;
      }
      header.push(chunk[offset] as number);
      offset += 1;
      if (header.length < 2) continue;
      const short = (header[1] as number) & 0x7f;
      const masked = ((header[1] as number) & 0x80) !== 0;
      const lengthBytes = short === 126 ? 2 : short === 127 ? 8 : 0;
      if (header.length < 2 + lengthBytes + (masked ? 4 : 0)) continue;
      let length = short;
      if (lengthBytes > 0) {
        length = 0;
        for (let i = 2; i < 2 + lengthBytes; i += 1) length = length * 256 + (header[i] as number);
      }
      header = [];
      if (length > limit) {
        done = true;
        onTooLarge();
        return;
      }
      skip = length;
    }
  };
}
