/**
 * CSQL promotion against DynamoDB Local, from signals recorded through the engagement path: the
 * promotion's audit record names the rule, the values, the top signals and the evidence (which
 * contact did what, when); its event waits in the outbox, written in the same transaction; two
 * evaluations at once promote once; a second evaluation changes nothing; when the score has
 * decayed below the demotion level the account is demoted, with its own event.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runScript } from '../support/spawn-script.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { CSQL_DEMOTED, CSQL_QUALIFIED } from '../../core/qualification/csql-promotion.ts';
import { qualifyAccounts, qualifyAllAccounts, type QualifyDeps } from '../../core/qualification/qualify-accounts.ts';
import { recordEngagement } from '../../core/scoring/record-engagement.ts';
import type { EngagementEvent } from '../../core/tracking/engagement-event.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
let now = new Date('2026-12-02T00:00:00Z');
const clock = { now: () => now };
const deps = (): QualifyDeps => ({ ...table.store, config, clock });

beforeAll(async () => {
  table = await createTestTable('csql');
  ({ config } = await openConfig());
  await table.store.customers.upsertAccount({ accountId: 'acme', name: 'Acme', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  for (const id of ['p1', 'p2', 'p3']) {
    await table.store.customers.upsertContact({ contactId: id, accountId: 'acme', email: `${id}@acme.example`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  }
  const event = (id: string, type: EngagementEvent['type'], contactId: string, minutesAgo: number): EngagementEvent => ({
    eventId: id, type, contactId, accountId: 'acme', occurredAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString(), campaignId: 'monthly-newsletter', runId: 'r1', machine: false, detail: {},
  });
  const path = { engagement: table.store.engagement, scores: table.store.scores, scoring: config.scoring, clock };
  // Three people each open and click a few times: breadth and score enough for `engaged-low-touch`... but no health: it needs usage.
  for (const contactId of ['p1', 'p2', 'p3']) {
    for (let i = 0; i < 3; i++) {
      await recordEngagement(event(`${contactId}-open-${i}`, 'open', contactId, 60 + i), path);
      await recordEngagement(event(`${contactId}-click-${i}`, 'click', contactId, 30 + i), path);
    }
  }
  // A machine click (a scanner) is recorded but is no evidence.
  await recordEngagement({ ...event('scan', 'click', 'p1', 1), machine: true }, path);
  // Product usage good enough for the health rule.
  await table.store.usage.recordUsage([{ accountId: 'acme', at: now.toISOString(), recordId: 'e:setup', metrics: { seats_bought: 10, seats_used: 9, integrations_connected: 3, active_users: 8, key_feature_use: 60, logins_30d: 250, reports_scheduled: 12, hours_saved: 50 } }]);
});
afterAll(() => table.drop());

describe('CSQL qualification', () => {
  it('promotes once, with the audit trail and its event in the outbox, even when evaluated twice at once', async () => {
    const [first, second] = await Promise.all([qualifyAccounts(['acme'], deps()), qualifyAccounts(['acme'], deps())]);
    const decisions = [...first!, ...second!].map((outcome) => outcome.decision).sort();
    expect(decisions).toEqual(['conflict', 'promote']);
    const [promotion] = await table.store.csql.listPromotionsOfAccount('acme');
    expect(promotion).toMatchObject({ ruleId: 'engaged-low-touch', values: { engagedContacts: 3, tier: 'tier2' }, topSignals: [{ signal: 'click' }, { signal: 'open' }] });
    expect(promotion!.accountScore).toBeGreaterThanOrEqual(40);
    // Who did what, when: people's clicks and opens, newest first, never the scanner's.
    expect(promotion!.evidence.length).toBeGreaterThan(0);
    expect(promotion!.evidence.every((evidence) => ['p1', 'p2', 'p3'].includes(evidence.contactId) && ['click', 'open'].includes(evidence.type))).toBe(true);
    expect(promotion!.evidence.map((evidence) => evidence.occurredAt)).toEqual([...promotion!.evidence.map((evidence) => evidence.occurredAt)].sort().reverse());
    const outbox = await table.store.csql.listUnpublished(10);
    expect(outbox.map((entry) => entry.detailType)).toEqual([CSQL_QUALIFIED]);
    expect(outbox[0]?.detail).toMatchObject({ version: '1', accountId: 'acme', ruleId: 'engaged-low-touch' });
    expect(await table.store.csql.getState('acme')).toMatchObject({ status: 'csql', ruleId: 'engaged-low-touch', version: 1 });
    expect((await qualifyAccounts(['acme'], deps()))[0]).toMatchObject({ decision: 'stay', reason: 'already a CSQL' });
  });

  it('traces a promotion from the CSV export and its event back to the stored signals that caused it', async () => {
    const env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.tableName };
    const exported = await runScript('scripts/csql.ts', ['export', '--since', '2026-01-01'], env);
    expect(exported.code).toBe(0);
    // The output holds the tool's stderr too (Node's warnings): the CSV starts at its header.
    const rows = parse(exported.output.slice(exported.output.indexOf('account_id,')), { columns: true }) as Array<Record<string, string>>;
    const row = rows.find((candidate) => candidate.account_id === 'acme')!;
    expect(row.rule).toBe('engaged-low-touch');
    // The CSV row and the event name the same promotion.
    const [event] = (await table.store.csql.listUnpublished(10)).filter((entry) => entry.detailType === CSQL_QUALIFIED);
    expect(event?.id).toBe(row.event_id);
    // Each piece of evidence (time, contact, type) is a stored event of that contact, made by a person.
    const evidence = row.evidence!.split(' | ').map((entry) => entry.split(' '));
    expect(evidence.length).toBeGreaterThan(0);
    for (const [occurredAt, contactId, type] of evidence) {
      const stored = await table.store.engagement.listEventsOfContact(contactId!);
      expect(stored.some((candidate) => candidate.occurredAt === occurredAt && candidate.type === type && !candidate.machine), `${occurredAt} ${contactId} ${type}`).toBe(true);
    }
  }, 60_000);

  it('demotes when the score has decayed below the demotion level, with its event; the outbox empties as it is published', async () => {
    await table.store.csql.markPublished((await table.store.csql.listUnpublished(10)).map((entry) => entry.id));
    expect(await table.store.csql.listUnpublished(10)).toEqual([]);
    now = new Date(now.getTime() + 120 * 86_400_000);
    expect((await qualifyAccounts(['acme'], deps()))[0]).toMatchObject({ decision: 'demote' });
    expect(await table.store.csql.getState('acme')).toMatchObject({ status: 'not-csql', version: 2 });
    expect((await table.store.csql.listUnpublished(10)).map((entry) => entry.detailType)).toEqual([CSQL_DEMOTED]);
  });

  it('an account whose read fails is reported failed, changes nothing, and does not stop the other accounts', async () => {
    await table.store.customers.upsertAccount({ accountId: 'quiet', name: 'Quiet', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
    const before = await table.store.csql.getState('acme');
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });
    const csql = Object.assign(Object.create(table.store.csql) as typeof table.store.csql, {
      getState: (accountId: string) => (accountId === 'acme' ? Promise.reject(throttled) : table.store.csql.getState(accountId)),
    });
    const outcomes = await qualifyAllAccounts({ ...deps(), customers: table.store.customers, csql });
    expect(outcomes.find((outcome) => outcome.accountId === 'acme')).toEqual({ accountId: 'acme', decision: 'failed', reason: 'ThrottlingException: Rate of requests exceeds the allowed throughput.' });
    expect(outcomes.find((outcome) => outcome.accountId === 'quiet')).toMatchObject({ decision: 'stay' });
    expect(await table.store.csql.getState('acme')).toEqual(before);
  });
});
