import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { retryDelaySeconds, SqsRecordRetry } from '../src/aws/record-retry.js';

/** A record as the event source mapping hands it over, received `count` times. */
const record = (id: string, count: number) =>
  ({
    messageId: id,
    receiptHandle: `handle-${id}`,
    attributes: { ApproximateReceiveCount: String(count) },
  }) as unknown as SQSRecord;

/** An SQS client that records each command's input and answers `answer`. */
function fakeClient(answer: object = { Successful: [], Failed: [] }) {
  const sent: {
    QueueUrl: string;
    Entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[];
  }[] = [];
  const client = {
    send: async (command: { input: (typeof sent)[number] }) => {
      sent.push(command.input);
      return answer;
    },
  } as unknown as SQSClient;
  return { client, sent };
}

describe('handing failed records back within seconds', () => {
  it('waits 2, 4, 8, 16, then 30 s by how often the record was received', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(retryDelaySeconds)).toEqual([2, 4, 8, 16, 30, 30, 30]);
    expect(retryDelaySeconds(0)).toBe(2);
  });

  it('changes the visibility of every failed record in one batch call on its queue', async () => {
    const { client, sent } = fakeClient();
    await new SqsRecordRetry(client, 'https://sqs/q.fifo').retrySoon([record('a', 1), record('b', 3)]);
    expect(sent).toEqual([
      {
        QueueUrl: 'https://sqs/q.fifo',
        Entries: [
          { Id: '0', ReceiptHandle: 'handle-a', VisibilityTimeout: 2 },
          { Id: '1', ReceiptHandle: 'handle-b', VisibilityTimeout: 8 },
        ],
      },
    ]);
  });

  it('calls nothing without failed records, and throws when SQS refuses an entry', async () => {
    const none = fakeClient();
    await new SqsRecordRetry(none.client, 'q').retrySoon([]);
    expect(none.sent).toEqual([]);
    const refused = fakeClient({ Failed: [{ Id: '0', Code: 'ReceiptHandleIsInvalid', Message: 'gone' }] });
    await expect(new SqsRecordRetry(refused.client, 'q').retrySoon([record('a', 1)])).rejects.toThrow(
      /0: ReceiptHandleIsInvalid gone/,
    );
  });
});
