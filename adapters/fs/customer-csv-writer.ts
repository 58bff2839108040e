/** Writes accounts and contacts as the CSV files `npm run import` reads (same columns). */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import type { Account } from '../../core/customers/account.ts';
import type { Contact } from '../../core/customers/contact.ts';
import { CSV_COLUMNS, type CustomerFileKind } from './customer-csv.ts';

export function customersToCsv(kind: CustomerFileKind, records: ReadonlyArray<Account | Contact>): string {
  const columns = Object.entries(CSV_COLUMNS[kind]);
  const rows = records.map((record) =>
    columns.map(([, spec]) => {
      const value = (record as unknown as Record<string, unknown>)[spec.field];
      if (value === undefined) return '';
      return Array.isArray(value) ? value.join(';') : String(value);
    }),
  );
  return stringify([columns.map(([column]) => column), ...rows]);
}

export async function writeCustomerCsv(path: string, kind: CustomerFileKind, records: ReadonlyArray<Account | Contact>): Promise<void> {
  await writeFile(path, customersToCsv(kind, records));
}
