/**
 * `npm run demo-data [-- --out <dir> --accounts 200 --contacts 2000 --seed N]`: writes
 * accounts.csv and contacts.csv in the import format.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCustomerCsv } from '../adapters/fs/customer-csv-writer.ts';
import { readCommandLine } from '../local/command-line.ts';
import { generateDemoCustomers } from '../local/demo-customers.ts';

const { values } = readCommandLine(
  {
    usage: 'npm run demo-data [-- --out <dir> --accounts 200 --contacts 2000 --seed N]',
    summary: 'Writes demo accounts.csv and contacts.csv in the import format (the same customers for the same seed).',
    options: { out: { type: 'string' }, accounts: { type: 'string' }, contacts: { type: 'string' }, seed: { type: 'string' } },
    optionHelp: { out: 'the folder to write to (default .local/demo-data)', accounts: 'how many accounts (default 200)', contacts: 'how many contacts (default 2000)', seed: 'the random seed' },
    localSettings: false,
  },
  fileURLToPath(new URL('..', import.meta.url)),
);
for (const name of ['accounts', 'contacts', 'seed'] as const) {
  const value = values[name];
  if (value !== undefined && !/^\d+$/.test(value)) {
    console.error(`--${name}: expected a whole number, got '${value}'`);
    process.exit(2);
  }
}
const out = resolve(values.out ?? '.local/demo-data');
const customers = generateDemoCustomers({
  ...(values.accounts ? { accounts: Number(values.accounts) } : {}),
  ...(values.contacts ? { contacts: Number(values.contacts) } : {}),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
});
await mkdir(out, { recursive: true });
await writeCustomerCsv(join(out, 'accounts.csv'), 'accounts', customers.accounts);
await writeCustomerCsv(join(out, 'contacts.csv'), 'contacts', customers.contacts);
console.log(`wrote ${customers.accounts.length} accounts and ${customers.contacts.length} contacts to ${out}`);
