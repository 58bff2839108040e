/**
 * `npm run import -- <accounts.csv> <contacts.csv> [--encoding shift_jis]`: imports customers into the table.
 * Bad rows (a wrong value, or the wrong number of cells) are listed with their line and reason
 * and not written; good rows are written; the same file imported again changes nothing. A file
 * that cannot be imported at all (missing, empty, not decodable, wrong columns) refuses the whole
 * import before anything is written, so one good file is never imported without the other.
 * Exit code 1 when anything was refused, 2 for a wrong command line.
 *
 * Target: `--aws-table <name>` for a deployed stage (AWS credentials from the environment); else
 * DYNAMODB_ENDPOINT + TABLE_NAME when set, else the engine `npm start` runs from the data folder
 * (found through its engine.json), else a DynamoDB Local started for the import.
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { csvColumnLabel, CustomerCsvError, readCustomerCsvFile, type CustomerCsvReadOptions } from '../adapters/fs/customer-csv.ts';
import { resolveEncoding, TextEncodingError } from '../adapters/fs/text-file-encoding.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { importCatalogueOf, importCustomers } from '../core/customers/import-customers.ts';
import { enrollAccounts } from '../core/sequences/enroll-contacts.ts';
import { describeImport, withReaderRejections } from '../local/import-report.ts';
import { withToolStore } from '../local/local-store-session.ts';
import { readCommandLine } from '../local/command-line.ts';

const USAGE = 'usage: npm run import -- <accounts.csv> <contacts.csv> [--encoding utf-8|shift_jis|utf-16le|...] (--help for the options)';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const parsed = readCommandLine(
  {
    usage: 'npm run import -- <accounts.csv> <contacts.csv> [options]',
    summary: 'Imports customers into the local table: bad rows are listed with line and reason and not written; exit code 1 when anything was refused.',
    options: { encoding: { type: 'string' }, 'aws-table': { type: 'string' } },
    optionHelp: {
      encoding: 'the files\' encoding when it is not recognised: utf-8, shift_jis, cp932, utf-16le, euc-jp, windows-1252, ...',
      'aws-table': 'import into a deployed stage\'s table (its TableName output), with AWS credentials and region from the environment',
    },
  },
  projectRoot,
);
const { settings } = parsed;
const [accountsPath, contactsPath, ...extra] = parsed.positionals;
if (!accountsPath || !contactsPath || extra.length > 0) {
  console.error(USAGE);
  process.exit(2);
}
const readOptions: CustomerCsvReadOptions = {};
if (parsed.values.encoding !== undefined) {
  try {
    readOptions.encoding = resolveEncoding(parsed.values.encoding);
  } catch (error) {
    if (!(error instanceof TextEncodingError)) throw error;
    console.error(`--encoding: ${error.message}`);
    process.exit(2);
  }
}

// The config declares the products, topics and custom attribute columns (attr_<id>) a file may use.
const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
const attributeIds = (kind: 'account' | 'contact') => config.attributes[kind].map((attribute) => attribute.id);

// Both files are read, and every problem with them reported, before anything is written.
const read = await Promise.allSettled([
  readCustomerCsvFile(accountsPath, 'accounts', { ...readOptions, attributes: attributeIds('account') }),
  readCustomerCsvFile(contactsPath, 'contacts', { ...readOptions, attributes: attributeIds('contact') }),
]);
const refusals = read.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
const unexpected = refusals.find((reason) => !(reason instanceof CustomerCsvError));
if (unexpected !== undefined) throw unexpected;
if (refusals.length > 0 || read[0].status !== 'fulfilled' || read[1].status !== 'fulfilled') {
  console.error('import refused, nothing was written:');
  for (const reason of refusals) console.error(`  ${(reason as Error).message}`);
  process.exit(1);
}
const [accounts, contacts] = [read[0].value, read[1].value];
for (const note of [...accounts.notes, ...contacts.notes]) console.log(`note: ${note}`);

await withToolStore({ awsTable: parsed.values['aws-table'], settings, env: process.env }, async (store) => {
  const imported = await importCustomers({ accounts: accounts.records, contacts: contacts.records, fieldLabel: csvColumnLabel, catalogue: importCatalogueOf(config) }, store.customers, systemClock);
  const report = withReaderRejections(imported, { accounts: accounts.rejected, contacts: contacts.rejected });
  for (const line of describeImport(report)) console.log(line);
  const enrolled = await enrollAccounts(report.accountIds, { ...store, config, clock: systemClock });
  if (enrolled > 0) console.log(`enrolled ${enrolled} contact(s) in nurture sequences`);
  const rejected = report.accounts.rejected + report.contacts.rejected;
  if (rejected > 0) {
    console.error(`${rejected} row(s) rejected and not written; the other rows were imported.`);
    process.exitCode = 1;
  }
}, { expectedWrites: accounts.records.length + contacts.records.length });
