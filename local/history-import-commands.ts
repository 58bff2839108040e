/**
 * The two import commands of a migration (scripts/import.ts dispatches to them):
 * `events <history.jsonl[.gz]>` streams engagement history through the one engagement path, with a
 * progress line on stderr every few seconds; `pinpoint-endpoints <export.json[.gz]>` brings in the
 * contacts of a Pinpoint endpoint export through the customer import use case, batch by batch, in memory flat in the export's size (rejected lines printed as their batch is done, contact ids kept as hashes).
 * Both: a bad line is listed with its line number and not written, the rest go on; exit code 1 when
 * anything was refused, 2 for a wrong command line or a file that cannot be read at all.
 */
import { basename } from 'node:path';
import { HistoryFileError, openLineFile, type NumberedLine } from '../adapters/fs/history-file.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { LOCALES, type Locale } from '../core/config/schema/common.ts';
import { isIanaTimeZone } from '../core/config/local-time.ts';
import { FirstSeenLocations } from '../core/customers/first-seen-locations.ts';
import { importCatalogueOf, type ImportReport, type RejectedRecord } from '../core/customers/import-customers.ts';
import { DEFAULT_ACCOUNT_ATTRIBUTE, importEndpointBatch, readEndpoint, type EndpointMapping, type EndpointRead } from '../core/customers/pinpoint-endpoints.ts';
import { describeHistoryImport, describeHistoryProgress } from '../core/history/history-report.ts';
import { importHistory } from '../core/history/import-history.ts';
import { engagementRecorderOf } from '../core/scoring/record-engagement.ts';
import { enrollAccounts } from '../core/sequences/enroll-contacts.ts';
import { describeCounts, describeRejected } from './import-report.ts';
import { withToolStore } from './local-store-session.ts';
import type { ToolSettings } from './settings.ts';

interface ImportOptions {
  'aws-table'?: string | undefined;
  'account-attribute'?: string | undefined;
  'default-locale'?: string | undefined;
  'default-zone'?: string | undefined;
  'progress-every'?: string | undefined;
}

const ENDPOINT_BATCH = 500;

function refuseCommandLine(message: string): never {
  console.error(message);
  process.exit(2);
}

async function openOrExit(path: string): Promise<AsyncIterable<NumberedLine>> {
  try {
    return (await openLineFile(path)).lines;
  } catch (error) {
    if (!(error instanceof HistoryFileError)) throw error;
    console.error(`import refused, nothing was written: ${error.message}`);
    process.exit(2);
  }
}

export async function importEventsCommand(path: string, options: ImportOptions, settings: ToolSettings, config: EngineConfig): Promise<void> {
  const every = Number(options['progress-every'] ?? '5');
  if (!Number.isFinite(every) || every < 0) refuseCommandLine(`--progress-every: expected a number of seconds (0 for no progress), got '${options['progress-every']}'`);
  const lines = await openOrExit(path);
  const startedAt = Date.now();
  let shownAt = startedAt;
  await withToolStore({ awsTable: options['aws-table'], settings, env: process.env }, async (store) => {
    const report = await importHistory(lines, {
      customers: store.customers,
      engagement: engagementRecorderOf(store, config.scoring, systemClock),
      suppressions: store.suppressions,
      usage: store.usage,
      metrics: config.scoring.health.metrics,
      clock: systemClock,
      onProgress: (progress) => {
        const now = Date.now();
        if (every === 0 || now - shownAt < every * 1000) return;
        shownAt = now;
        console.error(describeHistoryProgress(progress, now - startedAt));
      },
    });
    for (const line of describeHistoryImport(report, basename(path))) console.log(line);
    if (report.refused + report.unknownContacts > 0) {
      console.error(`${report.refused} line(s) refused and ${report.unknownContacts} line(s) of unknown contacts not written; the other lines were imported.`);
      process.exitCode = 1;
    }
  });
}

export async function importEndpointsCommand(path: string, options: ImportOptions, settings: ToolSettings, config: EngineConfig): Promise<void> {
  const defaultLocale = options['default-locale'] ?? 'en';
  if (!(LOCALES as readonly string[]).includes(defaultLocale)) refuseCommandLine(`--default-locale: expected one of ${LOCALES.join(', ')}, got '${defaultLocale}'`);
  const defaultTimeZone = options['default-zone'] ?? 'UTC';
  if (!isIanaTimeZone(defaultTimeZone)) refuseCommandLine(`--default-zone: expected an IANA time zone like Asia/Tokyo, got '${defaultTimeZone}'`);
  const mapping: EndpointMapping = { accountAttribute: options['account-attribute'] ?? DEFAULT_ACCOUNT_ATTRIBUTE, defaultLocale: defaultLocale as Locale, defaultTimeZone };
  const lines = await openOrExit(path);
  const source = basename(path);
  await withToolStore({ awsTable: options['aws-table'], settings, env: process.env }, async (store) => {
    const deps = { customers: store.customers, suppressions: store.suppressions, clock: systemClock, catalogue: importCatalogueOf(config), mapping };
    const total: Omit<ImportReport, 'rejected' | 'accountIds'> = { accounts: { created: 0, updated: 0, unchanged: 0, rejected: 0 }, contacts: { created: 0, updated: 0, unchanged: 0, rejected: 0 } };
    const skipped = new Map<string, number>();
    // A contact id seen earlier in the file: a second email endpoint of the same user would overwrite the first.
    // Kept as hashes (about 25 bytes a contact), so memory stays flat in the export's size.
    const seen = new FirstSeenLocations();
    // Rejected endpoints since the last batch, printed in line order with the batch's own (never the whole file's).
    let rejected: RejectedRecord[] = [];
    const reject = (record: RejectedRecord) => {
      total.contacts.rejected++;
      rejected.push(record);
    };
    const printRejected = () => {
      for (const record of rejected.sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0))) console.log(describeRejected(record));
      rejected = [];
    };
    let suppressed = 0;
    let keptWithdrawn = 0;
    let enrolled = 0;
    let batch: EndpointRead[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const outcome = await importEndpointBatch(batch, deps);
      batch = [];
      const { report } = outcome;
      for (const key of ['created', 'updated', 'unchanged', 'rejected'] as const) total.contacts[key] += report.contacts[key];
      rejected.push(...report.rejected);
      printRejected();
      suppressed += outcome.suppressed;
      keptWithdrawn += outcome.keptWithdrawn;
      enrolled += await enrollAccounts(report.accountIds, { ...store, config, clock: systemClock });
    };
    for await (const { line, text } of lines) {
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        reject({ location: { source, line }, reason: `not JSON: ${(error as Error).message}` });
        continue;
      }
      const read = readEndpoint(value, { source, line }, mapping);
      if (read.kind === 'skipped') skipped.set(read.reason, (skipped.get(read.reason) ?? 0) + 1);
      else if (read.kind === 'rejected') reject(read.rejected);
      else {
        const contactId = read.kind === 'contact' ? (read.record.value as { contactId?: unknown }).contactId : undefined;
        const first = typeof contactId === 'string' ? seen.remember(contactId, { source, line }) : undefined;
        if (first !== undefined) {
          reject({ location: { source, line }, reason: `User.UserId: contact '${String(contactId)}' already has an email endpoint at line ${first.line} (one address per contact)` });
          continue;
        }
        batch.push(read);
        if (batch.length >= ENDPOINT_BATCH) await flush();
      }
      if (rejected.length >= ENDPOINT_BATCH) printRejected();
    }
    await flush();
    printRejected();
    for (const line of describeCounts(total).slice(1)) console.log(line);
    for (const [reason, count] of skipped) console.log(`  skipped ${count} endpoint(s): ${reason}`);
    if (suppressed > 0) console.log(`  ${suppressed} opted-out address(es) suppressed`);
    if (keptWithdrawn > 0) console.log(`  ${keptWithdrawn} contact(s) kept at consent withdrawn (they withdrew it earlier; an export never re-subscribes)`);
    if (enrolled > 0) console.log(`enrolled ${enrolled} contact(s) in nurture sequences`);
    if (total.contacts.rejected > 0) {
      console.error(`${total.contacts.rejected} endpoint(s) rejected and not written; the other endpoints were imported.`);
      process.exitCode = 1;
    }
  });
}
