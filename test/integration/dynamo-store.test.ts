/** The DynamoDB store adapters against DynamoDB Local: every entity, and every conditional write. */
import { DescribeTimeToLiveCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../core/customers/account.ts';
import { contactSchema, type Contact } from '../../core/customers/contact.ts';
import type { Enrollment } from '../../core/sequences/enrollment.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';

const at = new Date('2026-11-23T00:00:00Z');
const account: Account = { accountId: 'acc-1', name: 'Sakura Foods', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 120000, currency: 'JPY' };
const contact = (contactId: string, accountId = 'acc-1'): Contact =>
  contactSchema.parse({ contactId, accountId, email: `${contactId}@Example.COM`, firstName: 'Hana', lastName: 'Sato', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted' });

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('store');
});
afterAll(() => table.drop());

describe('table', () => {
  it('expires raw events through TTL on expiresAt', async () => {
    const ttl = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });
});

describe('customers', () => {
  it('reports created, then unchanged for the same data, then updated when it changes', async () => {
    const { customers } = table.store;
    expect(await customers.upsertAccount(account, at)).toBe('created');
    expect(await customers.upsertAccount(account, at)).toBe('unchanged');
    expect(await customers.upsertAccount({ ...account, phase: 'nurturing' }, at)).toBe('updated');
    expect(await customers.getAccount('acc-1')).toEqual({ ...account, phase: 'nurturing' });
  });

  it('moves an account between tier listings when its tier changes', async () => {
    const { customers } = table.store;
    await customers.upsertAccount({ ...account, accountId: 'acc-tier', tier: 'tier3' }, at);
    expect((await customers.listAccountsByTier('tier3')).map((a) => a.accountId)).toContain('acc-tier');
    await customers.upsertAccount({ ...account, accountId: 'acc-tier', tier: 'tier1' }, at);
    expect((await customers.listAccountsByTier('tier3')).map((a) => a.accountId)).not.toContain('acc-tier');
    expect((await customers.listAccountsByTier('tier1')).map((a) => a.accountId)).toContain('acc-tier');
  });

  it('lists contacts per account and across all shards, with lower-cased emails', async () => {
    const { customers } = table.store;
    for (let i = 0; i < 30; i++) await customers.upsertContact(contact(`c-${i}`), at);
    expect(await customers.getContact('c-3')).toMatchObject({ email: 'c-3@example.com', locale: 'ja' });
    expect(await customers.listContactsOfAccount('acc-1')).toHaveLength(30);
    const all: Contact[] = [];
    for await (const page of customers.listContacts()) all.push(...page);
    expect(new Set(all.map((c) => c.contactId)).size).toBe(30);
  });

  it('tells which account ids exist', async () => {
    const existing = await table.store.customers.existingAccountIds(['acc-1', 'nope', 'acc-1']);
    expect([...existing]).toEqual(['acc-1']);
  });
});

describe('campaign runs and sends', () => {
  it('creates a run once: a second invocation of the same run is refused', async () => {
    const run = { campaignId: 'news', runId: '2026-12-02T01:00:00.000Z', state: 'scheduled' as const, scheduledFor: '2026-12-02T01:00:00.000Z', createdAt: at.toISOString(), counts: {} };
    expect(await table.store.campaignRuns.createRun(run)).toBe(true);
    expect(await table.store.campaignRuns.createRun({ ...run, createdAt: new Date().toISOString() })).toBe(false);
    await table.store.campaignRuns.setRunState('news', run.runId, 'dispatching');
    expect(await table.store.campaignRuns.listRuns('news')).toEqual([{ ...run, state: 'dispatching' }]);
  });

  it('claims a send once, joins it by message id, and counts it for frequency caps', async () => {
    const { sends } = table.store;
    const send = { campaignId: 'news', runId: 'r1', contactId: 'c-1', accountId: 'acc-1', state: 'claimed' as const, claimedAt: at.toISOString() };
    expect(await sends.claimSend(send)).toBe(true);
    expect(await sends.claimSend(send)).toBe(false);
    await sends.markSent(send, 'msg-123', at);
    expect(await sends.findSendByMessageId('msg-123')).toMatchObject({ contactId: 'c-1', state: 'sent', messageId: 'msg-123' });
    expect(await sends.countSendsToContactSince('c-1', new Date(at.getTime() - 1000))).toBe(1);
    expect(await sends.countSendsToContactSince('c-1', new Date(at.getTime() + 1000))).toBe(0);
    await sends.claimSend({ ...send, contactId: 'c-2' });
    await sends.markFailed({ ...send, contactId: 'c-2' }, 'MessageRejected');
    expect((await sends.listSendsOfRun('news', 'r1')).map((s) => [s.contactId, s.state])).toEqual([
      ['c-1', 'sent'],
      ['c-2', 'failed'],
    ]);
  });
});

describe('engagement and suppression', () => {
  it('stores an event once even when delivered twice, with a TTL', async () => {
    const event = { eventId: 'ses-1', type: 'open' as const, contactId: 'c-1', accountId: 'acc-1', occurredAt: at.toISOString(), campaignId: 'news', runId: 'r1', machine: false, detail: {} };
    expect(await table.store.engagement.recordScoredEvent(event, [])).toEqual({ outcome: 'recorded' });
    expect(await table.store.engagement.recordScoredEvent(event, [])).toEqual({ outcome: 'duplicate' });
    expect(await table.store.engagement.listEventsOfContact('c-1')).toEqual([event]);
    // Only clicks are indexed by campaign (who clicked): an open is not.
    expect(await table.store.engagement.listClicksOfCampaign('news')).toEqual([]);
    const click = { ...event, eventId: 'click-1', type: 'click' as const };
    expect(await table.store.engagement.recordScoredEvent(click, [])).toEqual({ outcome: 'recorded' });
    expect(await table.store.engagement.listClicksOfCampaign('news')).toEqual([click]);
    const raw = await table.client.send(
      new GetItemCommand({ TableName: table.tableName, Key: { PK: { S: 'EVENTS#c-1' }, SK: { S: `EVENT#${event.occurredAt}#ses-1` } } }),
    );
    expect(Number(raw.Item?.expiresAt?.N)).toBeGreaterThan(at.getTime() / 1000 + 300 * 86_400);
  });

  it('suppresses an address once, case-insensitively, keeping the first reason', async () => {
    const { suppressions } = table.store;
    expect(await suppressions.suppress({ email: 'Bounce@Example.com', reason: 'hard-bounce', suppressedAt: at.toISOString(), source: 'ses-1' })).toBe(true);
    expect(await suppressions.suppress({ email: 'bounce@example.com', reason: 'unsubscribe', suppressedAt: at.toISOString(), source: 't-1' })).toBe(false);
    const found = await suppressions.suppressedAmong(['BOUNCE@example.com', 'ok@example.com']);
    expect([...found.keys()]).toEqual(['bounce@example.com']);
    expect(found.get('bounce@example.com')?.reason).toBe('hard-bounce');
  });
});

describe('webinars', () => {
  const registrant = { webinarId: 'w1', sessionId: 's1', email: 'ana@example.com', registeredAt: at.toISOString(), source: 'zoom' as const, answers: [] };

  it('registers an address once per session, keeps the unmatched, and matches them later', async () => {
    const { webinars } = table.store;
    expect(await webinars.register(registrant)).toBe(true);
    expect(await webinars.register({ ...registrant, name: 'Another' })).toBe(false);
    expect((await webinars.listUnmatchedRegistrants(10)).map((found) => found.email)).toEqual(['ana@example.com']);
    expect(await webinars.matchRegistrant(registrant, 'c-1', 'acc-1')).toBe(true);
    expect(await webinars.matchRegistrant(registrant, 'c-2', 'acc-2')).toBe(false);
    expect(await webinars.listUnmatchedRegistrants(10)).toEqual([]);
    expect((await webinars.listRegistrationsOfContact('c-1')).map((found) => found.contactId)).toEqual(['c-1']);
    await webinars.addAnswers('w1', 's1', 'ana@example.com', [{ question: 'Topic?', answer: 'Dashboards' }]);
    await webinars.addAnswers('w1', 's1', 'ana@example.com', [{ question: 'Topic?', answer: 'Dashboards' }]);
    expect((await webinars.getRegistrant('w1', 's1', 'ANA@example.com'))?.answers).toEqual([{ question: 'Topic?', answer: 'Dashboards' }]);
  });

  it('stores attendance marks once however often they are sent, and moves a session only from the revision read', async () => {
    const { webinars } = table.store;
    const join = { kind: 'join' as const, webinarId: 'w1', sessionId: 's2', person: 'ana@example.com', stayKey: 'p-1', at: '2026-12-10T05:00:00.000Z' };
    await webinars.recordAttendance([join, join]);
    await webinars.recordAttendance([join]);
    expect(await webinars.listAttendance('w1', 's2')).toEqual([join]);
    const state = { webinarId: 'w1', sessionId: 's2', startsAt: '2026-12-10T05:00:00.000Z', endsAt: '2026-12-10T06:00:00.000Z', status: 'scheduled' as const, revision: 0 };
    expect(await webinars.ensureSession(state)).toEqual(state);
    expect(await webinars.ensureSession({ ...state, startsAt: '2027-01-01T00:00:00.000Z' })).toEqual(state);
    expect(await webinars.updateSession({ ...state, revision: 1, startsAt: '2026-12-11T05:00:00.000Z' }, 0)).toBe(true);
    expect(await webinars.updateSession({ ...state, revision: 1 }, 0)).toBe(false);
    await webinars.recordSessionRun('w1', 's2', { endedAt: new Date('2026-12-11T06:10:00Z') });
    await webinars.recordSessionRun('w1', 's2', { endedAt: new Date('2026-12-11T06:05:00Z') });
    expect((await webinars.getSession('w1', 's2'))?.endedAt).toBe('2026-12-11T06:10:00.000Z');
    expect(await webinars.markFollowUpsPlanned('w1', 's2', at)).toBe(true);
    expect(await webinars.markFollowUpsPlanned('w1', 's2', at)).toBe(false);
  });
});

describe('enrollments', () => {
  /** Every due enrollment, page by page through each due-index shard (as the sequence job reads them). */
  const dueBy = async (now: Date): Promise<Enrollment[]> => {
    const due: Enrollment[] = [];
    for (let shard = 0; shard < table.store.enrollments.dueShards; shard++) {
      let cursor: string | undefined;
      do {
        const page = await table.store.enrollments.dueEnrollmentPage(shard, now, cursor, 2);
        due.push(...page.enrollments);
        cursor = page.cursor;
      } while (cursor);
    }
    return due;
  };
  const enrollment = (contactId: string, nextStepAt?: string): Enrollment => ({
    contactId, accountId: 'acc-1', sequenceId: 'adoption', state: 'active', enrolledAt: at.toISOString(), nextStepIndex: 0, version: 0,
    ...(nextStepAt ? { nextStepAt } : {}),
  });

  it('enrolls once and finds due steps through the index, not later ones', async () => {
    const { enrollments } = table.store;
    expect(await enrollments.enroll(enrollment('e-1', '2026-11-24T00:00:00.000Z'))).toBe(true);
    expect(await enrollments.enroll(enrollment('e-1', '2026-11-24T00:00:00.000Z'))).toBe(false);
    await enrollments.enroll(enrollment('e-2', '2026-11-30T00:00:00.000Z'));
    const due = await dueBy(new Date('2026-11-25T00:00:00Z'));
    expect(due.map((e) => e.contactId)).toEqual(['e-1']);
  });

  it('lets only one writer advance a step (optimistic version) and drops finished ones from the due index', async () => {
    const { enrollments } = table.store;
    const current = (await enrollments.getEnrollment('e-1', 'adoption'))!;
    const advanced = { ...current, nextStepIndex: 1, version: 1, state: 'completed' as const };
    delete (advanced as Partial<Enrollment>).nextStepAt;
    expect(await enrollments.updateEnrollment(advanced, 0)).toBe(true);
    expect(await enrollments.updateEnrollment({ ...advanced, version: 1 }, 0)).toBe(false);
    expect(await dueBy(new Date('2027-01-01T00:00:00Z'))).toHaveLength(1);
  });
});

describe('scores and CSQL promotions', () => {
  it('records a promotion once and lists it in the feed', async () => {
    const promotion = { accountId: 'acc-1', promotedAt: at.toISOString(), ruleId: 'engaged', ruleDescription: 'Engaged', values: {}, evidence: [], accountScore: 44, health: 70, topSignals: [{ signal: 'click', contribution: 20 }] };
    expect(await table.store.csql.recordPromotion(promotion)).toBe(true);
    expect(await table.store.csql.recordPromotion(promotion)).toBe(false);
    expect(await table.store.csql.listPromotionsOfAccount('acc-1')).toEqual([promotion]);
    expect(await table.store.csql.listPromotionsSince(new Date('2026-11-01'))).toEqual([promotion]);
  });
});
