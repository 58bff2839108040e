/**
 * The emulators the local runtime and the demo run on: DynamoDB Local and the SES v2 emulator,
 * with the table created. The AWS adapters talk to them unchanged; only endpoints differ.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { localDynamoClient, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { assertPortsFree } from './ports.ts';
import { startSesEmulator, type SesEmulator } from './ses-emulator.ts';

export interface LocalServices {
  dynamo: DynamoDbLocal;
  ses: SesEmulator;
  client: DynamoDBClient;
  /** True when the table did not exist yet (a first start). */
  tableCreated: boolean;
  stop(): Promise<void>;
}

export interface LocalServiceOptions {
  dynamodbPort: number;
  sesPort: number;
  tableName: string;
  /** Persist DynamoDB Local here; omitted = in memory. */
  dbPath?: string;
  /** What the SES emulator's GetAccount reports as MaxSendRate. */
  sesMaxSendRate?: number;
  /** Ports checked up front, with the emulators', so every busy one is reported before anything starts. */
  alsoCheck?: Array<{ port: number; purpose: string; option: string }>;
}

export async function startLocalServices(options: LocalServiceOptions): Promise<LocalServices> {
  await assertPortsFree([
    { port: options.dynamodbPort, purpose: 'DynamoDB Local', option: '--dynamodb-port or DYNAMODB_PORT' },
    { port: options.sesPort, purpose: 'SES emulator', option: '--ses-port or SES_PORT' },
    ...(options.alsoCheck ?? []),
  ]);

  const dynamo = await startDynamoDbLocal({ port: options.dynamodbPort, ...(options.dbPath ? { dbPath: options.dbPath } : {}) });
  let ses: SesEmulator | undefined;
  const client = localDynamoClient(dynamo.endpoint);
  try {
    ses = await startSesEmulator(options.sesPort, options.sesMaxSendRate);
    const tableCreated = await ensureTable(client, options.tableName);
    const started = ses;
    return {
      dynamo,
      ses: started,
      client,
      tableCreated,
      stop: async () => {
        client.destroy();
        await started.stop();
        await dynamo.stop();
      },
    };
  } catch (error) {
    client.destroy();
    await ses?.stop();
    await dynamo.stop();
    throw error;
  }
}
