import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { closeServer, listen } from '../listen.js';
import { type MessageAttribute, parsePublish, xmlText } from './sns-query-request.js';

const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';
/** SNS's message size limit. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;

/** A message the stand-in received, as the dashboard and tests see it. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttribute>>;
  readonly messageGroupId?: string;
  readonly publishedAt: string;
}

export interface SnsEmulatorOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** Topic names that exist from the start; CreateTopic adds more. */
  readonly topics: readonly string[];
  /** JSON-lines file every published message is appended to; none when absent. */
  readonly logFile?: string;
  /** How many recent messages stay in memory for the dashboard. */
  readonly keep?: number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * The SNS stand-in: an HTTP endpoint speaking SNS's Query protocol for Publish, CreateTopic and
 * ListTopics, so the real SNS client reaches it through `AWS_ENDPOINT_URL_SNS`. It delivers to no
 * one: each message is logged, appended to a JSON-lines file and kept in memory for the dashboard.
 * Publishing to a topic that does not exist fails with NotFound, as in SNS.
 */
export class SnsEmulator {
  private readonly topics = new Set<string>();
  private readonly recent: PublishedMessage[] = [];
  private readonly listeners = new Set<(message: PublishedMessage) => void>();
  private server: Server | undefined;
  private endpointUrl = '';

  constructor(private readonly options: SnsEmulatorOptions) {
    for (const name of options.topics) this.topics.add(this.topicArn(name));
  }

  get endpoint(): string {
    return this.endpointUrl;
  }

  /** ARN of a topic name in this emulator's region and account. */
  topicArn(name: string): string {
    return `arn:aws:sns:${this.options.region}:${this.options.accountId}:${name}`;
  }

  async start(): Promise<void> {
    if (this.options.logFile) await mkdir(dirname(this.options.logFile), { recursive: true });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.options.log?.('sns stand-in failed a request', { error: String(error) });
        if (!res.headersSent) sendError(res, 500, 'Receiver', 'InternalError', 'internal error');
      });
    });
    await listen(this.server, this.options.port, this.options.host);
    const { port } = this.server.address() as AddressInfo;
    this.endpointUrl = `http://${this.options.host}:${port}`;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }

  /** The most recent messages, oldest first. */
  messages(): readonly PublishedMessage[] {
    return [...this.recent];
  }

  /** Calls `listener` for every message published from now on; returns an unsubscribe function. */
  onMessage(listener: (message: PublishedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 400, 'Sender', 'InvalidAction', 'SNS accepts POST only');
    const body = await readBody(req);
    if (body === undefined) return sendError(res, 413, 'Sender', 'RequestTooLarge', 'request body too large');
    const form = new URLSearchParams(body);
    switch (form.get('Action')) {
      case 'Publish':
        return this.publish(form, res);
      case 'CreateTopic': {
        const name = form.get('Name') ?? '';
        if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)) {
          return sendError(res, 400, 'Sender', 'InvalidParameter', 'Invalid parameter: Topic Name');
        }
        const arn = this.topicArn(name);
        this.topics.add(arn);
        return sendResult(res, 'CreateTopic', `<TopicArn>${xmlText(arn)}</TopicArn>`);
      }
      case 'ListTopics': {
        const members = [...this.topics].map((arn) => `<member><TopicArn>${xmlText(arn)}</TopicArn></member>`).join('');
        return sendResult(res, 'ListTopics', `<Topics>${members}</Topics>`);
      }
      default:
        return sendError(
          res,
          400,
          'Sender',
          'InvalidAction',
          `The action ${form.get('Action')} is not valid for this endpoint.`,
        );
    }
  }

  private async publish(form: URLSearchParams, res: ServerResponse): Promise<void> {
    const request = parsePublish(form);
    if ('missing' in request) {
      return sendError(res, 400, 'Sender', 'InvalidParameter', `Invalid parameter: ${request.missing}`);
    }
    if (!this.topics.has(request.TopicArn)) return sendError(res, 404, 'Sender', 'NotFound', 'Topic does not exist');
    if (Buffer.byteLength(request.Message) > MAX_MESSAGE_BYTES) {
      return sendError(res, 400, 'Sender', 'InvalidParameter', 'Invalid parameter: Message too long');
    }
    const message: PublishedMessage = {
      messageId: randomUUID(),
      topicArn: request.TopicArn,
      ...(request.Subject === undefined ? {} : { subject: request.Subject }),
      message: request.Message,
      messageAttributes: request.MessageAttributes,
      ...(request.MessageGroupId === undefined ? {} : { messageGroupId: request.MessageGroupId }),
      publishedAt: new Date().toISOString(),
    };
    if (this.options.logFile) await appendFile(this.options.logFile, `${JSON.stringify(message)}\n`);
    this.recent.push(message);
    if (this.recent.length > (this.options.keep ?? 500)) this.recent.shift();
    this.options.log?.('sns message published', {
      topicArn: message.topicArn,
      messageId: message.messageId,
      subject: message.subject,
    });
    for (const listener of this.listeners) listener(message);
    sendResult(res, 'Publish', `<MessageId>${message.messageId}</MessageId>`);
  }
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendResult(res: ServerResponse, action: string, result: string): void {
  const xml = `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
  res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
}

function sendError(res: ServerResponse, status: number, type: string, code: string, message: string): void {
  const xml = `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlText(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
}
