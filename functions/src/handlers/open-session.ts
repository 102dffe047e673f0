import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { authorizeCallback } from '../lifecycle/callback-auth.js';
import { openSession } from '../lifecycle/open-session.js';
import { lazy } from '../runtime/lazy.js';
import { repositories, system } from '../services.js';
import { callbackRoute, json } from './adapters/http.js';

const deps = lazy(() => ({ ...repositories(), ...system }));

/** POST /matches/{matchId}/session with the task's one-time bootstrap token: the session token and roster, once. */
export const handler = callbackRoute(async (event: APIGatewayProxyEventV2) => {
  const match = await authorizeCallback(
    deps().matches,
    event.pathParameters?.matchId,
    event.headers?.authorization,
    'bootstrap',
  );
  return json(200, await openSession(deps(), match));
});
