import { ClientErrorCode, MatchmakingClientError } from './errors.js';
import type { ErrorCode, ServerEvent, ServerEventType } from './protocol.js';

interface Pending {
  action: string;
  answers: readonly ServerEventType[];
  resolve: (event: ServerEvent) => void;
  reject: (error: MatchmakingClientError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests in flight, by requestId: the server echoes the id on its answer
 * to the caller (an `error` too), so concurrent requests, even of the same
 * action, settle with their own answers.
 */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();
  private serial = 0;

  /** A fresh id (unique within this client; the server answers only the connection that asked). */
  nextId(): string {
    this.serial += 1;
    return `r${this.serial}`;
  }

  /** Waits for the answer to `requestId`: one of `answers`, or an `error`; TIMEOUT after `timeoutMs`. */
  wait(requestId: string, action: string, answers: readonly ServerEventType[], timeoutMs: number) {
    return new Promise<ServerEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(
          new MatchmakingClientError(ClientErrorCode.Timeout, `${action}: no answer within ${timeoutMs} ms`, {
            requestId,
          }),
        );
      }, timeoutMs);
      this.pending.set(requestId, { action, answers, resolve, reject, timer });
    });
  }

  /**
   * Settles the request an answer carries the id of. True when the event was
   * an `error` consumed by its request (it is not also an event then).
   */
  settle(event: ServerEvent & { requestId?: unknown }): boolean {
    const id = event.requestId;
    const request = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (!request || typeof id !== 'string') return false;
    this.pending.delete(id);
    clearTimeout(request.timer);
    if (event.type === 'error') {
      const {
        type: _type,
        code,
        message,
        requestId: _id,
        ...details
      } = event as {
        type: 'error';
        code: ErrorCode;
        message: string;
        requestId?: unknown;
      };
      request.reject(new MatchmakingClientError(code, message, { ...details, requestId: id }));
      return true;
    }
    if (request.answers.includes(event.type)) request.resolve(event);
    else {
      request.reject(
        new MatchmakingClientError(
          ClientErrorCode.UnexpectedAnswer,
          `${request.action}: unexpected answer ${event.type}`,
          { requestId: id, event },
        ),
      );
    }
    return false;
  }

  /** Rejects every request in flight (the connection dropped, or the client closed). */
  rejectAll(code: ClientErrorCode, message: string): void {
    for (const [id, request] of this.pending) {
      clearTimeout(request.timer);
      request.reject(new MatchmakingClientError(code, `${request.action}: ${message}`, { requestId: id }));
    }
    this.pending.clear();
  }
}
