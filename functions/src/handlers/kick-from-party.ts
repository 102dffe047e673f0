import { kickFromParty } from '../parties/parties.js';
import { lazy } from '../runtime/lazy.js';
import { partyDeps } from '../services.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => partyDeps());

/** {"action":"kickFromParty","userId":"bob"} (the leader only) */
export const handler = actionRoute('kickFromParty', deps, (caller, message) =>
  kickFromParty(deps(), caller.userId, message.userId),
);
