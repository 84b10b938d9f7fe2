import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTopicCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsClient } from '../../aws/clients.js';
import { type PublishedMessage, SnsEmulator } from '../sns/sns-emulator.js';
import { TEST_AWS } from './local-kinesis.js';

describe('SnsEmulator (GIVEN the real SNS client pointed at it by endpoint)', () => {
  let dir: string;
  let sns: SnsEmulator;
  let client: SNSClient;
  const logged: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'croupier-sns-'));
    sns = new SnsEmulator({
      host: '127.0.0.1',
      port: 0,
      region: TEST_AWS.region,
      accountId: '123456789012',
      topics: ['croupier-maintenance-alerts'],
      logFile: join(dir, 'sns', 'messages.jsonl'),
      log: (message) => logged.push(message),
    });
    await sns.start();
    client = createSnsClient({ endpoint: sns.endpoint, ...TEST_AWS });
  });

  afterAll(async () => {
    client.destroy();
    await sns.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN an alert is published THEN the client gets a MessageId and the message is in memory, in the file and in the log', async () => {
    const seen: PublishedMessage[] = [];
    const unsubscribe = sns.onMessage((m) => seen.push(m));
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:croupier-maintenance-alerts';
    const message = JSON.stringify({ deviceId: 'SH-07', cause: 'jam_rate', risk: 0.91, note: '<&>' });
    const result = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'Shuffler SH-07 needs service',
        Message: message,
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'high' },
          risk: { DataType: 'Number', StringValue: '0.91' },
        },
      }),
    );
    unsubscribe();
    expect(result.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const expected = {
      messageId: result.MessageId,
      topicArn,
      subject: 'Shuffler SH-07 needs service',
      message,
      messageAttributes: {
        severity: { DataType: 'String', StringValue: 'high' },
        risk: { DataType: 'Number', StringValue: '0.91' },
      },
      publishedAt: expect.any(String),
    };
    expect(sns.messages()).toEqual([expected]);
    expect(seen).toEqual([expected]);
    const lines = (await readFile(join(dir, 'sns', 'messages.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([expected]);
    expect(logged).toContain('sns message published');
  });

  it('WHEN publishing to a topic that does not exist THEN the client gets NotFoundException', async () => {
    await expect(
      client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:nope', Message: 'x' })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('WHEN a topic is created THEN it is listed and accepts messages', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'croupier-ops' }));
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:croupier-ops');
    const { Topics } = await client.send(new ListTopicsCommand({}));
    expect(Topics?.map((t) => t.TopicArn)).toEqual([
      'arn:aws:sns:us-east-1:123456789012:croupier-maintenance-alerts',
      TopicArn,
    ]);
    await client.send(new PublishCommand({ TopicArn, Message: 'hello' }));
    expect(sns.messages().at(-1)).toMatchObject({ topicArn: TopicArn, message: 'hello' });
  });
});
