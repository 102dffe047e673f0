import type { IncomingMessage, ServerResponse } from 'node:http';

/** The caller's IPv4/IPv6 address as API Gateway reports it (no IPv4-mapped prefix). */
export function sourceIpOf(request: IncomingMessage): string {
  return (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/** A body over the limit of its endpoint (answer 413). */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

/**
 * Reads a request body of at most `limit` bytes: a larger Content-Length is
 * refused before anything is read, and reading stops at the limit, so a huge
 * body never reaches the heap. Rejects with BodyTooLargeError; answer with
 * `tooLarge`, which closes the connection (the rest of the body is not read).
 */
export function readBody(request: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        request.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the client went away before the body ended'));
    };
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    request.once('close', onClose);
  });
}

/** Answers 413 and closes the connection, so an unread body is never drained or buffered. */
export function tooLarge(
  response: ServerResponse,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(response, 413, body, { connection: 'close', ...headers });
}

/** decodeURIComponent, or undefined for a malformed escape (the caller answers 400, not 500). */
export function decodePathPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/**
 * Whether a Host header names this machine's loopback interface: localhost,
 * *.localhost, 127.x.x.x or [::1], with any port. Anything else is refused
 * (DNS rebinding: a web page whose name resolves to 127.0.0.1 sends its own
 * Host, never one of these).
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const value = host.toLowerCase();
  let name: string;
  let rest: string;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return false;
    name = value.slice(0, end + 1);
    rest = value.slice(end + 1);
  } else {
    const colon = value.indexOf(':');
    name = colon < 0 ? value : value.slice(0, colon);
    rest = colon < 0 ? '' : value.slice(colon);
  }
  if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return false;
  if (name === 'localhost' || name === '[::1]') return true;
  if (/^([a-z0-9-]+\.)+localhost$/.test(name)) return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return octets?.slice(1).every((octet) => Number(octet) <= 255) ?? false;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
