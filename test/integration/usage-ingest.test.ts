/**
 * Product usage through POST /api/ingest/usage into DynamoDB Local: a bad request is refused whole
 * (400 naming the field, nothing written), the same body twice stores nothing new, an older
 * record never overwrites a newer latest value (metric by metric), and the latest figures are
 * what the account's DEAR health score is computed from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { readAccountHealth } from '../../core/scoring/health-score.ts';
import type { UsageRecord } from '../../core/scoring/usage.ts';
import { usageEngagementEvents } from '../../core/scoring/usage-event.ts';
import { createHttpApp } from '../../http/app.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
let app: ReturnType<typeof createHttpApp>;
const recorded: UsageRecord[][] = [];
const now = new Date('2026-12-10T07:00:00Z');
const clock = { now: () => now };
const URL = '/api/ingest/usage';
const auth = { authorization: 'Bearer ingest-token-for-tests', 'content-type': 'application/json' };
const post = (body: unknown, headers: Record<string, string> = auth) => app.request(URL, { method: 'POST', body: JSON.stringify(body), headers });

beforeAll(async () => {
  table = await createTestTable('usage-ingest');
  ({ config } = await openConfig());
  app = createHttpApp({
    customers: table.store.customers,
    clock,
    ingestToken: 'ingest-token-for-tests',
    usageIngest: {
      usage: table.store.usage,
      customers: table.store.customers,
      clock,
      metrics: config.scoring.health.metrics,
      onRecorded: async (records) => void recorded.push([...records]),
    },
  });
  for (const accountId of ['acme', 'globex', 'initech']) {
    await table.store.customers.upsertAccount({ accountId, name: accountId, tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  }
  await table.store.customers.upsertContact({ contactId: 'c1', accountId: 'acme', email: 'c1@example.com', firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
});
afterAll(() => table.drop());

describe('POST /api/ingest/usage', () => {
  it('refuses a request without the ingest token', async () => {
    expect((await post({ usage: [{ accountId: 'acme', at: '2026-12-01T00:00:00Z', metrics: { seats_used: 1 } }] }, { 'content-type': 'application/json' })).status).toBe(401);
    expect(await table.store.usage.listUsageRecords('acme')).toEqual([]);
  });

  it('answers 400 naming each bad field, and writes nothing of the request', async () => {
    const good = { accountId: 'acme', at: '2026-12-01T09:00:00+09:00', metrics: { seats_bought: 50, seats_used: 40 } };
    const response = await post({
      usage: [
        good,
        good,
        { accountId: 'globex', at: '2026-12-01T09:00:00+09:00', metrics: { seats_used: 3 } },
        { ...good, metrics: { seats_used: 'forty' } },
        { ...good, metrics: { seats_usd: 4 } },
        { ...good, accountId: 'umbrella' },
      ],
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; problems: Array<{ path: string; message: string }> };
    expect(answer.error).toContain('usage[3].metrics.seats_used: expected a number, got "forty"');
    expect(answer.error).toContain(`usage[4].metrics.seats_usd: unknown metric 'seats_usd': the declared metrics are ${config.scoring.health.metrics.join(', ')}`);
    expect(answer.problems.map((problem) => problem.path)).toEqual(['usage[3].metrics.seats_used', 'usage[4].metrics.seats_usd']);

    // Shape fixed, one unknown account left: still nothing written, not even the good records.
    const unknownAccount = await post({ usage: [good, { accountId: 'globex', at: '2026-12-01T09:00:00+09:00', metrics: { seats_used: 3 } }, { ...good, accountId: 'umbrella' }] });
    expect(unknownAccount.status).toBe(400);
    expect(((await unknownAccount.json()) as { error: string }).error).toBe("usage[2].accountId: unknown account 'umbrella': import the account first (POST /api/ingest/customers or npm run import)");

    for (const accountId of ['acme', 'globex']) {
      expect(await table.store.usage.listUsageRecords(accountId)).toEqual([]);
      expect(await table.store.usage.latestUsage(accountId)).toBeUndefined();
    }
    expect(recorded).toEqual([]);
  });

  it('stores the same body once: sent again, nothing new is written', async () => {
    const body = {
      usage: [
        { accountId: 'globex', at: '2026-12-01T09:00:00+09:00', metrics: { seats_bought: 20, seats_used: 10 } },
        { accountId: 'globex', at: '2026-12-02T09:00:00+09:00', metrics: { seats_used: 12 }, eventId: 'daily-2026-12-02' },
      ],
    };
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ records: 2, stored: 2, duplicates: 0 });
    const records = await table.store.usage.listUsageRecords('globex');
    const latest = await table.store.usage.latestUsage('globex');
    expect(latest?.metrics.seats_used).toMatchObject({ value: 12, at: '2026-12-02T00:00:00.000Z', recordId: 'e:daily-2026-12-02' });

    const again = await post(body);
    expect(await again.json()).toEqual({ records: 2, stored: 0, duplicates: 2 });
    expect(await table.store.usage.listUsageRecords('globex')).toEqual(records);
    expect(await table.store.usage.latestUsage('globex')).toEqual(latest);
    // The engagement path is handed the records both times; their events have the same ids, so it stores them once.
    expect(usageEngagementEvents(recorded.at(-1) ?? [])).toEqual(usageEngagementEvents(recorded.at(-2) ?? []));
  });

  it('never lets an older record overwrite a newer latest value, metric by metric', async () => {
    const newer = { accountId: 'initech', at: '2026-12-05T00:00:00Z', metrics: { seats_used: 40, logins_30d: 300 } };
    const older = { accountId: 'initech', at: '2026-12-03T00:00:00Z', metrics: { seats_used: 10, logins_30d: 5, seats_bought: 50 } };
    expect((await post({ usage: [newer] })).status).toBe(200);
    expect((await post({ usage: [older] })).status).toBe(200);
    // Both orders within one request too.
    expect((await post({ usage: [{ ...older, at: '2026-12-04T00:00:00Z', metrics: { integrations_connected: 1 } }, { ...newer, metrics: { integrations_connected: 2 } }] })).status).toBe(200);
    const latest = await table.store.usage.latestUsage('initech');
    expect(latest?.metrics).toEqual({
      seats_used: { value: 40, at: '2026-12-05T00:00:00.000Z', recordId: expect.any(String) },
      logins_30d: { value: 300, at: '2026-12-05T00:00:00.000Z', recordId: expect.any(String) },
      // Only the older record reported it: the oldest figure is still the latest one known.
      seats_bought: { value: 50, at: '2026-12-03T00:00:00.000Z', recordId: expect.any(String) },
      integrations_connected: { value: 2, at: '2026-12-05T00:00:00.000Z', recordId: expect.any(String) },
    });
    expect(await table.store.usage.listUsageRecords('initech')).toHaveLength(4);
  });

  it('feeds the latest figures into the account health', async () => {
    await post({ usage: [{ accountId: 'acme', at: '2026-12-09T00:00:00Z', metrics: { seats_bought: 100, seats_used: 80, integrations_connected: 3, active_users: 56, key_feature_use: 50 }, contactId: 'c1' }] });
    await post({ usage: [{ accountId: 'acme', at: '2026-12-08T00:00:00Z', metrics: { seats_used: 8, integrations_connected: 0 } }] });
    const { health, latest } = await readAccountHealth('acme', { usage: table.store.usage, scores: table.store.scores, scoring: config.scoring, now });
    expect(latest?.metrics.seats_used?.value).toBe(80);
    const deployment = health.components.find((component) => component.dimension === 'deployment');
    const adoption = health.components.find((component) => component.dimension === 'adoption');
    // Deployment is at target on every input (80 of 100 seats, 3 integrations): the older record changed nothing.
    expect(deployment?.score).toBe(100);
    expect(adoption?.inputs.find((input) => input.label === 'active_users / seats_used')).toMatchObject({ value: 0.7, score: 100 });
    expect(health.missing.map((missing) => missing.input)).toEqual(expect.arrayContaining(['logins_30d', 'reports_scheduled', 'hours_saved']));
    expect(health.total).toBeGreaterThan(0);
    expect(health.total).toBeLessThan(100);
  });
});
