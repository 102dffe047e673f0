import type { LostQueue } from './events.js';
import type { ServerEvent } from './protocol.js';

/**
 * The player's place in a queue as the events tell it: set by joinedQueue,
 * held (not waiting) through a proposal or a match, back on a requeue, gone
 * when the ticket leaves. After a drop the client asks the server whether the
 * place survived (the server's $disconnect takes a solo player's ticket out,
 * and a party member's party's).
 */
export class QueuePlace {
  private ticket: LostQueue | undefined;
  private waiting = false;

  observe(event: ServerEvent): void {
    switch (event.type) {
      case 'joinedQueue':
        this.ticket = { queue: event.queue, region: event.region, ticketId: event.ticketId };
        this.waiting = true;
        return;
      case 'matchProposed':
      case 'matchFound':
        this.waiting = false;
        return;
      case 'matchDeclined':
      case 'matchCancelled':
        this.waiting = event.requeued && this.ticket !== undefined;
        return;
      case 'leftQueue':
      case 'queueTimeout':
      case 'matchFinished':
      case 'matchAbandoned':
        this.forget();
        return;
    }
  }

  /** The ticket the player waits with, if any. */
  get current(): LostQueue | undefined {
    return this.waiting ? this.ticket : undefined;
  }

  forget(): void {
    this.ticket = undefined;
    this.waiting = false;
  }
}
