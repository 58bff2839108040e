/**
 * `npm run import -- <accounts.csv> <contacts.csv>`: imports customers into the table.
 * Bad rows are listed with their line and reason and not written; good rows are written;
 * the same file imported again changes nothing. Exit code 1 when any row was rejected.
 *
 * Target: DYNAMODB_ENDPOINT + TABLE_NAME when set (e.g. a running `npm start`), else the
 * local runtime's DynamoDB Local: reused if it is running, started for the import if not.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { csvColumnLabel, CustomerCsvError, readCustomerCsv } from '../adapters/fs/customer-csv.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { importCustomers } from '../core/customers/import-customers.ts';
import { localDynamoClient, startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local.ts';
import { describeImport } from '../local/import-report.ts';
import { isPortFree } from '../local/ports.ts';
import { readLocalSettings } from '../local/settings.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const settings = readLocalSettings(process.argv.slice(2), process.env, projectRoot);
const [accountsPath, contactsPath] = process.argv.slice(2).filter((arg) => !arg.startsWith('--') && !/^\d+$/.test(arg));
if (!accountsPath || !contactsPath) {
  console.error('usage: npm run import -- <accounts.csv> <contacts.csv>');
  process.exit(2);
}

let candidates;
try {
  candidates = { accounts: await readCustomerCsv(accountsPath, 'accounts'), contacts: await readCustomerCsv(contactsPath, 'contacts') };
} catch (error) {
  if (error instanceof CustomerCsvError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
    console.error(`import refused, nothing was written: ${(error as Error).message}`);
    process.exit(1);
  }
  throw error;
}

let started: DynamoDbLocal | undefined;
let endpoint = process.env.DYNAMODB_ENDPOINT;
if (!endpoint) {
  if (await isPortFree(settings.dynamodbPort)) {
    started = await startDynamoDbLocal({ port: settings.dynamodbPort, dbPath: join(settings.dataDir, 'dynamodb') });
  }
  endpoint = `http://127.0.0.1:${settings.dynamodbPort}`;
}
const client = localDynamoClient(endpoint);
try {
  await ensureTable(client, settings.tableName);
  const report = await importCustomers({ ...candidates, fieldLabel: csvColumnLabel }, createDynamoStore(client, settings.tableName).customers, systemClock);
  for (const line of describeImport(report)) console.log(line);
  const rejected = report.accounts.rejected + report.contacts.rejected;
  if (rejected > 0) {
    console.error(`${rejected} row(s) rejected and not written; the other rows were imported.`);
    process.exitCode = 1;
  }
} finally {
  client.destroy();
  await started?.stop();
}
