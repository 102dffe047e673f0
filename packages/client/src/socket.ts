import { ClientErrorCode, MatchmakingClientError } from './errors.js';

/** What the SDK uses of a WebSocket: the browser's, Node 22's (undici) and `ws` all have it. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void;
}

/**
 * A WebSocket constructor: the global one, `ws`'s, or one the caller passes
 * (ConnectOptions.WebSocket). Called with the URL, and outside browsers with
 * `{ headers }` (what `ws` and Node's own WebSocket take).
 */
export type WebSocketConstructor = new (url: string, ...rest: never[]) => SocketLike;
type Construct = new (url: string, init?: { headers: Record<string, string> }) => SocketLike;

const OPEN = 1;
export const isOpen = (socket: SocketLike): boolean => socket.readyState === OPEN;

/** Where the code runs with Node's (or Deno's, Bun's) APIs rather than a browser's. */
const onServerRuntime = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/** Where the token travels on the upgrade request (ConnectOptions.tokenIn). */
export type TokenTransport = 'header' | 'query';

/**
 * The token's way in by default. Outside browsers, `Authorization: Bearer` on
 * the upgrade (what the API's $connect authorizer reads first; the URL stays
 * out of access logs); browsers cannot set headers on a WebSocket, so there it
 * goes in the `token` query-string parameter, which the authorizer also reads.
 */
export function defaultTokenTransport(): TokenTransport {
  return onServerRuntime() ? 'header' : 'query';
}

/**
 * The global WebSocket where there is one (browsers, Node 22+), `ws`
 * otherwise (Node 20), imported only then so a browser bundle never holds it.
 */
async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  try {
    const specifier = 'ws';
    const module = (await import(/* @vite-ignore */ specifier)) as { WebSocket?: unknown; default?: unknown };
    return (module.WebSocket ?? module.default) as WebSocketConstructor;
  } catch (cause) {
    throw new MatchmakingClientError(
      ClientErrorCode.ConnectFailed,
      'no WebSocket here: install the `ws` package (Node before 22) or pass ConnectOptions.WebSocket',
      {},
      { cause },
    );
  }
}

export interface OpenOptions {
  url: string;
  /** The token, or what gets it (called once per attempt; its time counts against timeoutMs). */
  token: string | (() => string | Promise<string>);
  timeoutMs: number;
  WebSocket?: WebSocketConstructor;
  tokenIn?: TokenTransport;
  /** Gives up the attempt (CLOSED): its timer is cleared, a socket being opened closed. */
  signal?: AbortSignal;
}

/**
 * Gets the token and opens a socket with it, within `timeoutMs` for both.
 * Rejects with REFUSED (details.status) when the upgrade is refused with an
 * HTTP status the runtime reports (`ws` does; browsers and undici report
 * only a failure: CONNECT_FAILED), CONNECT_FAILED (also: the token function
 * threw, the URL is invalid, the WebSocket constructor threw; the error as
 * `cause`) or TIMEOUT (also: the token function did not answer in time);
 * CLOSED when `signal` aborts it.
 */
export function openSocket(options: OpenOptions): Promise<SocketLike> {
  return new Promise((resolve, reject) => {
    let socket: SocketLike | undefined;
    let settled = false;
    let awaitingToken = true;
    /** True the first time: the attempt's timer and abort listener go. */
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      return true;
    };
    const fail = (error: MatchmakingClientError) => {
      if (settle()) reject(error);
    };
    const failed = (message: string, cause: unknown) =>
      fail(
        cause instanceof MatchmakingClientError
          ? cause
          : new MatchmakingClientError(ClientErrorCode.ConnectFailed, message, {}, { cause }),
      );
    const timer = setTimeout(() => {
      fail(
        new MatchmakingClientError(
          ClientErrorCode.Timeout,
          `no connection within ${options.timeoutMs} ms${awaitingToken ? ' (the token function did not answer)' : ''}`,
        ),
      );
      socket?.close();
    }, options.timeoutMs);
    const abort = () => {
      fail(new MatchmakingClientError(ClientErrorCode.Closed, 'the client closed while connecting'));
      socket?.close();
    };
    options.signal?.addEventListener('abort', abort);

    const start = async () => {
      let token: string;
      try {
        token = typeof options.token === 'function' ? await options.token() : options.token;
      } catch (cause) {
        failed(`the token function failed: ${messageOf(cause)}`, cause);
        return;
      }
      awaitingToken = false;
      if (settled) return;
      let Socket: Construct;
      try {
        Socket = (options.WebSocket ?? (await defaultWebSocket())) as Construct;
        if (settled) return;
        const transport = options.tokenIn ?? defaultTokenTransport();
        const url = new URL(options.url);
        if (transport === 'query') url.searchParams.set('token', token);
        const init = transport === 'header' ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
        socket = init ? new Socket(url.toString(), init) : new Socket(url.toString());
      } catch (cause) {
        failed(`could not connect to ${options.url}: ${messageOf(cause)}`, cause);
        return;
      }
      listen(socket);
    };

    const listen = (socket: SocketLike) => {
      let status: number | undefined;
      // `ws` only: the refused upgrade's HTTP status (401 no token, 403 a bad one).
      (socket as { on?: (event: string, listener: (...args: never[]) => void) => void }).on?.(
        'unexpected-response',
        (_request: unknown, response: { statusCode?: number }) => {
          status = response.statusCode;
          (socket as unknown as { terminate(): void }).terminate();
        },
      );
      socket.addEventListener('open', () => {
        if (settle()) resolve(socket);
      });
      socket.addEventListener('close', () => {
        if (status !== undefined && status >= 400 && status < 500) {
          fail(
            new MatchmakingClientError(
              ClientErrorCode.Refused,
              `the API refused the connection (HTTP ${status})`,
              { status },
            ),
          );
        } else {
          const detail = status === undefined ? '' : ` (HTTP ${status})`;
          fail(
            new MatchmakingClientError(
              ClientErrorCode.ConnectFailed,
              `could not connect to ${options.url}${detail}`,
              status === undefined ? {} : { status },
            ),
          );
        }
      });
      // 'error' is always followed by 'close', which settles; listening keeps `ws` from throwing it.
      socket.addEventListener('error', () => {});
    };

    if (options.signal?.aborted) abort();
    else void start();
  });
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
