/** Ends the process once: the first `stop` runs `before` (if any), closes what is open, and exits. */
export interface Stopper {
  /** Resolves never: the process exits; a later call waits for the first one's exit. */
  stop(code: number, before?: () => Promise<void>): Promise<never>;
  /** True once a stop began: nothing new (a match, a fetch) should start. */
  stopping(): boolean;
}

export function createStopper(close: () => Promise<void>): Stopper {
  let stopping = false;
  const never = new Promise<never>(() => {});
  return {
    stop: async (code, before) => {
      if (stopping) return never;
      stopping = true;
      await before?.();
      await close();
      process.exit(code);
    },
    stopping: () => stopping,
  };
}
