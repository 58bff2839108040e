/**
 * The import whose peak memory bench/import-memory.ts measures, run as its own process:
 * `streamed <accounts.csv> <contacts.csv>` is the command's path (local/customer-files-import.ts:
 * streamed files, the import use case page by page); `whole-file <accounts.csv> <contacts.csv>` is
 * the earlier design (both files read and checked whole, the report kept), for comparison. Both
 * write to a store that counts and drops writes (bench/dropped-writes-customer-store.ts).
 * Prints the counts as the command does; the peak memory comes from bench/peak-memory-report.ts.
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { csvColumnLabel, readCustomerCsvFile } from '../adapters/fs/customer-csv.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { importCatalogueOf, importCustomers } from '../core/customers/import-customers.ts';
import { importCustomerFiles, openCustomerFiles } from '../local/customer-files-import.ts';
import { describeImport } from '../local/import-report.ts';
import { droppedWritesCustomerStore } from './dropped-writes-customer-store.ts';

const [mode, accountsPath, contactsPath] = process.argv.slice(2);
if ((mode !== 'streamed' && mode !== 'whole-file') || !accountsPath || !contactsPath) {
  console.error('usage: import-memory-child.ts streamed|whole-file <accounts.csv> <contacts.csv>');
  process.exit(2);
}
const config = await loadConfigOrThrow(defaultConfigLocation(fileURLToPath(new URL('..', import.meta.url))));
const catalogue = importCatalogueOf(config);
const { store, writes } = droppedWritesCustomerStore();

if (mode === 'streamed') {
  const files = await openCustomerFiles({ accounts: accountsPath, contacts: contactsPath }, { attributes: { account: [], contact: [] } });
  if ('refusals' in files) throw new Error(files.refusals.join('; '));
  await importCustomerFiles(files, { customers: store, clock: systemClock, catalogue, enroll: () => Promise.resolve(0), print: (line) => console.log(line) });
} else {
  const [accounts, contacts] = await Promise.all([readCustomerCsvFile(accountsPath, 'accounts'), readCustomerCsvFile(contactsPath, 'contacts')]);
  const report = await importCustomers({ accounts: accounts.records, contacts: contacts.records, fieldLabel: csvColumnLabel, catalogue }, store, systemClock);
  for (const line of describeImport(report)) console.log(line);
}
console.log(`dropped writes: ${writes.accounts} accounts, ${writes.contacts} contacts, ${writes.lookups} look-ups`);
