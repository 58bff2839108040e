/**
 * Custom attributes on the way in: `attr_<id>` columns of a customer CSV and `attributes` in the
 * ingest API. A declared attribute is imported typed; a value that does not fit its type rejects
 * the row naming the column; a column of an undeclared attribute refuses the file, listing the
 * columns it may have.
 */
import { describe, expect, it } from 'vitest';
import { CustomerCsvError, csvColumnLabel, parseCustomerCsv } from '../../../adapters/fs/customer-csv.ts';
import type { Attributes } from '../../../core/config/schema/attributes.ts';
import { importCustomers } from '../../../core/customers/import-customers.ts';
import { createMemoryStore } from '../../support/memory-store.ts';

const clock = { now: () => new Date('2026-11-23T00:00:00Z') };

const ATTRIBUTES: Attributes = {
  kind: 'attributes',
  contact: [
    { id: 'industry', type: 'string', label: { en: 'Industry' }, values: ['manufacturing', 'retail'] },
    { id: 'seats', type: 'number', label: { en: 'Seats' } },
    { id: 'admin_trained', type: 'boolean', label: { en: 'Admin trained' } },
  ],
  account: [{ id: 'renewal_date', type: 'date', label: { en: 'Renewal' } }],
};
const catalogue = { products: ['core'], topics: ['tips'], attributes: { contact: ATTRIBUTES.contact, account: ATTRIBUTES.account } };
const readOptions = (kind: 'contact' | 'account') => ({ attributes: ATTRIBUTES[kind].map((attribute) => attribute.id) });

const ACCOUNTS = [
  'account_id,name,tier,plan,products,phase,mrr,currency,attr_renewal_date',
  'a-1,Kobe Robotics,tier1,enterprise,core,adoption,120000,JPY,2027-03-31',
  'a-2,Osaka Foods,tier2,standard,core,nurturing,50000,JPY,2027-02-30',
].join('\n');

const CONTACTS = [
  'contact_id,account_id,email,locale,time_zone,consent,attr_industry,attr_seats,attr_admin_trained',
  'c-1,a-1,aoi@kobe.example.com,ja,Asia/Tokyo,granted,manufacturing,250,TRUE',
  'c-2,a-1,ken@kobe.example.com,ja,Asia/Tokyo,granted,farming,many,yes',
  'c-3,a-1,mei@kobe.example.com,ja,Asia/Tokyo,granted,,,',
].join('\n');

async function importCsv(accounts = ACCOUNTS, contacts = CONTACTS) {
  const store = createMemoryStore();
  const report = await importCustomers(
    {
      accounts: parseCustomerCsv(accounts, 'accounts.csv', 'accounts', readOptions('account')),
      contacts: parseCustomerCsv(contacts, 'contacts.csv', 'contacts', readOptions('contact')),
      fieldLabel: csvColumnLabel,
      catalogue,
    },
    store.customers,
    clock,
  );
  return { store, report };
}

describe('attr_ columns of a customer CSV', () => {
  it('import declared attributes typed, and a row without a value without the attribute', async () => {
    const { store, report } = await importCsv();
    expect((await store.customers.getContact('c-1'))?.attributes).toEqual({ industry: 'manufacturing', seats: 250, admin_trained: true });
    expect((await store.customers.getContact('c-3'))?.attributes).toBeUndefined();
    expect((await store.customers.getAccount('a-1'))?.attributes).toEqual({ renewal_date: '2027-03-31' });
    expect(report.contacts.created).toBe(2);
  });

  it('reject a row whose value does not fit its type, naming each column', async () => {
    const { report } = await importCsv();
    expect(report.rejected).toEqual([
      { location: { source: 'accounts.csv', line: 3 }, reason: "attr_renewal_date: expected a date like 2026-04-01, got '2027-02-30'" },
      {
        location: { source: 'contacts.csv', line: 3 },
        reason: "attr_industry: expected one of manufacturing, retail, got 'farming'; attr_seats: expected a number like 42 or 3.5, got 'many'; attr_admin_trained: expected true or false, got 'yes'",
      },
    ]);
  });

  it('refuse the whole file for a column of an undeclared attribute, listing the columns it may have', () => {
    const header = 'contact_id,account_id,email,locale,time_zone,consent,attr_industry,attr_segment';
    let refusal: unknown;
    try {
      parseCustomerCsv(`${header}\nc-1,a-1,a@example.com,ja,Asia/Tokyo,granted,retail,x\n`, 'contacts.csv', 'contacts', readOptions('contact'));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(CustomerCsvError);
    expect((refusal as Error).message).toBe(
      'contacts.csv: unknown column(s) attr_segment. Expected header: contact_id,account_id,email,first_name,last_name,locale,time_zone,consent,consent_at,topics_opted_out,role ' +
        '(optional: first_name, last_name, consent_at, topics_opted_out, role, attr_industry, attr_seats, attr_admin_trained); ' +
        'an attr_<id> column needs the attribute declared in campaigns/attributes.yaml',
    );
    // Declared for contacts is not declared for accounts.
    expect(() => parseCustomerCsv(`${ACCOUNTS.split('\n')[0]},attr_industry\n`, 'accounts.csv', 'accounts', readOptions('account'))).toThrow(/unknown column\(s\) attr_industry/);
  });
});

describe('attributes in the ingest API', () => {
  const account = { accountId: 'a-1', name: 'Acme', tier: 'tier2', plan: 'standard', phase: 'adoption', mrr: 1, currency: 'USD' };
  const contact = { contactId: 'c-1', accountId: 'a-1', email: 'a@example.com', locale: 'en', timeZone: 'America/Chicago', consent: 'granted' };
  const ingest = (attributes: Record<string, unknown>, withCatalogue = true) => {
    const store = createMemoryStore();
    const run = importCustomers(
      {
        accounts: [{ location: { source: 'accounts', index: 0 }, value: account }],
        contacts: [{ location: { source: 'contacts', index: 0 }, value: { ...contact, attributes } }],
        ...(withCatalogue ? { catalogue } : {}),
      },
      store.customers,
      clock,
    );
    return { store, run };
  };

  it('take JSON values of the declared types', async () => {
    const { store, run } = ingest({ industry: 'retail', seats: 12, admin_trained: false });
    expect((await run).rejected).toEqual([]);
    expect((await store.customers.getContact('c-1'))?.attributes).toEqual({ industry: 'retail', seats: 12, admin_trained: false });
  });

  it('reject an undeclared attribute, naming the declared ones, and any attribute when no declarations are known', async () => {
    expect((await ingest({ sector: 'retail' }).run).rejected).toEqual([
      { location: { source: 'contacts', index: 0 }, reason: "attributes.sector: unknown contact attribute 'sector': declared contact attributes are industry, seats, admin_trained" },
    ]);
    expect((await ingest({ industry: 'retail' }, false).run).rejected[0]?.reason).toBe(
      "attributes.industry: unknown contact attribute 'industry': no contact attributes are declared (campaigns/attributes.yaml)",
    );
  });
});
