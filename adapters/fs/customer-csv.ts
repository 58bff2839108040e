/**
 * Customer CSV files (a CRM export) to candidate records for the import use case.
 * Columns are snake_case as CRMs export them; list cells (products, topics) are separated by `;`.
 * A file with a missing or unknown column, or broken CSV, is refused whole before anything is written.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { CandidateRecord } from '../../core/customers/import-customers.ts';

export type CustomerFileKind = 'accounts' | 'contacts';

interface ColumnSpec {
  field: string;
  required: boolean;
  kind?: 'number' | 'list';
}

export const CSV_COLUMNS: Record<CustomerFileKind, Record<string, ColumnSpec>> = {
  accounts: {
    account_id: { field: 'accountId', required: true },
    name: { field: 'name', required: true },
    tier: { field: 'tier', required: true },
    plan: { field: 'plan', required: true },
    products: { field: 'products', required: false, kind: 'list' },
    phase: { field: 'phase', required: true },
    mrr: { field: 'mrr', required: true, kind: 'number' },
    currency: { field: 'currency', required: true },
    csm_owner: { field: 'csmOwner', required: false },
  },
  contacts: {
    contact_id: { field: 'contactId', required: true },
    account_id: { field: 'accountId', required: true },
    email: { field: 'email', required: true },
    first_name: { field: 'firstName', required: false },
    last_name: { field: 'lastName', required: false },
    locale: { field: 'locale', required: true },
    time_zone: { field: 'timeZone', required: true },
    consent: { field: 'consent', required: true },
    consent_at: { field: 'consentAt', required: false },
    topics_opted_out: { field: 'topicsOptedOut', required: false, kind: 'list' },
    role: { field: 'role', required: false },
  },
};

export class CustomerCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomerCsvError';
  }
}

/** Field name (accountId) to the CSV column that holds it (account_id), for messages. */
export function csvColumnLabel(field: string): string {
  for (const columns of Object.values(CSV_COLUMNS)) {
    for (const [column, spec] of Object.entries(columns)) if (spec.field === field) return column;
  }
  return field;
}

export async function readCustomerCsv(path: string, kind: CustomerFileKind): Promise<CandidateRecord[]> {
  return parseCustomerCsv(await readFile(path, 'utf8'), basename(path), kind);
}

export function parseCustomerCsv(text: string, source: string, kind: CustomerFileKind): CandidateRecord[] {
  const columns = CSV_COLUMNS[kind];
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parse(text, { columns: true, info: true, bom: true, trim: true, skip_empty_lines: true, relax_column_count: false });
  } catch (error) {
    throw new CustomerCsvError(`${source}: not valid CSV: ${(error as Error).message}`);
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const present = parse(header, { trim: true })[0] as string[] | undefined ?? [];
  const unknown = present.filter((column) => !(column in columns));
  const missing = Object.entries(columns).filter(([column, spec]) => spec.required && !present.includes(column)).map(([column]) => column);
  if (unknown.length > 0 || missing.length > 0) {
    const problems = [
      ...(missing.length > 0 ? [`missing column(s) ${missing.join(', ')}`] : []),
      ...(unknown.length > 0 ? [`unknown column(s) ${unknown.join(', ')}`] : []),
    ];
    throw new CustomerCsvError(`${source}: ${problems.join('; ')}. Expected header: ${Object.keys(columns).join(',')} (optional: ${Object.entries(columns).filter(([, spec]) => !spec.required).map(([column]) => column).join(', ')})`);
  }
  return rows.map(({ record, info }) => ({ location: { source, line: info.lines }, value: toFields(record, columns) }));
}

function toFields(record: Record<string, string>, columns: Record<string, ColumnSpec>): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(record)) {
    const spec = columns[column];
    if (!spec || cell === '') continue;
    if (spec.kind === 'list') value[spec.field] = cell.split(';').map((item) => item.trim()).filter(Boolean);
    else if (spec.kind === 'number') value[spec.field] = /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
    else value[spec.field] = cell;
  }
  return value;
}
