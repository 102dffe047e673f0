import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalLambdas } from '../lambda.js';
import { BodyTooLargeError, decodePathPart, readBody, sendJson, sourceIpOf, tooLarge } from './http-util.js';

/**
 * Largest callback body. The callbacks are tiny JSON; an HTTP API accepts up to
 * 10 MB and answers 413 above it, this one stops much earlier.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

interface HttpRoute {
  name: string;
  method: string;
  pattern: RegExp;
  routeKey: string;
  params: string[];
}

/**
 * The HTTP API (payload format 2.0) for the game-server callbacks: routes come
 * from the manifest's http triggers; the source IP is the caller's socket
 * address, as API Gateway reports it.
 */
export class CallbackApi {
  private readonly routes: HttpRoute[];

  constructor(private readonly lambdas: LocalLambdas) {
    this.routes = [];
    for (const definition of lambdas.all()) {
      if (definition.trigger.kind !== 'http') continue;
      const params: string[] = [];
      const source = definition.trigger.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        params.push(name);
        return '([^/]+)';
      });
      this.routes.push({
        name: definition.name,
        method: definition.trigger.method,
        pattern: new RegExp(`^${source}$`),
        routeKey: `${definition.trigger.method} ${definition.trigger.path}`,
        params,
      });
    }
  }

  matches(path: string): boolean {
    return this.routes.some((route) => route.pattern.test(path));
  }

  async handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const route = this.routes.find((r) => r.pattern.test(path) && r.method === request.method);
    if (!route) return sendJson(response, 404, { message: 'Not Found' });
    const match = route.pattern.exec(path) as RegExpExecArray;
    const values = route.params.map((_, i) => decodePathPart(match[i + 1] ?? ''));
    if (values.some((value) => value === undefined))
      return sendJson(response, 400, { message: 'Bad Request: malformed percent-escape in the path' });
    let body: Buffer;
    try {
      body = await readBody(request, MAX_CALLBACK_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return tooLarge(response, { message: 'Request Entity Too Large' });
      throw error;
    }
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [
        k.toLowerCase(),
        Array.isArray(v) ? v.join(',') : (v ?? ''),
      ]),
    );
    const event = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: path,
      rawQueryString: new URL(request.url ?? '/', 'http://localhost').search.slice(1),
      headers,
      pathParameters: Object.fromEntries(route.params.map((name, i) => [name, values[i] as string])),
      body: body.length > 0 ? body.toString('utf8') : undefined,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method: request.method ?? 'POST',
          path,
          protocol: 'HTTP/1.1',
          sourceIp: sourceIpOf(request),
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: route.routeKey,
        stage: '$default',
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
      },
    };
    try {
      const result = (await this.lambdas.invoke(route.name, event)) as {
        statusCode?: number;
        headers?: Record<string, string>;
        body?: string;
      };
      response.writeHead(result?.statusCode ?? 200, result?.headers ?? {});
      response.end(result?.body ?? '');
    } catch (error) {
      console.error(`callback ${route.name} failed`, error);
      sendJson(response, 500, { message: 'Internal Server Error' });
    }
  }
}
