import http from 'node:http';
import type { PolicyAction } from './policy.js';

/** IoT Core's limit on one message's payload. */
const MAX_PAYLOAD_BYTES = 128 * 1024;

export interface DataPlanePublish {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

export interface DataPlaneOptions {
  /** Whether the cloud-side principal may publish to `topic` (the downlink service policy). */
  readonly isAllowed: (request: { action: PolicyAction; resource: string }) => boolean;
  readonly onDenied: (topic: string) => void;
  readonly publish: (message: DataPlanePublish) => Promise<void>;
}

/** restJson1 error, as the AWS SDK parses it: the type in `x-amzn-ErrorType`, the text in `message`. */
function fail(response: http.ServerResponse, status: number, type: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  response.end(JSON.stringify({ message }));
}

function decodeTopic(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/**
 * The IoT data-plane `Publish` API (`POST /topics/{topic}?qos=&retain=`), so cloud code that
 * pushes downlinks with `@aws-sdk/client-iot-data-plane` runs unchanged against the local broker
 * when `AWS_ENDPOINT_URL_IOT_DATA_PLANE` points here. Requests are not SigV4-verified: the
 * endpoint listens on loopback and stands for one IAM principal, the downlink service, whose
 * policy every publish is checked against.
 */
export function createDataPlaneServer(options: DataPlaneOptions): http.Server {
  return http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = /^\/topics\/(.+)$/.exec(url.pathname);
    if (request.method !== 'POST' || !match) {
      request.resume();
      return fail(response, 404, 'ResourceNotFoundException', `no such operation ${request.method} ${url.pathname}`);
    }
    const topic = decodeTopic(match[1]!);
    if (topic === undefined || topic === '' || /[+#]/.test(topic) || topic.includes('\u0000')) {
      request.resume();
      return fail(response, 400, 'InvalidRequestException', `"${match[1]}" is not a topic name`);
    }
    const qos = url.searchParams.get('qos') ?? '0';
    if (qos !== '0' && qos !== '1') {
      request.resume();
      return fail(response, 400, 'InvalidRequestException', `qos must be 0 or 1, got ${qos}`);
    }
    if (!options.isAllowed({ action: 'publish', resource: topic })) {
      request.resume();
      options.onDenied(topic);
      return fail(response, 403, 'ForbiddenException', `not authorized to publish to ${topic}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_PAYLOAD_BYTES) {
        return fail(response, 413, 'RequestEntityTooLargeException', `payload exceeds ${MAX_PAYLOAD_BYTES} bytes`);
      }
      options
        .publish({
          topic,
          payload: Buffer.concat(chunks),
          qos: qos === '1' ? 1 : 0,
          retain: url.searchParams.get('retain') === 'true',
        })
        .then(
          () => {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end('{}');
          },
          (error: Error) => fail(response, 503, 'ServiceUnavailableException', error.message),
        );
    });
  });
}
