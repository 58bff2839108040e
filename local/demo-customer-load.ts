/**
 * Loads the generated demo customers through the real import path: written as CSV files,
 * read back by the CSV adapter, upserted by the import use case.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCustomerCsv } from '../adapters/fs/customer-csv-writer.ts';
import { csvColumnLabel, readCustomerCsv } from '../adapters/fs/customer-csv.ts';
import { importCustomers, type ImportCatalogue, type ImportReport } from '../core/customers/import-customers.ts';
import type { Clock, CustomerStore } from '../core/ports.ts';
import { generateDemoCustomers } from './demo-customers.ts';

export async function writeDemoCsv(dir: string): Promise<{ accountsCsv: string; contactsCsv: string; rows: number }> {
  const customers = generateDemoCustomers();
  await mkdir(dir, { recursive: true });
  const accountsCsv = join(dir, 'accounts.csv');
  const contactsCsv = join(dir, 'contacts.csv');
  await writeCustomerCsv(accountsCsv, 'accounts', customers.accounts);
  await writeCustomerCsv(contactsCsv, 'contacts', customers.contacts);
  return { accountsCsv, contactsCsv, rows: customers.accounts.length + customers.contacts.length };
}

export async function importCsvFiles(accountsCsv: string, contactsCsv: string, customers: CustomerStore, clock: Clock, catalogue?: ImportCatalogue): Promise<ImportReport> {
  return importCustomers(
    { accounts: await readCustomerCsv(accountsCsv, 'accounts'), contacts: await readCustomerCsv(contactsCsv, 'contacts'), fieldLabel: csvColumnLabel, ...(catalogue ? { catalogue } : {}) },
    customers,
    clock,
  );
}
