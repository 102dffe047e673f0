import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AccessGuard, accessKeyIdOf, refuseAccess } from './aws-auth.js';
import { BodyTooLargeError, isLoopbackHost, readBody, sendJson, tooLarge } from './http-util.js';

/** DynamoDB's answer to a request without valid credentials. */
function refuseSigning(response: ServerResponse, type: string, message: string): void {
  sendJson(
    response,
    400,
    { __type: `com.amazon.coral.service#${type}`, message },
    { 'content-type': 'application/x-amz-json-1.0' },
  );
}

/** DynamoDB's largest request: 16 MB for a BatchWriteItem ("Service, account, and table quotas"). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * The IAM requests one DynamoDB call makes: its action on each table (or
 * index) it names. Batch calls are authorised per table, as DynamoDB does;
 * a transaction per item, with the item's own action
 * ("Actions, resources, and condition keys for Amazon DynamoDB").
 */
export function dynamoRequests(
  operation: string,
  input: Record<string, unknown>,
  tableArn: (table: string) => string,
): { action: string; resource: string }[] {
  const tableOf = (value: unknown) => tableArn(String(value));
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const tables = Object.keys((input.RequestItems as Record<string, unknown> | undefined) ?? {});
    return tables.map((table) => ({ action: `dynamodb:${operation}`, resource: tableOf(table) }));
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = (input.TransactItems as Record<string, Record<string, unknown>>[] | undefined) ?? [];
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, call]) => ({
        action: `dynamodb:${kind === 'Get' ? 'GetItem' : kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`}`,
        resource: tableOf(call.TableName),
      })),
    );
  }
  const table = tableOf(input.TableName);
  const index = typeof input.IndexName === 'string' ? `${table}/index/${input.IndexName}` : table;
  return [{ action: `dynamodb:${operation}`, resource: index }];
}

/**
 * An IAM gate in front of dynalite: every call is read, each table it names
 * is checked against the caller's role (`guard`), then it is passed on to
 * `target` unchanged, or refused with DynamoDB's AccessDeniedException.
 * The handlers' DynamoDB endpoint is this gate; the stack's own set-up and
 * tests reading tables use dynalite directly.
 */
export async function startDynamoGate(input: {
  target: string;
  guard: AccessGuard;
  tableArn: (table: string) => string;
  /** Whether a request is signed by a key of this run (its own, or a function's). */
  known: (request: IncomingMessage) => boolean;
  /** The key dynalite accepts: a known caller's request is passed on signed with it. */
  targetKeyId: string;
}): Promise<{ endpoint: string; close(): Promise<void> }> {
  const target = new URL(input.target);
  const server = createServer((request, response) => {
    gate(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { message: String(error) });
      else response.destroy();
    });
  });
  async function gate(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(request, MAX_REQUEST_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return tooLarge(response, { message: 'Request too large' });
      throw error;
    }
    // As dynalite behind it: loopback Hosts only (DNS rebinding), and signed requests only.
    if (!isLoopbackHost(request.headers.host))
      return sendJson(
        response,
        403,
        {
          __type: 'com.amazon.coral.service#AccessDeniedException',
          message: 'the Host must name this machine',
        },
        { 'content-type': 'application/x-amz-json-1.0' },
      );
    if (accessKeyIdOf(request) === undefined)
      return refuseSigning(response, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (!input.known(request))
      return refuseSigning(
        response,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    // What DynamoDB cannot parse, dynalite refuses in DynamoDB's words: pass it on unchecked.
    if (operation && typeof parsed === 'object' && parsed !== null) {
      for (const { action, resource } of dynamoRequests(
        operation,
        parsed as Record<string, unknown>,
        input.tableArn,
      )) {
        const denied = await input.guard(request, action, resource);
        if (denied) return refuseAccess(response, 'dynamodb', denied);
      }
    }
    await forward(request, body, response);
  }
  function forward(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: {
            ...request.headers,
            host: target.host,
            'content-length': String(body.length),
            authorization: String(request.headers.authorization).replace(
              /Credential=[^/,\s]+\//,
              `Credential=${input.targetKeyId}/`,
            ),
          },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
          answer.once('end', () => resolve());
          answer.once('error', reject);
        },
      );
      upstream.once('error', reject);
      upstream.end(body);
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
