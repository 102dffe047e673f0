import type { Client } from './context.js';
import { h } from './dom.js';

const KEEP = 40;
/** Answers the page asks for on its own (the stats every few seconds...): not events a player follows. */
const QUIET = new Set(['queueStats', 'queues', 'profile', 'pingTargets']);

/** The last events as they came (type and the server's words), newest first, until the client closes. */
export async function runEventLog(root: HTMLElement, mm: Client): Promise<void> {
  const list = h('ol', { id: 'events', reversed: true });
  root.replaceChildren(h('h2', {}, 'Events'), list);
  for await (const event of mm.events()) {
    if (QUIET.has(event.type)) continue;
    list.prepend(h('li', {}, `${new Date().toLocaleTimeString()} ${event.type}: ${event.message}`));
    while (list.children.length > KEEP) list.lastElementChild?.remove();
  }
}
