import type { ClientEvent, ClientEventType, EventOf } from './events.js';

type Listener = (event: ClientEvent) => void;

/** What a listener that threw is reported to (ConnectOptions.onListenerError). */
export type ListenerErrorHandler = (error: unknown, event: ClientEvent) => void;

/** The default: the error on the console, the client carrying on. */
export const logListenerError: ListenerErrorHandler = (error, event) => {
  console.error(`@matchmaking/client: a listener of ${event.type} threw`, error);
};

/** Events an iterator keeps unread by default (ConnectOptions.maxBuffered). */
export const DEFAULT_MAX_BUFFERED = 1000;

export interface EventHubOptions {
  onListenerError?: ListenerErrorHandler;
  /** Unread events an iterator keeps; past it the oldest is dropped (default 1000). */
  maxBuffered?: number;
}

/**
 * The client's events, by type: listeners (`on`, `once`) and async
 * iterators (`events`), all ended by `end()` (the client closed). A listener
 * that throws does not stop the others, nor the client: its error goes to
 * `onListenerError` (never rethrown, which would crash a Node process).
 */
export class EventHub {
  private readonly listeners = new Map<ClientEventType | '*', Set<Listener>>();
  private readonly enders = new Set<() => void>();
  private ended = false;

  private readonly onListenerError: ListenerErrorHandler;
  private readonly maxBuffered: number;

  constructor(options: EventHubOptions = {}) {
    this.onListenerError = options.onListenerError ?? logListenerError;
    this.maxBuffered = Math.max(1, options.maxBuffered ?? DEFAULT_MAX_BUFFERED);
  }

  on<T extends ClientEventType>(type: T | '*', listener: (event: EventOf<T>) => void): () => void {
    if (this.ended) return () => {};
    const set = this.listeners.get(type) ?? new Set<Listener>();
    this.listeners.set(type, set);
    const wrapped = listener as Listener;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  emit(event: ClientEvent): void {
    for (const key of [event.type, '*'] as const) {
      for (const listener of [...(this.listeners.get(key) ?? [])]) {
        try {
          listener(event);
        } catch (error) {
          this.reportListenerError(error, event);
        }
      }
    }
  }

  /** A listener's bug must not break the connection, nor the handler's bug the emit. */
  private reportListenerError(error: unknown, event: ClientEvent): void {
    try {
      this.onListenerError(error, event);
    } catch (handlerError) {
      logListenerError(handlerError, event);
    }
  }

  /** Calls `onEnd` when the hub ends (at once if it has); returns the unsubscribe. */
  onEnd(onEnd: () => void): () => void {
    if (this.ended) {
      onEnd();
      return () => {};
    }
    this.enders.add(onEnd);
    return () => {
      this.enders.delete(onEnd);
    };
  }

  /** No more events: iterators finish, listeners are dropped. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.listeners.clear();
    for (const onEnd of [...this.enders]) onEnd();
    this.enders.clear();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * The events of the given types (all without types) from now on, as they
   * come, buffered until read (at most maxBuffered: the oldest are dropped);
   * done when the hub ends (what was buffered first), or when the loop breaks.
   */
  iterate<T extends ClientEventType>(types: readonly T[]): AsyncIterableIterator<EventOf<T>> {
    if (this.ended) return finished<EventOf<T>>();
    type Result = IteratorResult<EventOf<T>, undefined>;
    const buffer: EventOf<T>[] = [];
    // next() calls waiting for an event, first come first served (a for await makes one at a time; a caller may make more).
    const waiters: ((result: Result) => void)[] = [];
    let done = false;
    const stops = (types.length === 0 ? (['*'] as const) : types).map((type) =>
      this.on(type as T, (event) => {
        const waiter = waiters.shift();
        if (waiter) waiter({ done: false, value: event });
        else {
          buffer.push(event);
          // A loop that stopped reading must not grow the buffer without bound: the oldest go first.
          if (buffer.length > this.maxBuffered) buffer.shift();
        }
      }),
    );
    const finish = () => {
      done = true;
      for (const stop of stops) stop();
      stopEnd();
      for (const waiter of waiters.splice(0)) waiter({ done: true, value: undefined });
    };
    const stopEnd = this.onEnd(finish);
    const iterator: AsyncIterableIterator<EventOf<T>> = {
      next: (): Promise<Result> => {
        const value = buffer.shift();
        if (value !== undefined) return Promise.resolve({ done: false, value });
        if (done) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => waiters.push(resolve));
      },
      return: async () => {
        buffer.length = 0;
        finish();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

/** An iterator that is done already (the events of a hub that has ended). */
function finished<T>(): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    next: async () => ({ done: true, value: undefined }),
    return: async () => ({ done: true, value: undefined }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
