import { createParty } from '../parties/parties.js';
import { lazy } from '../runtime/lazy.js';
import { partyDeps } from '../services.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => partyDeps());

/** {"action":"createParty"} (optionally with the leader's "latencies") */
export const handler = actionRoute('createParty', deps, (caller, message) =>
  createParty(deps(), caller.userId, message.latencies),
);
