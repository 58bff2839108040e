/**
 * History import against DynamoDB Local: the fixture's events land through the one engagement path
 * (the scores equal recording the same events directly), a second import records nothing and moves
 * no score, machine opens and scanner clicks are recorded as machine and score nothing, unknown
 * contacts and bad lines are counted and not written, bounces / complaints / unsubscribes suppress.
 * Pinpoint's event stream goes the same way; a Pinpoint endpoint export goes through the customer
 * import with its opt-outs honoured and never re-subscribes anyone.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLineFile, type NumberedLine } from '../../adapters/fs/history-file.ts';
import { readCustomerCsvFile } from '../../adapters/fs/customer-csv.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { importCatalogueOf, importCustomers } from '../../core/customers/import-customers.ts';
import { importEndpointBatch, readEndpoint, type EndpointImportDeps } from '../../core/customers/pinpoint-endpoints.ts';
import { importHistory, type HistoryImportDeps, type HistoryImportReport } from '../../core/history/import-history.ts';
import type { EngagementRecorder, Store } from '../../core/ports.ts';
import { scoreAt } from '../../core/scoring/decayed-score.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';
import { halfLifeOf } from '../../core/scoring/score-event.ts';
import type { EngagementEvent } from '../../core/tracking/engagement-event.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig } from '../support/sending-fixtures.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'history');
const CONTACT_IDS = Array.from({ length: 12 }, (_, index) => `hist-c${String(index + 1).padStart(2, '0')}`);
const ACCOUNT_IDS = ['hist-acc-1', 'hist-acc-2', 'hist-acc-3'];
const now = new Date('2026-12-01T00:00:00Z');
const clock = { now: () => now };

let imported: TestTable;
let direct: TestTable;
let config: EngineConfig;

async function importFixtureCustomers(store: Store): Promise<void> {
  const accounts = await readCustomerCsvFile(join(FIXTURES, 'accounts.csv'), 'accounts', {});
  const contacts = await readCustomerCsvFile(join(FIXTURES, 'contacts.csv'), 'contacts', {});
  const report = await importCustomers({ accounts: accounts.records, contacts: contacts.records, catalogue: importCatalogueOf(config) }, store.customers, clock);
  expect(report.rejected).toEqual([]);
}

async function lines(file: string): Promise<AsyncIterable<NumberedLine>> {
  return (await openLineFile(join(FIXTURES, file))).lines;
}

/** The import's deps over a table; `seen` collects every event handed to the engagement path. */
function depsOf(store: Store, seen?: EngagementEvent[]): HistoryImportDeps {
  const path = engagementRecorderOf(store, config.scoring, clock);
  const engagement: EngagementRecorder = { recordEvent: (event) => (seen?.push(event), path.recordEvent(event)) };
  return { customers: store.customers, engagement, suppressions: store.suppressions, usage: store.usage, metrics: config.scoring.health.metrics, clock, batchSize: 64 };
}

async function scores(store: Store): Promise<Record<string, number>> {
  const halfLife = halfLifeOf(config.scoring);
  const entries = await Promise.all(
    [...CONTACT_IDS.map((id) => ['contact', id] as const), ...ACCOUNT_IDS.map((id) => ['account', id] as const)].map(async ([scope, id]) => {
      const stored = await store.scores.getScore(scope, id);
      return [`${scope}:${id}`, stored ? scoreAt(stored.scaledSum, now, halfLife, stored.epoch) : 0] as const;
    }),
  );
  return Object.fromEntries(entries);
}

beforeAll(async () => {
  ({ config } = await openConfig());
  [imported, direct] = await Promise.all([createTestTable('history-import'), createTestTable('history-direct')]);
  await Promise.all([importFixtureCustomers(imported.store), importFixtureCustomers(direct.store)]);
}, 180_000);
afterAll(async () => {
  await Promise.all([imported?.drop(), direct?.drop()]);
});

describe('npm run import -- events: the JSONL format', { timeout: 300_000 }, () => {
  const seen: EngagementEvent[] = [];
  let first: HistoryImportReport;

  it('records the fixture (gzipped) through the engagement path; bad lines and unknown contacts are counted, not written', async () => {
    first = await importHistory(await lines('history.jsonl.gz'), depsOf(imported.store, seen));
    expect(first.refused).toBe(7);
    expect(first.refusedLines.map((refused) => refused.problems[0]?.field)).toEqual(['time', 'link', 'type', '', 'campain', 'watchShare', 'figures.seats_usd']);
    expect(first.unknownContacts).toBe(2);
    expect(first.unknownContactLines).toHaveLength(2);
    expect(first.duplicates).toBe(1);
    expect(first.recorded).toBe(seen.length - 1);
    expect(first.recorded).toBeGreaterThan(250);
    expect(first.suppressed).toBe(2);
    const events = (await Promise.all(CONTACT_IDS.map((id) => imported.store.engagement.listEventsOfContact(id)))).flat();
    expect(events).toHaveLength(first.recorded);
    expect(events.some((event) => event.contactId === 'hist-c99')).toBe(false);
  });

  it('gives the same scores as recording the same events directly through the path', async () => {
    const path = engagementRecorderOf(direct.store, config.scoring, clock);
    for (const event of seen) await path.recordEvent(event);
    const [fromImport, fromPath] = [await scores(imported.store), await scores(direct.store)];
    for (const [key, value] of Object.entries(fromPath)) expect(fromImport[key], key).toBeCloseTo(value, 9);
    expect(Object.values(fromImport).some((value) => value > 0)).toBe(true);
  });

  it('records Apple MPP opens and the scanner’s burst and honeypot clicks as machine, and they score nothing', async () => {
    const events = (await Promise.all(CONTACT_IDS.map((id) => imported.store.engagement.listEventsOfContact(id)))).flat();
    const mppOpens = events.filter((event) => event.type === 'open' && event.machine);
    expect(mppOpens.length).toBeGreaterThanOrEqual(18);
    expect(mppOpens.every((event) => event.detail.machineReason === 'apple-mpp')).toBe(true);
    const scannerClicks = events.filter((event) => event.type === 'click' && (event.contactId === 'hist-c05' || event.contactId === 'hist-c06'));
    expect(scannerClicks).toHaveLength(6 * 4 + 6 * 2);
    expect(scannerClicks.every((event) => event.machine)).toBe(true);
    expect(new Set(scannerClicks.map((event) => event.detail.machineReason))).toEqual(new Set(['burst', 'honeypot']));
    expect(events.filter((event) => event.type === 'click' && !event.machine).length).toBeGreaterThan(5);
    // hist-c05's only engagement besides the scanner: a webinar (attended) and usage; without them, nothing.
    const machineOnly = seen.filter((event) => event.machine);
    const withoutMachine = await createTestTable('history-no-machine');
    try {
      await importFixtureCustomers(withoutMachine.store);
      const path = engagementRecorderOf(withoutMachine.store, config.scoring, clock);
      for (const event of seen) if (!event.machine) await path.recordEvent(event);
      const [all, human] = [await scores(imported.store), await scores(withoutMachine.store)];
      expect(machineOnly.length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(human)) expect(all[key], key).toBeCloseTo(value, 9);
    } finally {
      await withoutMachine.drop();
    }
  });

  it('suppresses a hard bounce and an unsubscribe, and stores usage for the health score', async () => {
    const suppressed = await imported.store.suppressions.suppressedAmong(['person11@history.example.com', 'person12@history.example.com', 'person01@history.example.com']);
    expect([...suppressed.values()].map((suppression) => suppression.reason).sort()).toEqual(['hard-bounce', 'unsubscribe']);
    const latest = await imported.store.usage.latestUsage('hist-acc-1');
    expect(latest?.metrics.logins_30d?.value).toBeGreaterThanOrEqual(10);
  });

  it('records nothing the second time (the plain and the gzipped file alike) and leaves every score as it was', async () => {
    const before = await scores(imported.store);
    const again = await importHistory(await lines('history.jsonl'), depsOf(imported.store));
    expect(again.recorded).toBe(0);
    expect(again.duplicates).toBe(first.recorded + first.duplicates);
    expect(again.suppressed).toBe(0);
    expect(await scores(imported.store)).toEqual(before);
  });
});

describe("npm run import -- events: Pinpoint's event stream", { timeout: 300_000 }, () => {
  it('detects the records per line, classifies MPP opens and scanner clicks, skips other channels; a second import records nothing', async () => {
    const report = await importHistory(await lines('pinpoint-events.jsonl'), depsOf(imported.store));
    expect(report.skipped).toEqual({ 'Pinpoint _SMS.SUCCESS (not an email event)': 1 });
    expect(report.refused).toBe(1);
    expect(report.refusedLines[0]?.problems[0]?.field).toBe('facets.email_channel.mail_event.mail');
    expect(report.unknownContacts).toBe(0);
    expect(report.machine).toBeGreaterThanOrEqual(3 * 3 + 3 * 3);
    const events = await imported.store.engagement.listEventsOfContact('hist-c05');
    const pinpointClicks = events.filter((event) => event.type === 'click' && event.detail.importedFrom === 'pinpoint');
    expect(pinpointClicks).toHaveLength(9);
    expect(pinpointClicks.every((event) => event.machine)).toBe(true);
    expect((await imported.store.suppressions.suppressedAmong(['person10@history.example.com'])).get('person10@history.example.com')?.reason).toBe('complaint');
    const before = await scores(imported.store);
    const again = await importHistory(await lines('pinpoint-events.jsonl'), depsOf(imported.store));
    expect(again.recorded).toBe(0);
    expect(await scores(imported.store)).toEqual(before);
  });
});

describe('npm run import -- pinpoint-endpoints', { timeout: 120_000 }, () => {
  const mapping = { accountAttribute: 'AccountId', defaultLocale: 'en' as const, defaultTimeZone: 'UTC' };
  const readAll = async () => {
    const reads = [];
    for await (const { line, text } of await lines('pinpoint-endpoints.json.gz')) if (text.trim() !== '') reads.push(readEndpoint(JSON.parse(text), { source: 'pinpoint-endpoints.json.gz', line }, mapping));
    return reads;
  };
  const deps = (): EndpointImportDeps => ({ customers: imported.store.customers, suppressions: imported.store.suppressions, clock, catalogue: importCatalogueOf(config), mapping });

  it('imports email endpoints through the customer import, suppresses opt-outs, rejects what it cannot place', async () => {
    const outcome = await importEndpointBatch(await readAll(), deps());
    expect(outcome.report.contacts).toEqual({ created: 3, updated: 0, unchanged: 0, rejected: 2 });
    expect(outcome.report.rejected.map((rejected) => rejected.reason)).toEqual([
      "User.UserAttributes.AccountId: account 'no-such-account' is neither in this import nor already stored",
      "Address: the address already belongs to contact 'hist-c03'",
    ]);
    expect(outcome.suppressed).toBe(2);
    expect(await imported.store.customers.getContact('pp-user-1')).toMatchObject({ accountId: 'hist-acc-1', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', firstName: 'Aoi' });
    expect(await imported.store.customers.getContact('pp-user-2')).toMatchObject({ consent: 'withdrawn' });
    expect(await imported.store.customers.getContact('pp-user-4')).toBeUndefined();
    const suppressed = await imported.store.suppressions.suppressedAmong(['pp-two@pinpoint.example.com', 'pp-gone@pinpoint.example.com', 'pp-one@pinpoint.example.com']);
    expect([...suppressed.keys()].sort()).toEqual(['pp-gone@pinpoint.example.com', 'pp-two@pinpoint.example.com']);
  });

  it('changes nothing the second time, and never re-subscribes a contact who withdrew consent', async () => {
    const again = await importEndpointBatch(await readAll(), deps());
    expect(again.report.contacts).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(again.suppressed).toBe(0);
    const stored = await imported.store.customers.getContact('pp-user-1');
    await imported.store.customers.upsertContact({ ...(stored as NonNullable<typeof stored>), consent: 'withdrawn', consentAt: '2026-11-20T00:00:00.000Z' }, now);
    const third = await importEndpointBatch(await readAll(), deps());
    expect(third.keptWithdrawn).toBe(1);
    expect(await imported.store.customers.getContact('pp-user-1')).toMatchObject({ consent: 'withdrawn', consentAt: '2026-11-20T00:00:00.000Z' });
  });
});
