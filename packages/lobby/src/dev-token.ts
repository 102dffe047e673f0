/**
 * This run's dev-token secret, from the page's fragment (`#devKey=...`, in the
 * URL `pnpm dev` prints). A fragment never reaches a server, and only who was
 * shown the URL can mint tokens: as `pnpm -s token`, which reads it from a file.
 */
export function devKeyOf(location: Location): string | undefined {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('devKey');
  if (fromLink !== null) {
    // Kept for this tab only (a reload still works), and out of the address bar and history.
    sessionStorage.setItem(STORAGE_KEY, fromLink);
    history.replaceState(null, '', location.pathname);
  }
  const key = fromLink ?? sessionStorage.getItem(STORAGE_KEY);
  return key && /^[A-Za-z0-9_-]{16,128}$/.test(key) ? key : undefined;
}

const STORAGE_KEY = 'matchmaking-dev-key';

/** A token for `userId` from the local identity (POST /dev/tokens, as `pnpm -s token` does). */
export async function devToken(devKey: string, userId: string): Promise<string> {
  const response = await fetch('/dev/tokens', {
    method: 'POST',
    headers: { authorization: `Bearer ${devKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; message?: string };
  if (!response.ok || !body.token) throw new Error(body.message ?? `dev tokens answered ${response.status}`);
  return body.token;
}
