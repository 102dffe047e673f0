import dynalite from 'dynalite';

/*
 * dynalite in its own process, so DynamoDB work runs on another core than the
 * handlers. Prints {"port": n} once listening; exits when its parent goes
 * (stdin closes), so no orphan is left behind.
 */
const dataDir = process.argv[2] || undefined;
const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
