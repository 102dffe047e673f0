import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AccessGuard, refuseAccess } from './aws-auth.js';
import { BodyTooLargeError, readBody, sendJson, tooLarge } from './http-util.js';

const ACCOUNT = '000000000000';
/** The IAM action of an operation, where the names differ (a batch is authorised as its single call). */
const IAM_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
  DeleteMessageBatch: 'DeleteMessage',
};
/** The operations emulated (anything else is refused as UnsupportedOperation). */
const SUPPORTED = new Set([
  'SendMessage',
  'SendMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
]);

/** The receipt handle of a message's latest receive. */
function receiptHandleOf(message: { messageId: string; receiveCount: number }): string {
  return `${message.messageId}#${message.receiveCount}`;
}

/** A batch request's entries, each an object (a malformed one as an empty object). */
function entriesOf(input: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(input.Entries)
    ? (input.Entries as unknown[]).map((entry) =>
        typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {},
      )
    : [];
}

/** SQS FIFO deduplication interval. */
const DEDUP_WINDOW_MS = 5 * 60 * 1000;
const MAX_BATCH = 10;

interface Message {
  messageId: string;
  body: string;
  groupId: string;
  deduplicationId: string;
  sequenceNumber: string;
  sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  visibleAt: number;
  /** Received by the event source mapping, its consumer not finished. */
  inFlight?: boolean;
}

export interface QueueOptions {
  /** Seconds a received message stays invisible, from its receive, unless its consumer changes it. */
  visibilityTimeoutSeconds: number;
  /** Deliveries before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
}

type BatchResponse = { batchItemFailures?: { itemIdentifier: string }[] } | undefined | void;
type Consumer = (event: { Records: object[] }) => Promise<BatchResponse>;

class FifoQueue {
  readonly messages: Message[] = [];
  readonly deadLetters: Message[] = [];
  private readonly dedup = new Map<string, { messageId: string; expires: number }>();
  private sequence = 0;

  constructor(
    readonly name: string,
    readonly url: string,
    readonly options: QueueOptions,
  ) {}

  send(body: string, groupId: string, deduplicationId: string): Message | { duplicateOf: string } {
    const now = Date.now();
    const seen = this.dedup.get(deduplicationId);
    if (seen && seen.expires > now) return { duplicateOf: seen.messageId };
    this.sequence += 1;
    const message: Message = {
      messageId: randomUUID(),
      body,
      groupId,
      deduplicationId,
      sequenceNumber: String(this.sequence).padStart(20, '0'),
      sentAt: now,
      receiveCount: 0,
      visibleAt: now,
    };
    this.dedup.set(deduplicationId, { messageId: message.messageId, expires: now + DEDUP_WINDOW_MS });
    this.messages.push(message);
    return message;
  }
}

/**
 * SQS FIFO as the SDK's SendMessage / SendMessageBatch speak it (AWS JSON 1.0),
 * with the deduplication window, plus Lambda's event source mapping: batches
 * of up to 10 in order per message group, one batch in flight per group,
 * partial batch failures retried after the visibility timeout, and a
 * dead-letter queue after maxReceiveCount deliveries.
 */
export class SqsEmulator {
  private readonly queues = new Map<string, FifoQueue>();
  private readonly consumers = new Map<string, Consumer>();
  private readonly busyGroups = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private stopped = false;
  /** Tests: deliver the next successful batch once more (a duplicate delivery). */
  redeliverNextBatch = false;
  /** Each call's IAM check (the stack sets LocalIam's); none: every call allowed. */
  guard?: AccessGuard;

  constructor(
    private readonly baseUrl: string,
    private readonly region: string,
  ) {}

  createQueue(name: string, options: QueueOptions): string {
    if (!name.endsWith('.fifo')) throw new Error(`only FIFO queues are emulated: ${name}`);
    const url = `${this.baseUrl}/${ACCOUNT}/${name}`;
    this.queues.set(url, new FifoQueue(name, url, options));
    return url;
  }

  /** Starts delivering the queue's messages to a consumer (the Lambda event source mapping). */
  attach(url: string, consumer: Consumer): void {
    this.consumers.set(url, consumer);
    this.pump();
  }

  deadLetters(url: string): readonly { messageId: string; body: string; receiveCount: number }[] {
    return this.queues.get(url)?.deadLetters ?? [];
  }

  /** Resolves when no message is waiting or being delivered (tests and benchmarks settle on it). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  matches(request: IncomingMessage): boolean {
    return String(request.headers['x-amz-target'] ?? '').startsWith('AmazonSQS.');
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const operation = String(request.headers['x-amz-target']).slice('AmazonSQS.'.length);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse((await readBody(request)).toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return tooLarge(response, { message: 'Request Entity Too Large' });
      return fail(response, 'InvalidParameterValue', 'the body is not JSON');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      return fail(response, 'InvalidParameterValue', 'the body is not a JSON object');
    const queue = this.queues.get(String(input.QueueUrl));
    if (!queue) return fail(response, 'QueueDoesNotExist', 'The specified queue does not exist.');
    if (!SUPPORTED.has(operation))
      return fail(response, 'UnsupportedOperation', `${operation} is not emulated`);
    const denied = await this.guard?.(
      request,
      `sqs:${IAM_ACTIONS[operation] ?? operation}`,
      this.arnOf(queue),
    );
    if (denied) return refuseAccess(response, 'sqs', denied);
    if (operation === 'ChangeMessageVisibility') {
      const problem = this.changeVisibility(queue, input.ReceiptHandle, input.VisibilityTimeout);
      return problem ? fail(response, problem.code, problem.message) : reply(response, {});
    }
    if (operation === 'ChangeMessageVisibilityBatch') {
      const entries = entriesOf(input);
      if (entries.length === 0 || entries.length > MAX_BATCH)
        return fail(response, 'TooManyEntriesInBatchRequest', 'a batch holds 1 to 10 entries');
      const Successful: object[] = [];
      const Failed: object[] = [];
      for (const entry of entries) {
        const problem = this.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout);
        if (problem)
          Failed.push({ Id: entry.Id, SenderFault: true, Code: problem.code, Message: problem.message });
        else Successful.push({ Id: entry.Id });
      }
      return reply(response, { Successful, Failed });
    }
    if (operation === 'SendMessage') {
      const result = this.sendOne(queue, input);
      return 'error' in result
        ? fail(response, 'InvalidParameterValue', result.error)
        : reply(response, result);
    }
    if (operation === 'SendMessageBatch') {
      const entries = entriesOf(input);
      if (entries.length === 0 || entries.length > MAX_BATCH) {
        return fail(response, 'TooManyEntriesInBatchRequest', 'a batch holds 1 to 10 entries');
      }
      const Successful: object[] = [];
      const Failed: object[] = [];
      for (const entry of entries) {
        const result = this.sendOne(queue, entry);
        if ('error' in result)
          Failed.push({
            Id: entry.Id,
            SenderFault: true,
            Code: 'InvalidParameterValue',
            Message: result.error,
          });
        else Successful.push({ Id: entry.Id, ...result });
      }
      return reply(response, { Successful, Failed });
    }
    fail(response, 'UnsupportedOperation', `${operation} is not emulated`);
  }

  /**
   * ChangeMessageVisibility of a message in flight: it becomes visible
   * `seconds` from now (0: at once), whatever its queue's visibility timeout
   * ("ChangeMessageVisibility", SQS API Reference: 0 to 43,200 seconds).
   */
  private changeVisibility(
    queue: FifoQueue,
    handle: unknown,
    seconds: unknown,
  ): { code: string; message: string } | undefined {
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0 || seconds > 43_200)
      return { code: 'InvalidParameterValue', message: 'VisibilityTimeout must be 0 to 43200 seconds' };
    const message = queue.messages.find((m) => m.inFlight && receiptHandleOf(m) === handle);
    if (!message) return { code: 'MessageNotInflight', message: 'The message referred to is not in flight.' };
    message.visibleAt = Date.now() + seconds * 1000;
    return undefined;
  }

  /** A queue's ARN, as IAM policies name it. */
  arnOf(queue: FifoQueue | string): string {
    const name = typeof queue === 'string' ? (this.queues.get(queue)?.name ?? queue) : queue.name;
    return `arn:aws:sqs:${this.region}:${ACCOUNT}:${name}`;
  }

  private sendOne(
    queue: FifoQueue,
    input: Record<string, unknown>,
  ): { error: string } | { MessageId: string; MD5OfMessageBody: string; SequenceNumber: string } {
    const body = input.MessageBody;
    const groupId = input.MessageGroupId;
    const deduplicationId = input.MessageDeduplicationId;
    if (typeof body !== 'string' || body.length === 0) return { error: 'MessageBody is required' };
    if (typeof groupId !== 'string') return { error: 'MessageGroupId is required for FIFO queues' };
    if (typeof deduplicationId !== 'string') {
      return { error: 'MessageDeduplicationId is required (content-based deduplication is off)' };
    }
    const sent = queue.send(body, groupId, deduplicationId);
    const messageId = 'duplicateOf' in sent ? sent.duplicateOf : sent.messageId;
    this.pump();
    return {
      MessageId: messageId,
      MD5OfMessageBody: createHash('md5').update(body).digest('hex'),
      SequenceNumber: 'duplicateOf' in sent ? '0' : sent.sequenceNumber,
    };
  }

  /** Starts a batch for every message group that has visible messages and nothing in flight. */
  private pump(): void {
    if (this.stopped) return;
    for (const [url, consumer] of this.consumers) {
      const queue = this.queues.get(url) as FifoQueue;
      const now = Date.now();
      for (const groupId of new Set(queue.messages.map((m) => m.groupId))) {
        const key = `${url}#${groupId}`;
        if (this.busyGroups.has(key)) continue;
        const group = queue.messages.filter((m) => m.groupId === groupId);
        // FIFO: the group waits for its oldest message, even while it is invisible after a failure.
        const head = group[0];
        if (!head || head.visibleAt > now) {
          if (head) this.later(head.visibleAt - now);
          continue;
        }
        const batch = group.slice(0, MAX_BATCH).filter((m) => m.visibleAt <= now);
        this.busyGroups.add(key);
        void this.deliver(queue, consumer, batch).finally(() => {
          this.busyGroups.delete(key);
          this.pump();
          this.notifyIdle();
        });
      }
    }
    this.notifyIdle();
  }

  private async deliver(queue: FifoQueue, consumer: Consumer, batch: Message[]): Promise<void> {
    const now = Date.now();
    // The visibility timeout runs from the receive: a message whose consumer fails or times out comes
    // back when it ends, unless the consumer changed it (ChangeMessageVisibility) meanwhile.
    for (const message of batch) {
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.inFlight = true;
      message.visibleAt = now + queue.options.visibilityTimeoutSeconds * 1000;
    }
    this.inFlight += 1;
    let failed: Set<string>;
    try {
      const response = await consumer({ Records: batch.map((m) => this.record(queue, m)) });
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(batch.map((m) => m.messageId));
    } finally {
      this.inFlight -= 1;
    }
    const duplicate = this.redeliverNextBatch && failed.size === 0;
    if (duplicate) this.redeliverNextBatch = false;
    for (const message of batch) {
      message.inFlight = false;
      if (duplicate) {
        message.visibleAt = Date.now(); // delivered again at once, as SQS may do
        continue;
      }
      if (!failed.has(message.messageId)) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
      } else if (message.receiveCount >= queue.options.maxReceiveCount) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        queue.deadLetters.push(message);
      } else {
        this.later(Math.max(0, message.visibleAt - Date.now()));
      }
    }
  }

  private record(queue: FifoQueue, message: Message): object {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: ACCOUNT,
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
        SequenceNumber: message.sequenceNumber,
        MessageGroupId: message.groupId,
        MessageDeduplicationId: message.deduplicationId,
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${this.region}:${ACCOUNT}:${queue.name}`,
      awsRegion: this.region,
    };
  }

  private later(ms: number): void {
    if (this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.pump();
      },
      Math.max(1, ms),
    );
    this.timers.add(timer);
  }

  /** No visible message waits and no batch is being delivered. */
  isIdle(): boolean {
    const now = Date.now();
    if (this.inFlight > 0 || this.busyGroups.size > 0) return false;
    for (const [url] of this.consumers) {
      if (this.queues.get(url)?.messages.some((m) => m.visibleAt <= now)) return false;
    }
    return true;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function reply(response: ServerResponse, body: unknown): void {
  sendJson(response, 200, body, { 'content-type': 'application/x-amz-json-1.0' });
}

function fail(response: ServerResponse, code: string, message: string): void {
  sendJson(
    response,
    400,
    { __type: `com.amazonaws.sqs#${code}`, message },
    {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `AWS.SimpleQueueService.${code};Sender`,
    },
  );
}
