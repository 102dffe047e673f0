import { ErrorCode, MatchmakingError, parseReadyCallback } from '@matchmaking/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ServerItem } from '../data/items.js';
import { authorizeServer } from '../pool/authorize-server.js';
import {
  deregisterServer,
  heartbeat,
  registerServer,
  releaseServer,
  takeAssignment,
} from '../pool/server-calls.js';
import { lazy } from '../runtime/lazy.js';
import { poolCallDeps } from '../services.js';
import { bodyOf, callbackRoute, json } from './adapters/http.js';

const deps = lazy(poolCallDeps);
type ServerCall = (deps: ReturnType<typeof poolCallDeps>, server: ServerItem) => Promise<unknown>;
const calls = new Map<string, ServerCall>([
  ['heartbeat', heartbeat],
  ['assignment', takeAssignment],
  ['deregister', deregisterServer],
  ['release', releaseServer],
]);

/**
 * POST /servers/{serverId}/{action}: a warm-pool server's calls (register,
 * heartbeat, assignment, deregister, release), each authorised by the
 * server's own token (registration: the task's one-time token).
 */
export const handler = callbackRoute(async (event: APIGatewayProxyEventV2) => {
  const action = event.pathParameters?.action;
  const serverId = event.pathParameters?.serverId;
  const authorization = event.headers?.authorization;
  if (action === 'register') {
    const server = await authorizeServer(deps().servers, serverId, authorization, 'registration');
    const body = parseReadyCallback(bodyOf(event));
    if (!body.ok) throw new MatchmakingError(body.error.code, body.error.message);
    return json(200, await registerServer(deps(), server, body.value, event.requestContext.http.sourceIp));
  }
  const run = calls.get(action ?? '');
  if (!run) {
    throw new MatchmakingError(ErrorCode.NotFound, `no such server call: ${String(action).slice(0, 32)}`);
  }
  const server = await authorizeServer(deps().servers, serverId, authorization);
  return json(200, await run(deps(), server));
});
