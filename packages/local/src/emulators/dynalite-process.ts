import type { IncomingMessage, ServerResponse } from 'node:http';
import dynalite from 'dynalite';
import { isLoopbackHost } from './http-util.js';

/*
 * dynalite in its own process, so DynamoDB work runs on another core than the
 * handlers. Prints {"port": n} once listening; exits when its parent goes
 * (stdin closes), so no orphan is left behind. Only this machine is served:
 * it listens on 127.0.0.1, refuses a Host that is not a loopback name (DNS
 * rebinding) and, when DYNALITE_ACCESS_KEY_ID is set, any request signed with
 * another access key (the error DynamoDB gives for an unknown key). It counts
 * the calls it serves by operation and prints {"calls": {...}} when its
 * parent writes a line "calls" (the flow tests and benchmarks count calls).
 */
const dataDir = process.argv[2] || undefined;
const accessKeyId = process.env.DYNALITE_ACCESS_KEY_ID;
const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const calls: Record<string, number> = {};
const serve = server.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[];
server.removeAllListeners('request');
server.on('request', (request: IncomingMessage, response: ServerResponse) => {
  const refuse = (status: number, type: string, message: string) => {
    const body = JSON.stringify({ __type: type, message });
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  };
  if (!isLoopbackHost(request.headers.host))
    return refuse(403, 'com.amazon.coral.service#AccessDeniedException', 'the Host must name this machine');
  const keyId = /Credential=([^/,\s]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
  // DynamoDB answers an unsigned request with 400 MissingAuthenticationTokenException.
  if (accessKeyId && keyId === undefined) {
    return refuse(
      400,
      'com.amazon.coral.service#MissingAuthenticationTokenException',
      'Request is missing Authentication Token',
    );
  }
  if (accessKeyId && keyId !== accessKeyId) {
    return refuse(
      400,
      'com.amazon.coral.service#UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  }
  // X-Amz-Target: DynamoDB_20120810.<Operation>
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] || 'unknown';
  calls[operation] = (calls[operation] ?? 0) + 1;
  for (const listener of serve) listener.call(server, request, response);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
});
process.stdin.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n')) {
    if (line.trim() === 'calls') process.stdout.write(`${JSON.stringify({ calls })}\n`);
  }
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
