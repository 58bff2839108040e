/**
 * Who owns a contact's fields, against DynamoDB Local: a CRM re-import (CSV or ingest API) never
 * erases what the contact chose in our pages; one address belongs to one contact across imports;
 * and the write paths that pair two writes (one-click unsubscribe, import + enrollment) complete
 * when a failed request is retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvColumnLabel, parseCustomerCsv } from '../../adapters/fs/customer-csv.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { importCatalogueOf, importCustomers, type ImportReport } from '../../core/customers/import-customers.ts';
import type { Contact } from '../../core/customers/contact.ts';
import type { EngagementEvent } from '../../core/tracking/engagement-event.ts';
import { enrollAccounts } from '../../core/sequences/enroll-contacts.ts';
import { signToken } from '../../core/tracking/link-token.ts';
import { createHttpApp } from '../../http/app.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig } from '../support/sending-fixtures.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';

const clock = { now: () => new Date('2026-12-02T03:00:00Z') };
const SECRET = 'link-secret-0123456789abcdef';
const INGEST_TOKEN = 'ingest-token-0123456789';

let table: TestTable;
let config: EngineConfig;
beforeAll(async () => {
  table = await createTestTable('ownership');
  ({ config } = await openConfig());
});
afterAll(() => table.drop());

const ACCOUNTS_CSV = [
  'account_id,name,tier,plan,products,phase,mrr,currency,csm_owner',
  'own-acc,Kobe Robotics Inc.,tier3,standard,core,nurturing,50000,JPY,',
  'own-acc2,Osaka Foods K.K.,tier3,standard,core;analytics,onboarding,40000,JPY,',
].join('\n');
const contactsCsv = (rows: string[]) => ['contact_id,account_id,email,first_name,last_name,locale,time_zone,consent,consent_at,topics_opted_out,role', ...rows].join('\r\n');
const AOI = 'own-1,own-acc,aoi@kobe-robotics.example.com,Aoi,Tanaka,ja,Asia/Tokyo,granted,,,engineer';

function importCsv(accountsCsv: string, contacts: string): Promise<ImportReport> {
  return importCustomers(
    {
      accounts: parseCustomerCsv(accountsCsv, 'accounts.csv', 'accounts'),
      contacts: parseCustomerCsv(contacts, 'contacts.csv', 'contacts'),
      fieldLabel: csvColumnLabel,
      catalogue: importCatalogueOf(config),
    },
    table.store.customers,
    clock,
  );
}

const reasonsOf = (report: ImportReport) => Object.fromEntries(report.rejected.map((rejected) => [`${rejected.location.source}:${rejected.location.line ?? rejected.location.index}`, rejected.reason]));

describe('a topic opt-out chosen in the preference centre', () => {
  it('survives re-importing the same file, a changed CRM row, and the ingest API', async () => {
    expect((await importCsv(ACCOUNTS_CSV, contactsCsv([AOI]))).contacts).toMatchObject({ created: 1 });
    // The contact opts out of tips through the preference centre (a real page post).
    const app = createHttpApp({ customers: table.store.customers, clock, ingestToken: INGEST_TOKEN, tracking: { ...withEngagementPath(table.store, config.scoring, clock), topics: config.topics, clock, tokenSecret: SECRET } });
    const token = signToken({ purpose: 'preferences', messageId: 'monthly-newsletter', runId: 'r1', contactId: 'own-1' }, SECRET);
    const saved = await app.request(`/p/${token}`, { method: 'POST', body: new URLSearchParams([['form', 'preferences'], ['topic', 'product-news'], ['topic', 'webinars']]) });
    expect(saved.status).toBe(200);
    expect((await table.store.customers.getContact('own-1'))?.topicsOptedOut).toEqual(['tips']);

    expect((await importCsv(ACCOUNTS_CSV, contactsCsv([AOI]))).contacts).toMatchObject({ unchanged: 1 });
    expect((await table.store.customers.getContact('own-1'))?.topicsOptedOut).toEqual(['tips']);

    const renamed = AOI.replace('Aoi,Tanaka', 'Aoi,Suzuki');
    expect((await importCsv(ACCOUNTS_CSV, contactsCsv([renamed]))).contacts).toMatchObject({ updated: 1 });
    expect(await table.store.customers.getContact('own-1')).toMatchObject({ lastName: 'Suzuki', topicsOptedOut: ['tips'] });

    const ingest = await app.request('/api/ingest/customers', {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contacts: [{ contactId: 'own-1', accountId: 'own-acc', email: 'aoi@kobe-robotics.example.com', firstName: 'Aoi', lastName: 'Sato', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted' }] }),
    });
    expect(await ingest.json()).toMatchObject({ contacts: { updated: 1 } });
    expect(await table.store.customers.getContact('own-1')).toMatchObject({ lastName: 'Sato', topicsOptedOut: ['tips'] });
  });

  it('an opt-out the CRM reports is added; one it stops reporting is not removed, and a removed optional field is removed', async () => {
    await importCsv(ACCOUNTS_CSV, contactsCsv([AOI.replace(',granted,,,engineer', ',granted,,webinars,engineer')]));
    expect((await table.store.customers.getContact('own-1'))?.topicsOptedOut.sort()).toEqual(['tips', 'webinars']);
    await importCsv(ACCOUNTS_CSV, contactsCsv([AOI.replace(',engineer', ',')]));
    const contact = await table.store.customers.getContact('own-1');
    expect(contact?.topicsOptedOut.sort()).toEqual(['tips', 'webinars']);
    expect(contact?.role).toBeUndefined();
  });
});

describe('one address, one contact', () => {
  it('rejects a row that reuses another contact’s address in a later import, naming that contact; writes nothing for it', async () => {
    const report = await importCsv(ACCOUNTS_CSV, contactsCsv(['own-2,own-acc2,Aoi@Kobe-Robotics.example.com,Aoi,Imposter,ja,Asia/Tokyo,granted,,,']));
    expect(report.contacts).toMatchObject({ created: 0, rejected: 1 });
    expect(reasonsOf(report)['contacts.csv:2']).toBe("email: the address already belongs to contact 'own-1'");
    expect(await table.store.customers.getContact('own-2')).toBeUndefined();
    expect((await table.store.customers.findContactByEmail('AOI@kobe-robotics.example.com'))?.contactId).toBe('own-1');
  });

  it('lets only one of two concurrent writers take a free address', async () => {
    const contact = (contactId: string): Contact => ({ contactId, accountId: 'own-acc', email: 'race@example.com', firstName: '', lastName: '', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] });
    const results = await Promise.all(['race-a', 'race-b', 'race-c'].map((id) => table.store.customers.upsertContact(contact(id), clock.now())));
    expect(results.filter((result) => result === 'created')).toHaveLength(1);
    const winner = ['race-a', 'race-b', 'race-c'][results.indexOf('created')];
    for (const result of results.filter((result) => result !== 'created')) expect(result).toEqual({ outcome: 'email-taken', ownerContactId: winner });
  });

  it('frees the old address when a contact changes address, so another contact can take it', async () => {
    await importCsv(ACCOUNTS_CSV, contactsCsv([AOI.replace('aoi@kobe-robotics.example.com', 'aoi.tanaka@kobe-robotics.example.com')]));
    expect((await table.store.customers.findContactByEmail('aoi.tanaka@kobe-robotics.example.com'))?.contactId).toBe('own-1');
    expect(await table.store.customers.findContactByEmail('aoi@kobe-robotics.example.com')).toBeUndefined();
    const report = await importCsv(ACCOUNTS_CSV, contactsCsv(['own-2,own-acc2,aoi@kobe-robotics.example.com,Aoi,Mori,ja,Asia/Tokyo,granted,,,']));
    expect(report.contacts).toMatchObject({ created: 1, rejected: 0 });
  });
});

describe('products and topics the config does not declare', () => {
  it('reject the row, listing the known values', async () => {
    const report = await importCsv(
      [ACCOUNTS_CSV.split('\n')[0], 'own-acc3,Nagoya Tools,tier3,standard,core;crm-suite,onboarding,1,JPY,'].join('\n'),
      contactsCsv(['own-3,own-acc,mori@example.com,,,en,Asia/Tokyo,granted,,newsletter;tips,']),
    );
    const reasons = reasonsOf(report);
    expect(reasons['accounts.csv:2']).toBe("products: unknown product 'crm-suite': known products are core, analytics, automation, integrations");
    expect(reasons['contacts.csv:2']).toBe("topics_opted_out: unknown topic 'newsletter': known topics are product-news, tips, webinars");
    expect(await table.store.customers.getAccount('own-acc3')).toBeUndefined();
  });
});

describe('retries complete what a failed request started', () => {
  it('one-click unsubscribe: a failed event write is completed by the retry', async () => {
    await importCsv(ACCOUNTS_CSV, contactsCsv(['own-9,own-acc,leaver@example.com,,,en,Asia/Tokyo,granted,,,']));
    let failNext = true;
    const recorded: EngagementEvent[] = [];
    const engagement = {
      recordEvent: async (event: EngagementEvent) => {
        if (failNext) {
          failNext = false;
          throw new Error('ProvisionedThroughputExceededException');
        }
        recorded.push(event);
        return withEngagementPath(table.store, config.scoring, clock).engagement.recordEvent(event);
      },
    };
    const app = createHttpApp({ customers: table.store.customers, clock, ingestToken: INGEST_TOKEN, tracking: { ...table.store, engagement, topics: config.topics, clock, tokenSecret: SECRET } });
    const token = signToken({ purpose: 'unsubscribe', messageId: 'monthly-newsletter', runId: 'r1', contactId: 'own-9' }, SECRET);
    const first = await app.request(`/u/${token}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(first.status).toBe(500);
    expect((await table.store.suppressions.suppressedAmong(['leaver@example.com'])).size).toBe(1);
    expect(await table.store.engagement.listEventsOfContact('own-9')).toEqual([]);

    const retry = await app.request(`/u/${token}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(retry.status).toBe(200);
    const events = await table.store.engagement.listEventsOfContact('own-9');
    expect(events).toMatchObject([{ type: 'unsubscribe', campaignId: 'monthly-newsletter', detail: { scope: 'all' } }]);

    // A third click stores nothing new.
    await app.request(`/u/${token}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(await table.store.engagement.listEventsOfContact('own-9')).toHaveLength(1);
    expect(recorded.length).toBeGreaterThanOrEqual(1);
  });

  it('ingest: a request that failed after its writes enrolls the accounts entering adoption when retried', async () => {
    let failEnrollment = true;
    const enrollDeps = {
      ...table.store,
      enrollments: {
        enrolledAmong: (sequenceId: string, contactIds: readonly string[]) => table.store.enrollments.enrolledAmong(sequenceId, contactIds),
        enroll: async (...args: Parameters<typeof table.store.enrollments.enroll>) => {
          if (failEnrollment) throw new Error('socket hang up');
          return table.store.enrollments.enroll(...args);
        },
      },
      config,
      clock,
    };
    const app = createHttpApp({
      customers: table.store.customers,
      clock,
      ingestToken: INGEST_TOKEN,
      catalogue: importCatalogueOf(config),
      onImported: async (report) => void (await enrollAccounts(report.accountIds, enrollDeps)),
    });
    const body = JSON.stringify({
      accounts: [{ accountId: 'own-ad', name: 'Sendai Labs', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }],
      contacts: ['a', 'b'].map((n) => ({ contactId: `own-ad-${n}`, accountId: 'own-ad', email: `${n}@sendai-labs.example.com`, locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted' })),
    });
    const request = () => app.request('/api/ingest/customers', { method: 'POST', headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' }, body });
    expect((await request()).status).toBe(500);
    expect(await table.store.customers.getAccount('own-ad')).toMatchObject({ phase: 'adoption' });

    failEnrollment = false;
    const retry = await request();
    expect(await retry.json()).toMatchObject({ accounts: { unchanged: 1 }, contacts: { unchanged: 2 } });
    for (const id of ['own-ad-a', 'own-ad-b']) expect(await table.store.enrollments.getEnrollment(id, 'adoption-nurture')).toMatchObject({ state: 'active' });
    // And once more: nothing new.
    expect(await enrollAccounts(['own-ad'], enrollDeps)).toBe(0);
  });
});
