import { parseArgs } from 'node:util';

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
try {
  const response = await fetch(`http://127.0.0.1:${port}/dev/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: positionals[0] }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (!response.ok || !body.token) {
    console.error(`could not issue a token: ${body.message ?? response.status}`);
    process.exit(1);
  }
  console.log(body.token);
} catch {
  console.error(
    `no local stack answers on port ${port}: start it with \`pnpm dev${port === '3001' ? '' : ` --port ${port}`}\``,
  );
  process.exit(1);
}
