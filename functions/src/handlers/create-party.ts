import { createParty } from '../parties/parties.js';
import { lazy } from '../runtime/lazy.js';
import { partyDeps } from '../services.js';
import { actionRoute } from './adapters/websocket.js';

const deps = lazy(() => partyDeps());

/** {"action":"createParty"} */
export const handler = actionRoute('createParty', deps, (caller) => createParty(deps(), caller.userId));
