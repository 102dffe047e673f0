import { connect, createServer, type Socket } from 'node:net';

export interface LatencyProxy {
  /** The proxy's endpoint, `http://127.0.0.1:<port>`: a plain URL like the service's own. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * A TCP link to `target` with a fixed one-way delay: every chunk a client
 * sends is passed on `delayMs` after it arrived, in order, and answers come
 * back at once. So every request over it (an HTTP call, keep-alive or not)
 * takes at least `delayMs` longer, whatever the protocol, without parsing it:
 * the latency of a network between the caller and the service.
 */
export function startLatencyProxy(
  target: { host: string; port: number },
  delayMs: number,
): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const queue: { due: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    let clientEnded = false;
    const flush = () => {
      timer = undefined;
      const now = performance.now();
      while (queue.length > 0 && (queue[0] as { due: number }).due <= now) {
        upstream.write((queue.shift() as { chunk: Buffer }).chunk);
      }
      const next = queue[0];
      if (next) timer = setTimeout(flush, Math.max(1, Math.ceil(next.due - now)));
      else if (clientEnded) upstream.end();
    };
    client.on('data', (chunk: Buffer) => {
      queue.push({ due: performance.now() + delayMs, chunk });
      timer ??= setTimeout(flush, Math.max(1, Math.ceil(delayMs)));
    });
    client.on('end', () => {
      clientEnded = true;
      if (queue.length === 0 && timer === undefined) upstream.end();
    });
    upstream.pipe(client);
    const close = () => {
      clearTimeout(timer);
      queue.length = 0;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as { port: number };
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
