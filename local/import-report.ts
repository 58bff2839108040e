/** Prints an import report for people: counts, then each rejected record with where and why. */
import { formatLocation, type ImportReport } from '../core/customers/import-customers.ts';

export function describeImport(report: ImportReport): string[] {
  const counts = (name: string, c: ImportReport['accounts']) =>
    `${name}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected`;
  return [
    counts('accounts', report.accounts),
    counts('contacts', report.contacts),
    ...report.rejected.map((rejected) => `  rejected ${formatLocation(rejected.location)}: ${rejected.reason}`),
  ];
}
