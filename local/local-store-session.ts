/**
 * For the command-line tools (import, audience, preview): the table of the local runtime.
 * DYNAMODB_ENDPOINT + TABLE_NAME when set; else the DynamoDB Local of a running `npm start`,
 * reused if its port answers, or started on the same data folder for the command and stopped after.
 */
import { join } from 'node:path';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import type { Store } from '../core/ports.ts';
import { localDynamoClient, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { isPortFree } from './ports.ts';
import type { LocalSettings } from './settings.ts';

export async function withLocalStore<T>(settings: LocalSettings, env: NodeJS.ProcessEnv, work: (store: Store) => Promise<T>): Promise<T> {
  let started: DynamoDbLocal | undefined;
  let endpoint = env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    if (await isPortFree(settings.dynamodbPort)) {
      started = await startDynamoDbLocal({ port: settings.dynamodbPort, dbPath: join(settings.dataDir, 'dynamodb') });
    }
    endpoint = `http://127.0.0.1:${settings.dynamodbPort}`;
  }
  const client = localDynamoClient(endpoint);
  try {
    await ensureTable(client, settings.tableName);
    return await work(createDynamoStore(client, settings.tableName));
  } finally {
    client.destroy();
    await started?.stop();
  }
}
