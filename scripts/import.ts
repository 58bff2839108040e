/**
 * `npm run import -- <accounts.csv> <contacts.csv> [--encoding shift_jis]`: imports customers into the table.
 * Bad rows (a wrong value, or the wrong number of cells) are listed with their line and reason
 * and not written; good rows are written; the same file imported again changes nothing. A file
 * that cannot be imported at all (missing, empty, not decodable, wrong columns) refuses the whole
 * import before anything is written, so one good file is never imported without the other.
 * Exit code 1 when anything was refused, 2 for a wrong command line. The files are streamed: each
 * is read through once to find what would refuse it, then imported page by page, rejected rows
 * printed as they are found and the counts at the end (local/customer-files-import.ts).
 *
 * `npm run import -- events <history.jsonl[.gz]>`: backfills engagement history through the one
 * engagement path (docs/history-import.md), streaming, with progress on stderr; idempotent.
 * `npm run import -- pinpoint-endpoints <export.json[.gz]> [--account-attribute AccountId]`: contacts
 * from an Amazon Pinpoint endpoint export (email endpoints, opt-outs honoured), through the same
 * customer import use case.
 *
 * Target: `--aws-table <name>` for a deployed stage (AWS credentials from the environment); else
 * DYNAMODB_ENDPOINT + TABLE_NAME when set, else the engine `npm start` runs from the data folder
 * (found through its engine.json), else a DynamoDB Local started for the import.
 */
import { fileURLToPath } from 'node:url';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import type { CustomerCsvReadOptions } from '../adapters/fs/customer-csv.ts';
import { resolveEncoding, TextEncodingError } from '../adapters/fs/text-file-encoding.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { importCatalogueOf } from '../core/customers/import-customers.ts';
import { enrollAccounts } from '../core/sequences/enroll-contacts.ts';
import { importCustomerFiles, openCustomerFiles } from '../local/customer-files-import.ts';
import { withToolStore } from '../local/local-store-session.ts';
import { readCommandLine } from '../local/command-line.ts';
import { DEFAULT_ACCOUNT_ATTRIBUTE } from '../core/customers/pinpoint-endpoints.ts';
import { importEndpointsCommand, importEventsCommand } from '../local/history-import-commands.ts';

const USAGE =
  'usage: npm run import -- <accounts.csv> <contacts.csv> [--encoding utf-8|shift_jis|utf-16le|...]\n' +
  '       npm run import -- events <history.jsonl[.gz]> [--progress-every <seconds>]\n' +
  '       npm run import -- pinpoint-endpoints <export.json[.gz]> [--account-attribute AccountId] [--default-locale en] [--default-zone UTC]\n' +
  '(--help for the options)';

/** Which import each command-specific option belongs to (the others apply to all). */
const COMMAND_OPTIONS = {
  encoding: ['csv'],
  'account-attribute': ['pinpoint-endpoints'],
  'default-locale': ['pinpoint-endpoints'],
  'default-zone': ['pinpoint-endpoints'],
  'progress-every': ['events'],
} as const satisfies Record<string, readonly string[]>;

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const parsed = readCommandLine(
  {
    usage: 'npm run import -- <accounts.csv> <contacts.csv> | events <history.jsonl[.gz]> | pinpoint-endpoints <export.json[.gz]> [options]',
    summary:
      'Imports customers (CSV, or a Pinpoint endpoint export) or engagement history (JSONL, Pinpoint event stream; docs/history-import.md) into the local table: ' +
      'bad rows or lines are listed with line and reason and not written; exit code 1 when anything was refused.',
    options: {
      encoding: { type: 'string' },
      'aws-table': { type: 'string' },
      'account-attribute': { type: 'string' },
      'default-locale': { type: 'string' },
      'default-zone': { type: 'string' },
      'progress-every': { type: 'string' },
    },
    optionHelp: {
      encoding: 'the files\' encoding when it is not recognised: utf-8, shift_jis, cp932, utf-16le, euc-jp, windows-1252, ...',
      'aws-table': 'import into a deployed stage\'s table (its TableName output), with AWS credentials and region from the environment',
      'account-attribute': `pinpoint-endpoints: the user or endpoint attribute holding the account id (default ${DEFAULT_ACCOUNT_ATTRIBUTE})`,
      'default-locale': 'pinpoint-endpoints: the locale of endpoints whose Demographic.Locale is not ja or en (default en)',
      'default-zone': 'pinpoint-endpoints: the time zone of endpoints without Demographic.Timezone or a one-zone country (default UTC)',
      'progress-every': 'events: seconds between progress lines on stderr (default 5; 0 for none)',
    },
  },
  projectRoot,
);
const { settings } = parsed;
const [command] = parsed.positionals;
if (command === 'events' || command === 'pinpoint-endpoints') {
  const [, path, ...rest] = parsed.positionals;
  const foreign = Object.keys(parsed.values).filter((option) => option in COMMAND_OPTIONS && !(COMMAND_OPTIONS[option as keyof typeof COMMAND_OPTIONS] as readonly string[]).includes(command));
  if (!path || rest.length > 0 || foreign.length > 0) {
    if (foreign.length > 0) console.error(`--${foreign.join(', --')}: not an option of \`import ${command}\``);
    console.error(USAGE);
    process.exit(2);
  }
  const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
  if (command === 'events') await importEventsCommand(path, parsed.values, settings, config);
  else await importEndpointsCommand(path, parsed.values, settings, config);
  process.exit(process.exitCode ?? 0);
}
const [accountsPath, contactsPath, ...extra] = parsed.positionals;
const foreignToCsv = Object.keys(parsed.values).filter((option) => option in COMMAND_OPTIONS && !(COMMAND_OPTIONS[option as keyof typeof COMMAND_OPTIONS] as readonly string[]).includes('csv'));
if (foreignToCsv.length > 0) console.error(`--${foreignToCsv.join(', --')}: not an option of the CSV import`);
if (!accountsPath || !contactsPath || extra.length > 0 || foreignToCsv.length > 0) {
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

// Both files are read through, and every problem with them reported, before anything is written.
const files = await openCustomerFiles({ accounts: accountsPath, contacts: contactsPath }, { ...readOptions, attributes: { account: attributeIds('account'), contact: attributeIds('contact') } });
if ('refusals' in files) {
  console.error('import refused, nothing was written:');
  for (const refusal of files.refusals) console.error(`  ${refusal}`);
  process.exit(1);
}
for (const note of [...files.accounts.notes, ...files.contacts.notes]) console.log(`note: ${note}`);

await withToolStore({ awsTable: parsed.values['aws-table'], settings, env: process.env }, async (store) => {
  const { totals, enrolled } = await importCustomerFiles(files, {
    customers: store.customers,
    clock: systemClock,
    catalogue: importCatalogueOf(config),
    enroll: (accountIds) => enrollAccounts(accountIds, { ...store, config, clock: systemClock }),
    print: (line) => console.log(line),
  });
  if (enrolled > 0) console.log(`enrolled ${enrolled} contact(s) in nurture sequences`);
  const rejected = totals.accounts.rejected + totals.contacts.rejected;
  if (rejected > 0) {
    console.error(`${rejected} row(s) rejected and not written; the other rows were imported.`);
    process.exitCode = 1;
  }
}, { expectedWrites: files.accounts.rows + files.contacts.rows });
