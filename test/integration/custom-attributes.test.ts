/**
 * Custom attributes end to end against DynamoDB Local: a CSV with declared `attr_` columns is
 * imported, a segment on contact and account attributes resolves to the right contacts, and the
 * sender renders a template that shows the attributes, money and dates (in the contact's zone,
 * from the engine's clock). Attributes are CRM-owned: a re-import without one removes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvColumnLabel, parseCustomerCsv } from '../../adapters/fs/customer-csv.ts';
import { resolveAudience } from '../../core/audience/resolve-audience.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Audience } from '../../core/config/schema/common.ts';
import { parseTemplateSource, type TemplateVersion } from '../../core/config/template-source.ts';
import { importCatalogueOf, importCustomers } from '../../core/customers/import-customers.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig, RecordingMailer, senderDeps } from '../support/sending-fixtures.ts';

/** 23:30 UTC on 30 November: 1 December in Tokyo, 30 November in New York. */
const clock = { now: () => new Date('2026-11-30T23:30:00Z') };

const ACCOUNTS_HEADER = 'account_id,name,tier,plan,products,phase,mrr,currency,csm_owner,attr_region,attr_renewal_date';
const ACCOUNTS = [
  ACCOUNTS_HEADER,
  'at-jp,株式会社神戸ロボティクス,tier1,enterprise,core;analytics,adoption,120000,JPY,csm-sato,kansai,2027-03-31',
  'at-us,Northwind Traders,tier2,standard,core,nurturing,1200,USD,,north-america,',
].join('\n');
const CONTACTS_HEADER = 'contact_id,account_id,email,first_name,last_name,locale,time_zone,consent,role,attr_industry,attr_seats';
const contactsCsv = (usIndustry: string) =>
  [
    CONTACTS_HEADER,
    'atc-jp,at-jp,aoi@kobe.example.com,葵,山本,ja,Asia/Tokyo,granted,情報システム部長,manufacturing,250',
    `atc-us,at-us,sam@northwind.example.com,Sam,Lee,en,America/New_York,granted,,${usIndustry},40`,
    'atc-none,at-us,kim@northwind.example.com,Kim,Park,en,America/New_York,granted,,,',
  ].join('\n');

const template = (locale: 'ja' | 'en', body: string): TemplateVersion => {
  const { version, problems } = parseTemplateSource({
    file: `templates/attributes-test/${locale}.mjml`,
    templateId: 'monthly-newsletter',
    locale,
    text: `---\nsubject: "{{ account.name }}: {{ contact.attributes.industry | default: '-' }}"\n---\n<mjml><mj-body><mj-section><mj-column><mj-text>${body}</mj-text></mj-column></mj-section></mj-body></mjml>\n`,
  });
  if (!version) throw new Error(`test setup: ${JSON.stringify(problems)}`);
  return version;
};

let table: TestTable;
let config: EngineConfig;
beforeAll(async () => {
  table = await createTestTable('attributes');
  const opened = await openConfig();
  const body = [
    'industry={{ contact.attributes.industry }}',
    'seats={{ contact.attributes.seats | number }}',
    'region={{ account.attributes.region }}',
    "renewal={{ account.attributes.renewal_date | date: 'long' | default: 'none' }}",
    'mrr={{ account.mrr | money: account.currency }}',
    "today={{ 'now' | date: 'long' }}",
    "csm={{ account.csmOwner | default: 'team' }}",
    "role={{ contact.role | default: '-' }}",
  ].join(' | ');
  config = { ...opened.config, templates: new Map([...opened.config.templates, ['monthly-newsletter', new Map([['ja', template('ja', body)], ['en', template('en', body)]])]]) };
});
afterAll(() => table.drop());

async function importFiles(contacts: string) {
  const declared = (of: 'contact' | 'account') => ({ attributes: config.attributes[of].map((attribute) => attribute.id) });
  return importCustomers(
    {
      accounts: parseCustomerCsv(ACCOUNTS, 'accounts.csv', 'accounts', declared('account')),
      contacts: parseCustomerCsv(contacts, 'contacts.csv', 'contacts', declared('contact')),
      fieldLabel: csvColumnLabel,
      catalogue: importCatalogueOf(config),
    },
    table.store.customers,
    clock,
  );
}

async function audienceOf(audience: Audience): Promise<string[]> {
  const members: string[] = [];
  for await (const page of resolveAudience(audience, clock.now(), { customers: table.store.customers, scores: table.store.scores, scoring: config.scoring })) {
    members.push(...page.map((member) => member.contact.contactId));
  }
  return members.sort();
}

describe('custom attributes, imported, segmented on and rendered', () => {
  it('imports the declared attribute columns typed, and a re-import of the same files changes nothing', async () => {
    const first = await importFiles(contactsCsv('retail'));
    expect(first.rejected).toEqual([]);
    expect((await table.store.customers.getContact('atc-jp'))?.attributes).toEqual({ industry: 'manufacturing', seats: 250 });
    expect((await table.store.customers.getAccount('at-jp'))?.attributes).toEqual({ region: 'kansai', renewal_date: '2027-03-31' });
    expect((await table.store.customers.getContact('atc-none'))?.attributes).toBeUndefined();
    const again = await importFiles(contactsCsv('retail'));
    expect(again.contacts).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(again.accounts).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it('resolves segments on contact and account attributes', async () => {
    expect(await audienceOf({ attributes: { industry: ['manufacturing', 'retail'] } })).toEqual(['atc-jp', 'atc-us']);
    expect(await audienceOf({ attributes: { industry: ['manufacturing', 'retail'] }, accountAttributes: { region: ['north-america'] } })).toEqual(['atc-us']);
    expect(await audienceOf({ attributes: { seats: [40] } })).toEqual(['atc-us']);
  });

  it('renders them in the sent email, with money and dates in the contact’s language, zone and the engine’s clock', async () => {
    const mailer = new RecordingMailer();
    const request = (contactId: string, accountId: string) => ({ id: contactId, body: { source: { kind: 'campaign', campaignId: 'monthly-newsletter' }, runId: 'run-attr', contactId, accountId } });
    const result = await processSendBatch([request('atc-jp', 'at-jp'), request('atc-us', 'at-us')], senderDeps(table.store, config, mailer, clock));
    expect(result.retryIds).toEqual([]);
    const sent = new Map(mailer.sent.map((email) => [email.to, email]));
    const ja = sent.get('aoi@kobe.example.com')!;
    const en = sent.get('sam@northwind.example.com')!;
    expect(ja.subject).toBe('株式会社神戸ロボティクス: manufacturing');
    // The plain-text part wraps long lines; compare the words.
    const words = (text: string) => text.replace(/\s+/g, ' ');
    expect(words(ja.text)).toContain('industry=manufacturing | seats=250 | region=kansai | renewal=2027年3月31日 | mrr=¥120,000 | today=2026年12月1日 | csm=csm-sato | role=情報システム部長');
    expect(words(en.text)).toContain('industry=retail | seats=40 | region=north-america | renewal=none | mrr=$1,200.00 | today=November 30, 2026 | csm=team | role=-');
  });

  it('removes an attribute the CRM stops sending (CRM-owned), and the segment follows', async () => {
    const report = await importFiles(contactsCsv(''));
    expect(report.contacts).toMatchObject({ updated: 1, unchanged: 2 });
    expect((await table.store.customers.getContact('atc-us'))?.attributes).toEqual({ seats: 40 });
    expect(await audienceOf({ attributes: { industry: ['manufacturing', 'retail'] } })).toEqual(['atc-jp']);
  });
});
