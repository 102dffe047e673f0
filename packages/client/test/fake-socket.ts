import type { SocketLike, WebSocketConstructor } from '../src/socket.js';

type Listener = (event: never) => void;

/**
 * An in-memory WebSocket for the SDK's unit tests: records what the client
 * sends, lets the test answer, drop, or refuse (as `ws` reports an HTTP
 * status on a refused upgrade).
 */
export class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  private readonly listeners = new Map<string, Listener[]>();
  private readonly wsListeners = new Map<string, ((...args: never[]) => void)[]>();

  constructor(
    readonly url: string,
    readonly init?: { headers?: Record<string, string> },
  ) {}

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  on(type: string, listener: (...args: never[]) => void): void {
    this.wsListeners.set(type, [...(this.wsListeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.fire('close', { code, reason });
  }

  terminate(): void {
    this.close(1006);
  }

  // The test's side.

  open(): void {
    this.readyState = 1;
    this.fire('open', {});
  }

  push(event: Record<string, unknown>): void {
    this.fire('message', { data: JSON.stringify({ message: '...', ...event }) });
  }

  /** Answers the sent request at `index` with `event`, echoing its requestId. */
  answer(index: number, event: Record<string, unknown>): void {
    this.push({ ...event, requestId: this.sent[index]?.requestId });
  }

  drop(code = 1006): void {
    this.close(code);
  }

  refuse(status: number): void {
    for (const listener of this.wsListeners.get('unexpected-response') ?? [])
      (listener as (request: unknown, response: unknown) => void)({}, { statusCode: status });
  }

  private fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (e: unknown) => void)(event);
  }
}

/** A WebSocket class whose sockets the test drives: `behave` decides what each new one does. */
export function fakeWebSocket(behave: (socket: FakeSocket, index: number) => void = (s) => s.open()) {
  const sockets: FakeSocket[] = [];
  const Socket = class extends FakeSocket {
    constructor(url: string, init?: { headers?: Record<string, string> }) {
      super(url, init);
      const index = sockets.length;
      sockets.push(this);
      queueMicrotask(() => behave(this, index));
    }
  };
  return { WebSocket: Socket as unknown as WebSocketConstructor, sockets };
}
