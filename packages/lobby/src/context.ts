import type { connect } from '@matchmaking/client';

export type Client = Awaited<ReturnType<typeof connect>>;

/** What the panels share: the connected client, who plays, the chosen queue, and the notice line. */
export interface LobbyContext {
  readonly mm: Client;
  readonly userId: string;
  /** The queue picked in the queue panel (the stats panel follows it). */
  queue(): string;
  onQueueChange(listener: (queue: string) => void): void;
  setQueue(queue: string): void;
  /** Shows a failed request (its code and message) or any other notice. */
  notice(text: string, kind?: 'error' | 'info'): void;
}

export function lobbyContext(
  mm: Client,
  userId: string,
  defaultQueue: string,
  notice: LobbyContext['notice'],
): LobbyContext {
  let queue = defaultQueue;
  const listeners: ((queue: string) => void)[] = [];
  return {
    mm,
    userId,
    queue: () => queue,
    onQueueChange: (listener) => listeners.push(listener),
    setQueue(next) {
      queue = next;
      for (const listener of listeners) listener(next);
    },
    notice,
  };
}

/**
 * Runs a request from a button: failures become the notice (`CODE: message`),
 * never an uncaught error. The buttons are disabled meanwhile, so a double
 * click sends one request; `after` sets them as the outcome leaves them.
 */
export async function attempt<T>(
  context: LobbyContext,
  run: () => Promise<T>,
  buttons: HTMLButtonElement[] = [],
  after: () => void = () => {
    for (const button of buttons) button.disabled = false;
  },
): Promise<T | undefined> {
  for (const button of buttons) button.disabled = true;
  try {
    return await run();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    context.notice(code ? `${code}: ${message}` : String(message ?? error), 'error');
    return undefined;
  } finally {
    after();
  }
}
