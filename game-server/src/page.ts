/** A minimal page to play a match from a browser: connect, then HOME / AWAY / DRAW / STATUS. */
export function playPage(matchId: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Match ${escapeHtml(matchId)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto}button{margin:.2rem;padding:.5rem 1rem}#log{white-space:pre-wrap;background:#f4f4f4;padding:1rem;min-height:8rem}</style>
</head>
<body>
<h1>Match ${escapeHtml(matchId)}</h1>
<p>${['HOME', 'AWAY', 'DRAW', 'STATUS'].map((c) => `<button data-command="${c}">${c}</button>`).join('')}</p>
<div id="log"></div>
<script>
const log = document.getElementById('log');
const socket = new WebSocket(location.href.replace(/^http/, 'ws'));
socket.onopen = () => { log.textContent += 'connected\\n'; };
socket.onmessage = (event) => { log.textContent += event.data + '\\n'; };
socket.onclose = () => { log.textContent += 'disconnected\\n'; };
for (const button of document.querySelectorAll('button')) {
  button.onclick = () => socket.send(button.dataset.command);
}
</script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
