/**
 * What-if against DynamoDB Local: the same stored history under candidate rules and weights shows
 * who would be promoted or dropped compared with today, and writes nothing.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { replayedFacts, whatIf } from '../../core/qualification/what-if.ts';
import { recordEngagement } from '../../core/scoring/record-engagement.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
const now = new Date('2026-12-02T00:00:00Z');
const clock = { now: () => now };
const account = { accountId: 'acme', name: 'Acme', tier: 'tier2' as const, plan: 'standard', products: ['core'], phase: 'adoption' as const, mrr: 1, currency: 'JPY' };

beforeAll(async () => {
  table = await createTestTable('csql-what-if');
  ({ config } = await openConfig());
  await table.store.customers.upsertAccount(account, now);
  const path = { engagement: table.store.engagement, scores: table.store.scores, scoring: config.scoring, clock };
  for (const id of ['p1', 'p2', 'p3']) {
    await table.store.customers.upsertContact({ contactId: id, accountId: 'acme', email: `${id}@acme.example`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
    for (let i = 0; i < 3; i++) {
      await recordEngagement({ eventId: `${id}-open-${i}`, type: 'open', contactId: id, accountId: 'acme', occurredAt: new Date(now.getTime() - (i + 2) * 3_600_000).toISOString(), machine: false, detail: {} }, path);
      await recordEngagement({ eventId: `${id}-click-${i}`, type: 'click', contactId: id, accountId: 'acme', occurredAt: new Date(now.getTime() - (i + 1) * 3_600_000).toISOString(), machine: false, detail: {} }, path);
    }
  }
  await table.store.usage.recordUsage([{ accountId: 'acme', at: now.toISOString(), recordId: 'e:setup', metrics: { seats_bought: 10, seats_used: 9, integrations_connected: 3, active_users: 8, key_feature_use: 60, logins_30d: 250, reports_scheduled: 12, hours_saved: 50 } }]);
});
afterAll(() => table.drop());

const itemCount = async () => (await table.client.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }))).Count;

describe('what-if', () => {
  it('shows an account dropped by a stricter rule and promoted again by a heavier click weight, writing nothing', async () => {
    const before = await itemCount();
    const rule = config.csqlRules.rules.find((candidate) => candidate.id === 'engaged-low-touch')!;
    const stricter: EngineConfig = { ...config, csqlRules: { ...config.csqlRules, rules: config.csqlRules.rules.map((candidate) => (candidate === rule ? { ...rule, minAccountScore: 500 } : candidate)) } };
    const [today] = await whatIf([account], config, config, now, table.store);
    expect(today).toMatchObject({ change: 'same', today: { ruleId: 'engaged-low-touch' } });
    expect((await whatIf([account], config, stricter, now, table.store))[0]).toMatchObject({ change: 'dropped', today: { ruleId: 'engaged-low-touch' } });
    const heavier: EngineConfig = { ...stricter, scoring: { ...stricter.scoring, weights: { ...stricter.scoring.weights, click: 60 } } };
    const [replayed] = await whatIf([account], config, heavier, now, table.store);
    expect(replayed).toMatchObject({ change: 'same', candidate: { ruleId: 'engaged-low-touch' } });
    expect(replayed!.candidate!.score).toBeGreaterThan(500);
    expect(await itemCount()).toBe(before);
  });

  it('reads the NPS answers given by then into health, as the engine does: detractors lower it', async () => {
    const stored = await table.store.usage.listUsageRecords('acme');
    const events = (await Promise.all(['p1', 'p2', 'p3'].map((id) => table.store.engagement.listEventsOfContact(id)))).flat();
    const withoutAnswers = replayedFacts(account, events, config, now, stored, []).health!;
    const answeredAt = new Date(now.getTime() - 86_400_000).toISOString();
    for (const contactId of ['p1', 'p2', 'p3']) {
      const answer = { surveyId: 'nps-2026-h2', contactId, accountId: 'acme', tier: 'tier2' as const, score: 2, messageId: 'nps-survey', runId: 'r1', firstAnsweredAt: answeredAt, answeredAt, updatedAt: answeredAt, history: [], revision: 1 };
      expect(await table.store.surveys.saveAnswer(answer, 0)).toBe(true);
    }
    expect(replayedFacts(account, events, config, now, stored, [], undefined, -100).health!).toBeLessThan(withoutAnswers);
    // A candidate asking for the health the account has without its answers: met only if the answers were not read.
    const rule = config.csqlRules.rules.find((candidate) => candidate.id === 'engaged-low-touch')!;
    const demanding: EngineConfig = { ...config, csqlRules: { ...config.csqlRules, rules: [{ ...rule, minHealth: Math.floor(withoutAnswers) }] } };
    const [verdict] = await whatIf([account], demanding, demanding, now, table.store);
    expect(verdict).toMatchObject({ change: 'same' });
    expect(verdict!.today).toBeUndefined();
  });
});
