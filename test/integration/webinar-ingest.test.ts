/**
 * The JSON attendance endpoint against DynamoDB Local: authenticated, rows checked one by one
 * (bad ones named by index, nothing written for them), the same body twice stores nothing new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { createHttpApp } from '../../http/app.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig } from '../support/sending-fixtures.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';

let table: TestTable;
let config: EngineConfig;
let app: ReturnType<typeof createHttpApp>;
const now = new Date('2026-12-10T07:00:00Z');
const clock = { now: () => now };
const URL = '/api/ingest/webinars/dashboards-101/sessions/tokyo-dec-10/attendance';
const auth = { authorization: 'Bearer ingest-token-for-tests', 'content-type': 'application/json' };

beforeAll(async () => {
  table = await createTestTable('webinar-ingest');
  ({ config } = await openConfig());
  app = createHttpApp({
    customers: table.store.customers,
    clock,
    ingestToken: 'ingest-token-for-tests',
    webinarIngest: { config, webinars: table.store.webinars, customers: table.store.customers, engagement: withEngagementPath(table.store, config.scoring, clock).engagement, sends: table.store.sends, clock },
  });
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  await table.store.customers.upsertContact({ contactId: 'c1', accountId: 'acc', email: 'c1@example.com', firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
});
afterAll(() => table.drop());

describe('POST attendance (JSON)', () => {
  const body = {
    registrations: [{ email: 'c1@example.com', answers: [{ question: 'Topic?', answer: 'Alerts' }] }],
    attendance: [
      { email: 'c1@example.com', joinTime: '2026-12-10T14:00:00+09:00', leaveTime: '2026-12-10T15:00:00+09:00' },
      { email: 'not-an-email', joinTime: '2026-12-10T14:00:00+09:00', minutes: 10 },
      { email: 'x@example.com', joinTime: '2026-12-10T14:00:00', minutes: 10 },
      { email: 'y@example.com', joinTime: '2026-12-10T14:30:00+09:00', leaveTime: '2026-12-10T14:00:00+09:00' },
    ],
  };

  it('refuses a request without the ingest token and writes nothing', async () => {
    expect((await app.request(URL, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect(await table.store.webinars.listAttendance('dashboards-101', 'tokyo-dec-10')).toEqual([]);
  });

  it('stores the good rows, names the bad ones, and stores nothing new when the same body comes again', async () => {
    const response = await app.request(URL, { method: 'POST', body: JSON.stringify(body), headers: auth });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { stays: number; registered: number; rejected: Array<{ record: string; reason: string }> };
    expect(answer).toMatchObject({ stays: 1, registered: 1 });
    expect(answer.rejected.map((rejected) => rejected.record)).toEqual(['attendance[1]', 'attendance[2]', 'attendance[3]']);
    expect(answer.rejected[1]?.reason).toContain('offset');
    const stored = await table.store.webinars.listAttendance('dashboards-101', 'tokyo-dec-10');
    await app.request(URL, { method: 'POST', body: JSON.stringify(body), headers: auth });
    expect(await table.store.webinars.listAttendance('dashboards-101', 'tokyo-dec-10')).toEqual(stored);
    expect((await table.store.webinars.getRegistrant('dashboards-101', 'tokyo-dec-10', 'c1@example.com'))?.attended).toBe(true);
  });

  it('answers 404 for a session that is not in the config and 400 for a body that is not JSON', async () => {
    expect((await app.request('/api/ingest/webinars/nope/sessions/x/attendance', { method: 'POST', body: '{}', headers: auth })).status).toBe(404);
    expect((await app.request(URL, { method: 'POST', body: '{not json', headers: auth })).status).toBe(400);
  });
});
