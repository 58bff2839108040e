/**
 * POST /api/ingest/erasure against DynamoDB Local: without the ingest token 401, a body that names
 * nobody 400, and neither changes a single item; a good request erases and answers the counts per
 * item kind without echoing the address; the same request again finds nothing left; an unknown
 * person is 404 with nothing changed. Each outcome reaches the function's log as counts alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../http/app.ts';
import { createTestTable, scanTable, type TestTable } from '../support/dynamo.ts';
import { importPerson } from '../support/personal-data.ts';

let table: TestTable;
let app: ReturnType<typeof createHttpApp>;
const clock = { now: () => new Date('2026-12-02T03:00:00.000Z') };
const URL = '/api/ingest/erasure';
const auth = { authorization: 'Bearer ingest-token-for-tests', 'content-type': 'application/json' };
const post = (body: string, headers: Record<string, string> = auth) => app.request(URL, { method: 'POST', body, headers });
const ADDRESS = 'api.person@example.com';
/** What the ingest function logs of each erasure. */
const audited: string[] = [];

beforeAll(async () => {
  table = await createTestTable('erasure-api');
  app = createHttpApp({
    customers: table.store.customers,
    clock,
    ingestToken: 'ingest-token-for-tests',
    erasure: { customers: table.store.customers, erasure: table.store.erasure, clock, onErasure: (result) => audited.push(JSON.stringify(result)) },
  });
  await importPerson(table.store, clock, { contactId: 'con-api', accountId: 'acc-api', email: ADDRESS, firstName: 'Apollonia', lastName: 'Person' });
});
afterAll(() => table.drop());

describe('POST /api/ingest/erasure', () => {
  it('refuses a request without the ingest token (401) or with a body that names nobody (400), changing nothing', async () => {
    const before = await scanTable(table);
    expect((await post(JSON.stringify({ email: ADDRESS }), { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(JSON.stringify({ email: ADDRESS }), { ...auth, authorization: 'Bearer wrong' })).status).toBe(401);
    for (const body of ['not json', '[]', '{}', JSON.stringify({ email: 'not-an-address' }), JSON.stringify({ contactId: 'has spaces' }), JSON.stringify({ email: ADDRESS, contactId: 'con-api' }), JSON.stringify({ email: ADDRESS, extra: 1 }), JSON.stringify({ email: `${'a'.repeat(60)}@${'b'.repeat(3000)}.com` })]) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      expect(await response.text()).not.toContain('not-an-address');
    }
    expect((await post(JSON.stringify({ email: `${'a'.repeat(5000)}@example.com` }))).status).toBe(413);
    expect(await scanTable(table)).toEqual(before);
  });

  it('erases and answers the counts, then nothing left; an unknown person is 404 and changes nothing', async () => {
    const erased = await post(JSON.stringify({ email: ADDRESS.toUpperCase() }));
    expect(erased.status).toBe(200);
    const text = await erased.text();
    expect(text.toLowerCase()).not.toContain(ADDRESS);
    expect(JSON.parse(text)).toMatchObject({ outcome: 'erased', removed: { contacts: 1, emailLookUps: 1, suppressionsCreated: 1 } });
    expect(JSON.stringify(await scanTable(table)).toLowerCase()).not.toContain('apollonia');

    const again = await post(JSON.stringify({ email: ADDRESS }));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ outcome: 'nothing-left' });

    const before = await scanTable(table);
    expect((await post(JSON.stringify({ contactId: 'con-unknown' }))).status).toBe(404);
    expect((await post(JSON.stringify({ email: 'nobody@example.net' }))).status).toBe(404);
    expect(await scanTable(table)).toEqual(before);
    // Every outcome is told to the log, with counts and never the person.
    expect(audited.map((entry) => (JSON.parse(entry) as { outcome: string }).outcome)).toEqual(['erased', 'nothing-left', 'unknown', 'unknown']);
    expect(audited.join('\n')).not.toMatch(/api\.person|Apollonia|nobody@|con-unknown/i);
  });
});
