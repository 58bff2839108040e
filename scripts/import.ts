/**
 * `npm run import -- <accounts.csv> <contacts.csv>`: imports customers into the table.
 * Bad rows are listed with their line and reason and not written; good rows are written;
 * the same file imported again changes nothing. Exit code 1 when any row was rejected.
 *
 * Target: DYNAMODB_ENDPOINT + TABLE_NAME when set (e.g. a running `npm start`), else the
 * local runtime's DynamoDB Local: reused if it is running, started for the import if not.
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { csvColumnLabel, CustomerCsvError, readCustomerCsv } from '../adapters/fs/customer-csv.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { importCustomers } from '../core/customers/import-customers.ts';
import { enrollOnPhaseChanges } from '../core/sequences/enroll-contacts.ts';
import { describeImport } from '../local/import-report.ts';
import { withLocalStore } from '../local/local-store-session.ts';
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

const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
await withLocalStore(settings, process.env, async (store) => {
  const report = await importCustomers({ ...candidates, fieldLabel: csvColumnLabel }, store.customers, systemClock);
  for (const line of describeImport(report)) console.log(line);
  const enrolled = await enrollOnPhaseChanges(report.phaseChanges, { ...store, config, clock: systemClock });
  if (enrolled > 0) console.log(`enrolled ${enrolled} contact(s) in nurture sequences`);
  const rejected = report.accounts.rejected + report.contacts.rejected;
  if (rejected > 0) {
    console.error(`${rejected} row(s) rejected and not written; the other rows were imported.`);
    process.exitCode = 1;
  }
});
