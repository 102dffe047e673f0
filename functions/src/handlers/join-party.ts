import { joinParty } from '../parties/parties.js';
import { lazy } from '../runtime/lazy.js';
import { partyDeps } from '../services.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => partyDeps());

/** {"action":"joinParty","code":"7K3QX9MD"} (optionally with the member's "latencies") */
export const handler = actionRoute('joinParty', deps, (caller, message) =>
  joinParty(deps(), deps().catalog.largestTeam, caller.userId, message.code, message.latencies),
);
