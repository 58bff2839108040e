/** Prints an import report for people: counts, then each rejected record with where and why. */
import { formatLocation, type ImportReport, type ImportTotals, type RejectedRecord } from '../core/customers/import-customers.ts';

export function describeImport(report: ImportReport): string[] {
  return [...describeCounts(report), ...report.rejected.map(describeRejected)];
}

/** The summary lines: per kind, how many rows were created, updated, left unchanged, rejected. */
export function describeCounts(totals: ImportTotals): string[] {
  const counts = (name: string, c: ImportTotals['accounts']) => `${name}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected`;
  return [counts('accounts', totals.accounts), counts('contacts', totals.contacts)];
}

/** One rejected record's line: where it is and why. */
export function describeRejected(rejected: RejectedRecord): string {
  return `  rejected ${formatLocation(rejected.location)}: ${rejected.reason}`;
}
