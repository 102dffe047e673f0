import { MatchmakingError, parseReadyCallback } from '@matchmaking/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfig } from '../env.js';
import { authorizeCallback } from '../lifecycle/callback-auth.js';
import { serverReady } from '../lifecycle/server-ready.js';
import { withMetrics } from '../metrics/with-metrics.js';
import { lazy } from '../runtime/lazy.js';
import { metrics, notifier, repositories, system } from '../services.js';
import { bodyOf, callbackRoute, json } from './adapters/http.js';

const deps = lazy(() => ({
  ...repositories(),
  notifier: notifier(),
  metrics: metrics(),
  ...system,
  maxMatchSeconds: loadConfig(['MAX_MATCH_SECONDS']).MAX_MATCH_SECONDS,
}));

/** POST /matches/{matchId}/ready {port, ip?} with the match's bearer token. */
export const handler = withMetrics(
  metrics,
  callbackRoute(async (event: APIGatewayProxyEventV2) => {
    const match = await authorizeCallback(
      deps().matches,
      event.pathParameters?.matchId,
      event.headers?.authorization,
    );
    const body = parseReadyCallback(bodyOf(event));
    if (!body.ok) throw new MatchmakingError(body.error.code, body.error.message);
    const server = await serverReady(
      deps(),
      deps().maxMatchSeconds,
      match,
      body.value,
      event.requestContext.http.sourceIp,
    );
    return json(200, { matchId: match.matchId, ...server });
  }),
);
