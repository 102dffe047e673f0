import { MatchmakingError, parseResultCallback } from '@matchmaking/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { authorizeCallback } from '../lifecycle/callback-auth.js';
import { matchResult } from '../lifecycle/match-result.js';
import { lazy } from '../runtime/lazy.js';
import { notifier, repositories, system } from '../services.js';
import { bodyOf, callbackRoute, json } from './adapters/http.js';

const deps = lazy(() => ({ ...repositories(), notifier: notifier(), ...system }));

/** POST /matches/{matchId}/result {outcome} with the match's bearer token; the roster is the stored match's. */
export const handler = callbackRoute(async (event: APIGatewayProxyEventV2) => {
  const match = await authorizeCallback(
    deps().matches,
    event.pathParameters?.matchId,
    event.headers?.authorization,
  );
  const body = parseResultCallback(bodyOf(event));
  if (!body.ok) throw new MatchmakingError(body.error.code, body.error.message);
  await matchResult(deps(), match, body.value.outcome);
  return json(200, { matchId: match.matchId, outcome: body.value.outcome });
});
