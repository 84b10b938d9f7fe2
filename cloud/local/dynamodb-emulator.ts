import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { IndexDefinition, KeyDefinition, TableDefinition } from '../definitions/tables.js';
import { closeServer, listen } from './listen.js';

/** A running dynalite. */
export interface DynamoDbEmulator {
  /** `http://127.0.0.1:<port>`: set as `AWS_ENDPOINT_URL_DYNAMODB` or a client `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface DynamoDbEmulatorOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** LevelDB folder for durable tables; in memory when absent. */
  readonly path?: string;
}

/** Starts dynalite on `host:port`. */
export async function startDynamoDbEmulator(options: DynamoDbEmulatorOptions): Promise<DynamoDbEmulator> {
  const server: Server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://${options.host}:${port}`, port, close: () => closeServer(server) };
}

/**
 * The CreateTable request for one table definition: on-demand billing, keys and GSIs as the CDK app
 * declares them. Pure, so the mapping is testable without a database.
 */
export function createTableInput(table: TableDefinition) {
  const attributes = new Map<string, KeyDefinition>();
  const keySchema = (pk: KeyDefinition, sk?: KeyDefinition): KeySchemaElement[] => {
    attributes.set(pk.name, pk);
    if (sk) attributes.set(sk.name, sk);
    return [
      { AttributeName: pk.name, KeyType: 'HASH' },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
    ];
  };
  const tableKeys = keySchema(table.partitionKey, table.sortKey);
  const indexes = (table.globalSecondaryIndexes ?? []).map((index: IndexDefinition) => ({
    IndexName: index.name,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' as const },
  }));
  const attributeDefinitions: AttributeDefinition[] = [...attributes.values()].map((key) => ({
    AttributeName: key.name,
    AttributeType: key.type,
  }));
  return {
    TableName: table.name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: tableKeys,
    AttributeDefinitions: attributeDefinitions,
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

/**
 * Creates each table from the shared definitions and waits until it is ACTIVE; existing tables are
 * kept. TTL is not configured here: dynalite has no UpdateTimeToLive, so the local cloud runs a
 * {@link DynamoDbTtlSweeper} over the definitions' `ttlAttribute`s instead.
 */
export async function createTables(client: DynamoDBClient, definitions: readonly TableDefinition[]): Promise<void> {
  for (const table of definitions) {
    try {
      await client.send(new CreateTableCommand(createTableInput(table)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitForActiveTable(client, table.name);
  }
}

async function waitForActiveTable(client: DynamoDBClient, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: name }));
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`table ${name} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
