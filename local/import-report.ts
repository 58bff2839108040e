/** Prints an import report for people: counts, then each rejected record with where and why. */
import { formatLocation, type ImportReport, type RejectedRecord } from '../core/customers/import-customers.ts';

export function describeImport(report: ImportReport): string[] {
  const counts = (name: string, c: ImportReport['accounts']) =>
    `${name}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected`;
  return [
    counts('accounts', report.accounts),
    counts('contacts', report.contacts),
    ...report.rejected.map((rejected) => `  rejected ${formatLocation(rejected.location)}: ${rejected.reason}`),
  ];
}

/**
 * Adds the rows a file reader refused before the use case saw them (a CSV row with the wrong
 * number of cells) to the use case's report, so counts and the list of rejected lines cover
 * every row of the files, in file and line order.
 */
export function withReaderRejections(report: ImportReport, refused: { accounts: RejectedRecord[]; contacts: RejectedRecord[] }): ImportReport {
  const position = (record: RejectedRecord) => record.location.line ?? record.location.index ?? 0;
  return {
    ...report,
    accounts: { ...report.accounts, rejected: report.accounts.rejected + refused.accounts.length },
    contacts: { ...report.contacts, rejected: report.contacts.rejected + refused.contacts.length },
    rejected: [...report.rejected, ...refused.accounts, ...refused.contacts].sort(
      (a, b) => a.location.source.localeCompare(b.location.source) || position(a) - position(b),
    ),
  };
}
