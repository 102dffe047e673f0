import { parseArgs } from 'node:util';
import { readDevTokenFile } from '../dev-token-file.js';

const HELP = `pnpm -s token <userId> [--port <n>]: prints a token the running \`pnpm dev\` accepts`;

const { values, positionals } = (() => {
  try {
    return parseArgs({
      options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${HELP}`);
    process.exit(2);
  }
})();
if (values.help || positionals.length !== 1) {
  console.error(HELP);
  process.exit(values.help ? 0 : 2);
}
const port = values.port ?? '3001';
const notRunning = `no local stack answers on port ${port}: start it with \`pnpm dev${port === '3001' ? '' : ` --port ${port}`}\``;
// The running stack leaves its dev-token secret in a file only this user can read.
const file = await readDevTokenFile(Number(port)).catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
if (!file) {
  console.error(notRunning);
  process.exit(1);
}
try {
  const response = await fetch(`http://127.0.0.1:${file.port}/dev/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${file.devTokenSecret}` },
    body: JSON.stringify({ userId: positionals[0] }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (!response.ok || !body.token) {
    console.error(`could not issue a token: ${body.message ?? response.status}`);
    process.exit(1);
  }
  console.log(body.token);
} catch {
  console.error(notRunning);
  process.exit(1);
}
