import { ASSIGNMENT_NUDGE_PATH } from '@matchmaking/core';

/** How long a nudge may take; a server that does not answer by then finds its match at its next heartbeat. */
const NUDGE_TIMEOUT_MS = 1000;

/**
 * POSTs the assignment nudge to a pool server's own port. It carries nothing:
 * the server then fetches its match with its own credential, so a lost,
 * late or forged nudge changes nothing. Never throws.
 */
export async function nudgeServer(address: { ip: string; port: number }): Promise<void> {
  const host = address.ip.includes(':') ? `[${address.ip}]` : address.ip;
  try {
    const response = await fetch(`http://${host}:${address.port}${ASSIGNMENT_NUDGE_PATH}`, {
      method: 'POST',
      signal: AbortSignal.timeout(NUDGE_TIMEOUT_MS),
    });
    await response.body?.cancel();
  } catch {
    // The heartbeat answer tells the server too; the assignment timeout catches a dead one.
  }
}
