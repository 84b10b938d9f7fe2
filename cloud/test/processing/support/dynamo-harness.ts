import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { tables } from '../../../definitions/tables.js';
import { createTables } from '../../../local/dynamodb-emulator.js';

/** A real dynalite on an ephemeral loopback port with every table of the shared definitions. */
export interface DynamoHarness {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  /** Write requests sent through `doc`/`client` since the last reset, by command name. */
  readonly writes: Map<string, number>;
  /** The same, by `Command table` (a BatchWriteItem counts once per table it writes to). */
  readonly writesByTable: Map<string, number>;
  close(): Promise<void>;
}

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

export async function startDynamo(): Promise<DynamoHarness> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const writes = new Map<string, number>();
  const writesByTable = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      if (WRITE_COMMANDS.has(name)) {
        writes.set(name, (writes.get(name) ?? 0) + 1);
        const input = args.input as { TableName?: string; RequestItems?: Record<string, unknown> };
        for (const table of input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {})) {
          const key = `${name} ${table}`;
          writesByTable.set(key, (writesByTable.get(key) ?? 0) + 1);
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'countWriteRequests' },
  );
  await createTables(client, tables);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    client,
    doc,
    writes,
    writesByTable,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
