import { leaveParty } from '../parties/parties.js';
import { lazy } from '../runtime/lazy.js';
import { partyDeps } from '../services.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => partyDeps());

/** {"action":"leaveParty"} */
export const handler = actionRoute('leaveParty', deps, (caller) => leaveParty(deps(), caller.userId));
