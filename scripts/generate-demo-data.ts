/**
 * `npm run demo-data [-- --out <dir> --accounts 200 --contacts 2000 --seed N]`: writes
 * accounts.csv and contacts.csv in the import format.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeCustomerCsv } from '../adapters/fs/customer-csv-writer.ts';
import { generateDemoCustomers } from '../local/demo-customers.ts';

const { values } = parseArgs({
  options: { out: { type: 'string' }, accounts: { type: 'string' }, contacts: { type: 'string' }, seed: { type: 'string' } },
});
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
