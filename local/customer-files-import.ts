/**
 * The CSV customer import as `npm run import -- accounts.csv contacts.csv` runs it (and the import
 * bench measures its memory): both files are opened first, so a file that cannot be imported at
 * all refuses the import before anything is written; then the rows go through the import use case
 * page by page. Each rejected row is printed as its page finishes, and contacts are enrolled in
 * nurture sequences page by page, so nothing of the file or its report accumulates: memory stays
 * flat in the file's size (docs/data-model.md, "Importing large files").
 */
import { csvColumnLabel, CustomerCsvError, type CustomerCsvReadOptions } from '../adapters/fs/customer-csv.ts';
import { openCustomerCsvFile, type CustomerCsvStream } from '../adapters/fs/customer-csv-stream.ts';
import { importCustomerPages, type ImportCatalogue, type ImportTotals } from '../core/customers/import-customers.ts';
import type { Clock, CustomerStore } from '../core/ports.ts';
import { describeCounts, describeRejected } from './import-report.ts';

export interface CustomerFiles {
  accounts: CustomerCsvStream;
  contacts: CustomerCsvStream;
}

/**
 * Opens both files (each read through once, nothing kept). Either both open, or every reason a
 * file cannot be imported is returned, naming the file.
 */
export async function openCustomerFiles(
  paths: { accounts: string; contacts: string },
  options: Pick<CustomerCsvReadOptions, 'encoding'> & { attributes: { account: readonly string[]; contact: readonly string[] } },
): Promise<CustomerFiles | { refusals: string[] }> {
  const opened = await Promise.allSettled([
    openCustomerCsvFile(paths.accounts, 'accounts', { ...options, attributes: options.attributes.account }),
    openCustomerCsvFile(paths.contacts, 'contacts', { ...options, attributes: options.attributes.contact }),
  ]);
  const refusals = opened.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  const unexpected = refusals.find((reason) => !(reason instanceof CustomerCsvError));
  if (unexpected !== undefined) throw unexpected;
  if (opened[0].status !== 'fulfilled' || opened[1].status !== 'fulfilled') return { refusals: refusals.map((reason) => (reason as Error).message) };
  return { accounts: opened[0].value, contacts: opened[1].value };
}

export interface CustomerFilesImportDeps {
  customers: CustomerStore;
  clock: Clock;
  catalogue: ImportCatalogue;
  /** Enrolls the contacts of these accounts in the sequences their phase enters; returns how many. */
  enroll: (accountIds: readonly string[]) => Promise<number>;
  /** Where the report's lines go, as they are known. */
  print: (line: string) => void;
}

/** Imports opened files; prints each rejected row as its page is done, then the counts. */
export async function importCustomerFiles(files: CustomerFiles, deps: CustomerFilesImportDeps): Promise<{ totals: ImportTotals; enrolled: number }> {
  let enrolled = 0;
  const totals = await importCustomerPages(
    { accounts: files.accounts.pages(), contacts: files.contacts.pages() },
    { fieldLabel: csvColumnLabel, catalogue: deps.catalogue },
    deps.customers,
    deps.clock,
    async (page) => {
      for (const rejected of page.rejected) deps.print(describeRejected(rejected));
      // Per page, so a retried import still enrolls whoever a failed one did not; an account's
      // later pages enroll the contacts those pages wrote.
      if (page.accountIds.length > 0) enrolled += await deps.enroll(page.accountIds);
    },
  );
  for (const line of describeCounts(totals)) deps.print(line);
  return { totals, enrolled };
}
