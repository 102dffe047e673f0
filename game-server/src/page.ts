import { createHash } from 'node:crypto';

/*
 * A minimal page to play a match from a browser. Open it as
 * `http://<ip>:<port>/?key=<joinKey>`: the script reads the key from the
 * page's own address (the server never echoes it) and connects with it.
 */
const COMMANDS = ['HOME', 'AWAY', 'DRAW', 'CONCEDE', 'STATUS'];

const SCRIPT = `
const log = document.getElementById('log');
const say = (line) => { log.textContent += line + '\\n'; };
const buttons = document.querySelectorAll('button');
const key = new URLSearchParams(location.search).get('key');
if (!key) {
  say('open this page with ?key=<your join key> (the key from your serverReady event)');
} else {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(scheme + '//' + location.host + '/?key=' + encodeURIComponent(key));
  let opened = false;
  socket.onopen = () => {
    opened = true;
    say('connected');
    for (const button of buttons) button.disabled = false;
  };
  socket.onmessage = (event) => say(String(event.data));
  socket.onclose = (event) => {
    for (const button of buttons) button.disabled = true;
    say(opened ? 'disconnected' + (event.reason ? ': ' + event.reason : '') : 'could not connect (is the key right, and the match still running?)');
  };
  for (const button of buttons) {
    button.onclick = () => {
      const command = button.dataset.command;
      if (command === 'CONCEDE' && !confirm('Concede the match for your team?')) return;
      socket.send(command);
    };
  }
}
`;

const scriptHash = createHash('sha256').update(SCRIPT).digest('base64');

/** Response headers for the page: no inline code but ours, and the key never leaks in a Referer. */
export const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
};

export function playPage(matchId: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Match ${escapeHtml(matchId)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto}button{margin:.2rem;padding:.5rem 1rem}#log{white-space:pre-wrap;background:#f4f4f4;padding:1rem;min-height:8rem}</style>
</head>
<body>
<h1>Match ${escapeHtml(matchId)}</h1>
<p>Report the result with HOME, AWAY or DRAW: the match ends when both teams report the same outcome. CONCEDE gives the match to the other team.</p>
<p>${COMMANDS.map((c) => `<button data-command="${c}" disabled>${c}</button>`).join('')}</p>
<div id="log"></div>
<script>${SCRIPT}</script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
