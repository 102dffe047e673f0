import { existsSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LocalStack } from '../src/index.js';
import { startTestStack } from './helpers/stack.js';

let stack: LocalStack;
let credentials: LocalStack['credentials'];

beforeAll(async () => {
  stack = await startTestStack({
    regions: ['eu-west-1', 'us-east-1'],
    teamSize: 50,
  });
  credentials = stack.credentials;
});
afterAll(() => stack.stop());

describe('SQS FIFO emulator, through the real SDK', () => {
  it('accepts SendMessage and SendMessageBatch, and deduplicates by MessageDeduplicationId', async () => {
    const sqs = new SQSClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${stack.port}`,
      credentials,
    });
    const body = JSON.stringify({ reason: 'tick', regions: ['eu-west-1'], requestedAt: 1 });
    const first = await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrl,
        MessageBody: body,
        MessageGroupId: 'g',
        MessageDeduplicationId: 'same',
      }),
    );
    const again = await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queueUrl,
        MessageBody: body,
        MessageGroupId: 'g',
        MessageDeduplicationId: 'same',
      }),
    );
    expect(again.MessageId).toBe(first.MessageId);
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.queueUrl,
        Entries: [
          { Id: 'a', MessageBody: body, MessageGroupId: 'g', MessageDeduplicationId: 'a' },
          { Id: 'b', MessageBody: body, MessageGroupId: 'g' },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['a']);
    expect(batch.Failed?.[0]?.Message).toMatch(/MessageDeduplicationId is required/);
    await stack.settled();
    expect(stack.sqs.deadLetters(stack.queueUrl)).toEqual([]);
  });

  it('refuses an unknown queue with the SDK error SQS gives', async () => {
    const sqs = new SQSClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${stack.port}`,
      credentials,
    });
    await expect(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: `http://127.0.0.1:${stack.port}/000000000000/nope.fifo`,
          MessageBody: 'x',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'x',
        }),
      ),
    ).rejects.toThrow(/queue does not exist/i);
  });
});

describe('ECS emulator, through the real SDK', () => {
  it('runs, describes and stops a task in the region of the client, idempotently per clientToken', async () => {
    const ecs = new ECSClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${stack.port}`,
      credentials,
    });
    const input = {
      cluster: 'c',
      taskDefinition: 'game-server',
      startedBy: 'match-1',
      clientToken: 'match-1',
      overrides: {
        containerOverrides: [{ name: 'game-server', environment: [{ name: 'MATCH_ID', value: 'm' }] }],
      },
    };
    const run = await ecs.send(new RunTaskCommand(input));
    const taskArn = run.tasks?.[0]?.taskArn as string;
    expect(taskArn).toMatch(/^arn:aws:ecs:us-east-1:/);
    expect((await ecs.send(new RunTaskCommand(input))).tasks?.[0]?.taskArn).toBe(taskArn);
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster: 'c', tasks: [taskArn, 'arn:missing'] }),
    );
    expect(described.tasks?.[0]?.lastStatus).toBe('RUNNING');
    expect(described.failures?.[0]?.reason).toBe('MISSING');
    await ecs.send(new StopTaskCommand({ cluster: 'c', task: taskArn, reason: 'test' }));
    await waitFor(() => stack.ecs.tasks.get(taskArn)?.lastStatus === 'STOPPED');
    expect(stack.ecs.tasks.get(taskArn)?.stoppedReason).toBe('test');
  });

  it('runs game servers at a lower priority than the runtime (on AWS they have capacity of their own)', async () => {
    const file = join(tmpdir(), `game-server-priority-${process.pid}-${Date.now()}`);
    const before = stack.ecs.gameServer;
    stack.ecs.gameServer = {
      command: process.execPath,
      args: [
        '-e',
        "require('fs').writeFileSync(process.env.PRIORITY_FILE, String(require('os').getPriority()))",
      ],
      cwd: process.cwd(),
      env: { PRIORITY_FILE: file },
    };
    try {
      const ecs = new ECSClient({
        region: 'eu-west-1',
        endpoint: `http://127.0.0.1:${stack.port}`,
        credentials,
      });
      await ecs.send(new RunTaskCommand({ cluster: 'c', taskDefinition: 'game-server' }));
      await waitFor(() => existsSync(file) && readFileSync(file, 'utf8') !== '');
      expect(Number(readFileSync(file, 'utf8'))).toBe(Math.max(getPriority(), 10));
    } finally {
      stack.ecs.gameServer = before;
      rmSync(file, { force: true });
    }
  });

  it('answers a placement failure when told to', async () => {
    const ecs = new ECSClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${stack.port}`,
      credentials,
    });
    stack.ecs.failNextRunTasks = 1;
    const run = await ecs.send(new RunTaskCommand({ cluster: 'c', taskDefinition: 'game-server' }));
    expect(run.tasks).toEqual([]);
    expect(run.failures?.[0]?.reason).toMatch(/RESOURCE/);
  });
});

describe('@connections emulator, through the real SDK', () => {
  it('posts to an open connection, reports it, and answers 410 GoneException once it closed', async () => {
    const token = await stack.token('emulator-user');
    const socket = new WebSocket(`ws://127.0.0.1:${stack.port}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    await new Promise((resolve) => socket.once('open', resolve));
    const connectionId = [...stack.websocket.connections.keys()][0] as string;
    const client = new ApiGatewayManagementApiClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${stack.port}`,
      credentials,
    });
    const received = new Promise<string>((resolve) =>
      socket.once('message', (data) => resolve(data.toString())),
    );
    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('hi') }));
    expect(await received).toBe('hi');
    const info = await client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(info.Identity?.SourceIp).toBe('127.0.0.1');
    socket.close();
    await waitFor(() => !stack.websocket.connections.has(connectionId));
    await expect(
      client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('late') })),
    ).rejects.toBeInstanceOf(GoneException);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
