/** Customer import (CSV) and the ingest API against DynamoDB Local. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CustomerCsvError, csvColumnLabel, parseCustomerCsv, readCustomerCsv } from '../../adapters/fs/customer-csv.ts';
import { customersToCsv } from '../../adapters/fs/customer-csv-writer.ts';
import { importCustomers } from '../../core/customers/import-customers.ts';
import { createHttpApp } from '../../http/app.ts';
import { generateDemoCustomers } from '../../local/demo-customers.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { runScript } from '../support/spawn-script.ts';

const clock = { now: () => new Date('2026-11-23T00:00:00Z') };
const examples = join(import.meta.dirname, '..', '..', 'examples', 'customers');

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('import');
});
afterAll(() => table.drop());

async function importExamples() {
  return importCustomers(
    {
      accounts: await readCustomerCsv(join(examples, 'accounts-with-errors.csv'), 'accounts'),
      contacts: await readCustomerCsv(join(examples, 'contacts-with-errors.csv'), 'contacts'),
      fieldLabel: csvColumnLabel,
    },
    table.store.customers,
    clock,
  );
}

describe('CSV import', () => {
  it('writes the good rows only and names each bad line with its reason', async () => {
    const report = await importExamples();
    expect(report.accounts).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 4 });
    expect(report.contacts).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 7 });
    const reasons = Object.fromEntries(report.rejected.map((r) => [`${r.location.source}:${r.location.line}`, r.reason]));
    expect(reasons['accounts-with-errors.csv:3']).toMatch(/^tier: .*'tier4'/);
    expect(reasons['accounts-with-errors.csv:4']).toMatch(/^mrr: /);
    expect(reasons['accounts-with-errors.csv:5']).toBe('name: is required');
    expect(reasons['accounts-with-errors.csv:7']).toMatch(/duplicate account id 'ex-001'/);
    expect(reasons['contacts-with-errors.csv:4']).toMatch(/^time_zone: .*Asia\/Tokio/);
    expect(reasons['contacts-with-errors.csv:5']).toMatch(/^account_id: account 'ex-999'/);
    expect(reasons['contacts-with-errors.csv:8']).toMatch(/account 'ex-002' was rejected/);
    expect(reasons['contacts-with-errors.csv:9']).toMatch(/^email: the same address/);

    expect(await table.store.customers.getAccount('ex-001')).toMatchObject({ name: 'Kobe Robotics Inc.', products: ['core', 'analytics'] });
    for (const rejected of ['ex-002', 'ex-003', 'ex-004']) expect(await table.store.customers.getAccount(rejected)).toBeUndefined();
    expect(await table.store.customers.getContact('exc-1')).toMatchObject({ email: 'aoi@kobe-robotics.example.com', locale: 'ja' });
    expect(await table.store.customers.getContact('exc-9')).toMatchObject({ consent: 'withdrawn' });
    for (const rejected of ['exc-2', 'exc-3', 'exc-4', 'exc-5', 'exc-6', 'exc-7', 'exc-8']) {
      expect(await table.store.customers.getContact(rejected)).toBeUndefined();
    }
  });

  it('changes nothing when the same files are imported again', async () => {
    const before = await table.store.customers.getAccount('ex-001');
    const report = await importExamples();
    expect(report.accounts).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(report.contacts).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(await table.store.customers.getAccount('ex-001')).toEqual(before);
  });

  it('imports the 200 / 2,000 demo customers from their CSV round trip', async () => {
    const demo = generateDemoCustomers();
    const report = await importCustomers(
      {
        accounts: parseCustomerCsv(customersToCsv('accounts', demo.accounts), 'accounts.csv', 'accounts'),
        contacts: parseCustomerCsv(customersToCsv('contacts', demo.contacts), 'contacts.csv', 'contacts'),
        fieldLabel: csvColumnLabel,
      },
      table.store.customers,
      clock,
    );
    expect(report.rejected).toEqual([]);
    expect(report.accounts.created).toBe(200);
    expect(report.contacts.created).toBe(2000);
    expect(await table.store.customers.getContact(demo.contacts[0]!.contactId)).toEqual(demo.contacts[0]);
  }, 180_000);

  it('refuses a file with a missing or unknown column before anything is written', () => {
    expect(() => parseCustomerCsv('account_id,name,tier\nx,y,tier1\n', 'accounts.csv', 'accounts')).toThrow(CustomerCsvError);
    expect(() => parseCustomerCsv('account_id,name,tier\nx,y,tier1\n', 'accounts.csv', 'accounts')).toThrow(/missing column\(s\) plan, phase, mrr, currency/);
    expect(() =>
      parseCustomerCsv('account_id,name,tier,plan,phase,mrr,currency,segmnt\nx,y,tier1,p,adoption,1,JPY,z\n', 'accounts.csv', 'accounts'),
    ).toThrow(/unknown column\(s\) segmnt/);
    expect(() => parseCustomerCsv('account_id,name\n"x,y\n', 'accounts.csv', 'accounts')).toThrow(/not valid CSV/);
  });
});

describe('ingest API', () => {
  const token = 'test-token-0123456789';
  const app = () => createHttpApp({ customers: table.store.customers, clock, ingestToken: token });
  const post = (body: string, auth = `Bearer ${token}`) =>
    app().request('/api/ingest/customers', { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });

  it('rejects a missing or wrong token and writes nothing', async () => {
    const body = JSON.stringify({ accounts: [{ accountId: 'api-x', name: 'X', tier: 'tier3', plan: 'starter', phase: 'onboarding', mrr: 1, currency: 'JPY' }] });
    expect((await post(body, 'Bearer wrong')).status).toBe(401);
    expect((await app().request('/api/ingest/customers', { method: 'POST', body })).status).toBe(401);
    expect(await table.store.customers.getAccount('api-x')).toBeUndefined();
  });

  it('answers 400 for a body that is not a batch', async () => {
    expect((await post('not json')).status).toBe(400);
    const wrongShape = await post(JSON.stringify({ accounts: 'nope' }));
    expect(wrongShape.status).toBe(400);
    expect(await wrongShape.json()).toMatchObject({ error: expect.stringMatching(/^accounts: /) });
  });

  it('upserts good records, reports bad ones by index, and is idempotent', async () => {
    const body = JSON.stringify({
      accounts: [
        { accountId: 'api-1', name: 'API Corp', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1200, currency: 'USD' },
        { accountId: 'api-2', name: 'Broken', tier: 'gold', plan: 'standard', phase: 'adoption', mrr: 1, currency: 'USD' },
      ],
      contacts: [
        { contactId: 'api-c1', accountId: 'api-1', email: 'Lee@API.example.com', locale: 'en', timeZone: 'America/Chicago', consent: 'granted' },
        { contactId: 'api-c2', accountId: 'api-1', email: 'x@api.example.com', locale: 'en', timeZone: 'America/Chicago', consent: 'granted', extra: 1 },
      ],
    });
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      accounts: { created: 1, updated: 0, unchanged: 0, rejected: 1 },
      contacts: { created: 1, updated: 0, unchanged: 0, rejected: 1 },
      rejected: [
        { record: 'accounts[1]', reason: expect.stringMatching(/^tier: .*'gold'/) },
        { record: 'contacts[1]', reason: expect.stringMatching(/unknown field|Unrecognized key/) },
      ],
    });
    expect(await table.store.customers.getContact('api-c1')).toMatchObject({ email: 'lee@api.example.com' });
    const second = (await (await post(body)).json()) as { accounts: unknown; contacts: unknown };
    expect(second.accounts).toMatchObject({ created: 0, unchanged: 1 });
    expect(second.contacts).toMatchObject({ created: 0, unchanged: 1 });
  });
});

describe('npm run import with files as teams export them', () => {
  const fixtures = join(import.meta.dirname, '..', 'fixtures', 'customers');
  const ACCOUNTS_HEADER = 'account_id,name,tier,plan,products,phase,mrr,currency,csm_owner';
  const CONTACTS_HEADER = 'contact_id,account_id,email,first_name,last_name,locale,time_zone,consent,consent_at,topics_opted_out,role';
  const account = (id: string, name = `Account ${id}`, tier = 'tier3') => `${id},${name},${tier},starter,core,onboarding,40000,JPY,`;
  const runImport = (...args: string[]) => runScript('scripts/import.ts', args, { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.tableName });
  const inTemp = async (files: Record<string, string | Buffer>) => {
    const dir = await mkdtemp(join(tmpdir(), 'import-cli-'));
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    return (name: string) => join(dir, name);
  };

  it('names the right lines of an appended LF/CRLF file, rejects a ragged row alone, and notes a header-only file', async () => {
    const path = await inTemp({
      // LF header, CRLF rows: what a tool that appends to a file writes.
      'accounts.csv': `${ACCOUNTS_HEADER}\n${[account('cli-001'), 'cli-002,Ragged K.K.,tier3', account('cli-003', 'Bad Tier', 'tier9'), account('cli-004')].join('\r\n')}\r\n`,
      'contacts.csv': `${CONTACTS_HEADER}\r\n`,
    });
    const { code, output } = await runImport(path('accounts.csv'), path('contacts.csv'));
    expect(code, output).toBe(1);
    expect(output).toContain('note: contacts.csv: has a header but no rows; nothing to import from it');
    expect(output).toContain('accounts: 2 created, 0 updated, 0 unchanged, 2 rejected');
    expect(output).toMatch(/rejected accounts\.csv line 3: 3 cells, expected 9 /);
    expect(output).toMatch(/rejected accounts\.csv line 4: tier: .*'tier9'/);
    expect(output.indexOf('accounts.csv line 3')).toBeLessThan(output.indexOf('accounts.csv line 4'));
    expect(await table.store.customers.getAccount('cli-001')).toMatchObject({ name: 'Account cli-001' });
    expect(await table.store.customers.getAccount('cli-004')).toMatchObject({ name: 'Account cli-004' });
    for (const rejected of ['cli-002', 'cli-003']) expect(await table.store.customers.getAccount(rejected)).toBeUndefined();
  }, 60_000);

  it('writes nothing when a file is missing, and names every file that cannot be imported', async () => {
    const path = await inTemp({ 'accounts.csv': `${ACCOUNTS_HEADER}\n${account('cli-miss-1')}\n`, 'empty.csv': '\uFEFF\r\n' });
    const missing = await runImport(path('accounts.csv'), path('contacts.csv'));
    expect(missing.code, missing.output).toBe(1);
    expect(missing.output).toContain(`import refused, nothing was written:\n  ${path('contacts.csv')}: no such file`);
    const empty = await runImport(path('empty.csv'), path('contacts.csv'));
    expect(empty.output).toContain(`empty.csv: the file is empty: expected a header line ${ACCOUNTS_HEADER}`);
    expect(empty.output).toContain(`${path('contacts.csv')}: no such file`);
    expect(await table.store.customers.getAccount('cli-miss-1')).toBeUndefined();
  }, 60_000);

  it('streams files longer than a page: names duplicates and rejected accounts across pages, each rejected row printed in line order before the counts', async () => {
    const accounts = Array.from({ length: 120 }, (_, i) => account(`big-a${i}`));
    const contact = (id: string, accountId: string, email = `${id}@big.example.com`) => `${id},${accountId},${email},,,en,UTC,granted,,,`;
    const contacts = Array.from({ length: 250 }, (_, i) => contact(`big-c${i}`, `big-a${i % 120}`));
    contacts[197] = contact('big-c10', 'big-a1', 'other@big.example.com'); // line 199
    contacts[227] = contact('big-c227', 'big-a2', 'big-c3@big.example.com'); // line 229
    contacts[237] = contact('big-c237', 'big-bad'); // line 239
    const path = await inTemp({
      'accounts.csv': `${ACCOUNTS_HEADER}\n${[...accounts, account('big-bad', 'Bad', 'tier9'), account('big-a5')].join('\n')}\n`,
      'contacts.csv': `${CONTACTS_HEADER}\r\n${contacts.join('\r\n')}\r\n`,
    });
    const { code, output } = await runImport(path('accounts.csv'), path('contacts.csv'));
    expect(code, output).toBe(1);
    const lines = output.split('\n');
    const rejected = lines.filter((line) => line.startsWith('  rejected '));
    expect(rejected).toEqual([
      expect.stringMatching(/^ {2}rejected accounts\.csv line 122: tier: .*'tier9'/),
      "  rejected accounts.csv line 123: duplicate account id 'big-a5' (first at accounts.csv line 7)",
      "  rejected contacts.csv line 199: duplicate contact id 'big-c10' (first at contacts.csv line 12)",
      '  rejected contacts.csv line 229: email: the same address is already used at contacts.csv line 5',
      "  rejected contacts.csv line 239: account_id: account 'big-bad' was rejected (accounts.csv line 122)",
    ]);
    expect(lines.indexOf(rejected.at(-1) as string)).toBeLessThan(lines.indexOf('accounts: 120 created, 0 updated, 0 unchanged, 2 rejected'));
    expect(output).toContain('contacts: 247 created, 0 updated, 0 unchanged, 3 rejected');
    expect(await table.store.customers.getContact('big-c249')).toMatchObject({ accountId: 'big-a9' });
    expect(await table.store.customers.getContact('big-c10')).toMatchObject({ email: 'big-c10@big.example.com' });

    const again = await runImport(path('accounts.csv'), path('contacts.csv'));
    expect(again.output).toContain('accounts: 0 created, 0 updated, 120 unchanged, 2 rejected');
    expect(again.output).toContain('contacts: 0 created, 0 updated, 247 unchanged, 3 rejected');
  }, 240_000);

  it('imports Shift_JIS files from Excel in Japan and says which encoding it read', async () => {
    const { code, output } = await runImport(join(fixtures, 'accounts-shift-jis.csv'), join(fixtures, 'contacts-shift-jis.csv'));
    expect(code, output).toBe(0);
    expect(output).toContain('note: accounts-shift-jis.csv: read as shift_jis');
    expect(output).toContain('note: contacts-shift-jis.csv: read as shift_jis');
    expect(await table.store.customers.getAccount('sj-002')).toMatchObject({ name: '髙橋ロボティクス株式会社' });
    expect(await table.store.customers.getContact('sjc-1')).toMatchObject({ lastName: '佐藤', firstName: '太郎' });
    expect(await table.store.customers.getContact('sjc-2')).toMatchObject({ lastName: '髙橋' });
  }, 60_000);

  it('refuses a Latin-1 file instead of importing mojibake, and reads it with --encoding', async () => {
    const path = await inTemp({
      'accounts.csv': Buffer.from(`${ACCOUNTS_HEADER}\r\n${account('cli-fr-1', 'Hélène Conseil')}\r\n`, 'latin1'),
      'contacts.csv': `${CONTACTS_HEADER}\n`,
    });
    const refused = await runImport(path('accounts.csv'), path('contacts.csv'));
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toMatch(/accounts\.csv: not UTF-8: byte 0xe9 at line 2 \(byte offset \d+\) is not valid UTF-8.*Save it as CSV UTF-8.*--encoding/);
    expect(await table.store.customers.getAccount('cli-fr-1')).toBeUndefined();

    const forced = await runImport(path('accounts.csv'), path('contacts.csv'), '--encoding', 'windows-1252');
    expect(forced.code, forced.output).toBe(0);
    expect(forced.output).toContain('note: accounts.csv: read as windows-1252 (--encoding)');
    expect(await table.store.customers.getAccount('cli-fr-1')).toMatchObject({ name: 'Hélène Conseil' });
    expect((await runImport(path('accounts.csv'), path('contacts.csv'), '--encoding=klingon')).output).toMatch(/--encoding: unknown encoding 'klingon'/);
  }, 60_000);
});
