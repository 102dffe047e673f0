/**
 * The game server's own page (buttons to play): its gameUrl over http. Only a
 * ws(s) URL on the server's own address becomes a link: whatever else an event
 * says (a javascript: URL, another host) is never put in an href.
 */
export function gamePage(gameUrl: string, ip: string): string | undefined {
  let url: URL;
  try {
    url = new URL(gameUrl);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'ws:' && url.protocol !== 'wss:') || url.hostname !== ip) return undefined;
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}${url.pathname}${url.search}`;
}
