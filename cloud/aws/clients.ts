/**
 * AWS SDK client factories shared by every handler and by the local cloud.
 *
 * Clients take their region, credentials and endpoint from the standard SDK configuration chain
 * (`AWS_REGION`, `AWS_ENDPOINT_URL_KINESIS`, `AWS_ENDPOINT_URL_DYNAMODB`, shared config files, ...),
 * so the same code reaches AWS in production and the local stand-ins on the local floor without a
 * single "if local" branch. Callers that parsed an endpoint from their own configuration may pass it
 * as an override; nothing else differs.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import { TimestreamWriteClient, type TimestreamWriteClientConfig } from '@aws-sdk/client-timestream-write';
import { DynamoDBDocumentClient, type TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Socket settings for the HTTP/1.1 handler. Keep-alive reuses connections across warm Lambda
 * invocations; the timeouts bound a hung connection well inside a Lambda timeout.
 */
const httpHandler = () =>
  new NodeHttpHandler({
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    httpAgent: { keepAlive: true, maxSockets: 50 },
    httpsAgent: { keepAlive: true, maxSockets: 50 },
  });

/**
 * Kinesis client over HTTP/1.1. The SDK's default for Kinesis negotiates HTTP/2 for
 * SubscribeToShard; kinesalite speaks HTTP/1.1 only, and the polling APIs used here (PutRecords,
 * GetRecords) gain nothing from HTTP/2 in production either, so one handler serves both.
 */
export function createKinesisClient(overrides: KinesisClientConfig = {}): KinesisClient {
  return new KinesisClient({ requestHandler: httpHandler(), ...overrides });
}

/** Low-level DynamoDB client. */
export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ requestHandler: httpHandler(), ...overrides });
}

/**
 * DynamoDB document client: plain JavaScript values in and out. `undefined` attributes are dropped
 * rather than rejected because optional fields of the contract types are often absent.
 */
export function createDynamoDbDocumentClient(
  overrides: DynamoDBClientConfig = {},
  translate: TranslateConfig = {},
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoDbClient(overrides), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false, ...translate.marshallOptions },
    unmarshallOptions: { wrapNumbers: false, ...translate.unmarshallOptions },
  });
}

/** SNS client (alerts). */
export function createSnsClient(overrides: SNSClientConfig = {}): SNSClient {
  return new SNSClient({ requestHandler: httpHandler(), ...overrides });
}

/** Timestream write client. Timestream uses endpoint discovery; the SDK handles it. */
export function createTimestreamWriteClient(overrides: TimestreamWriteClientConfig = {}): TimestreamWriteClient {
  return new TimestreamWriteClient({ requestHandler: httpHandler(), ...overrides });
}
