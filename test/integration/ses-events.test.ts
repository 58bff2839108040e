/**
 * SES event ingestion against DynamoDB Local, through the Lambda handler: every event type is
 * stored once however often SES delivers it, permanent bounces and complaints suppress at once
 * (and the sender then skips the address), a malformed event writes nothing, and the DynamoDB
 * requests per event stay at the design minimum (at most 2 writes, dedupe included).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRequestCounter, type DynamoRequestCounts } from '../../bench/dynamodb-request-counter.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { campaignEventsOf } from '../../core/reporting/campaign-kpis.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { ingestSesEvents, type SesEventDeps } from '../../core/tracking/ses-events/record-ses-event.ts';
import { buildSesEventBridgeEvent, senderTagsOf } from '../../core/tracking/ses-events/ses-event-builder.ts';
import { createSesEventsHandler } from '../../lambdas/ses-events/handler.ts';
import { loadSesFixture, SES_FIXTURE_NAMES, SES_FIXTURES, SES_OTHER_FIXTURES, type SesFixtureName } from '../fixtures/ses/index.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig, RecordingMailer, senderDeps, TEST_TOKEN_SECRET } from '../support/sending-fixtures.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';

let table: TestTable;
let counter: DynamoRequestCounter;
let deps: SesEventDeps;
const logs: Array<{ level: 'info' | 'warn' | 'error'; message: string; extra: unknown[] }> = [];
let handler: ReturnType<typeof createSesEventsHandler>;

/** The send each fixture is about, recorded as the sender records it (claimed, then sent with the SES message id). */
async function recordSendOf(name: SesFixtureName): Promise<void> {
  const mail = loadSesFixture(name).detail.mail as { messageId: string; timestamp: string; tags: Record<string, string[]> };
  const campaignId = mail.tags.campaign![0]!;
  const runId = name === 'delivery-delay' ? 'welcome-2026-11-30T09:00:00.000Z' : mail.tags.run![0]!;
  const ref = { campaignId, runId, contactId: SES_FIXTURES[name].contactId };
  if (await table.store.sends.claimSend({ ...ref, accountId: 'acc-1', state: 'claimed', claimedAt: mail.timestamp })) {
    await table.store.sends.markSent(ref, mail.messageId, new Date(mail.timestamp));
  }
}

async function itemCount(): Promise<number> {
  let count = 0;
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await table.client.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT', ExclusiveStartKey }));
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (ExclusiveStartKey);
  return count;
}

const WRITES = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand'];
const writesIn = (counts: DynamoRequestCounts) => WRITES.reduce((sum, command) => sum + (counts.byCommand[command] ?? 0), 0);
const readsIn = (counts: DynamoRequestCounts) => counts.commands - writesIn(counts);

beforeAll(async () => {
  table = await createTestTable('ses-events');
  counter = DynamoRequestCounter.attach(table.client);
  const { config: shipped } = await openConfig();
  deps = {
    sends: table.store.sends,
    engagement: withEngagementPath(table.store, shipped.scoring, { now: () => new Date() }).engagement,
    suppressions: table.store.suppressions,
    customers: table.store.customers,
    topics: { kind: 'topics', topics: [{ id: 'product-news', label: { ja: '製品ニュース', en: 'Product news' } }, { id: 'tips', label: { ja: '活用のヒント', en: 'Tips' } }] },
    tagSecret: TEST_TOKEN_SECRET,
  };
  handler = createSesEventsHandler({
    stores: async () => deps,
    logger: {
      info: (message: unknown, ...extra: unknown[]) => logs.push({ level: 'info', message: String(message), extra }),
      warn: (message: unknown, ...extra: unknown[]) => logs.push({ level: 'warn', message: String(message), extra }),
      error: (message: unknown, ...extra: unknown[]) => logs.push({ level: 'error', message: String(message), extra }),
    },
  });
  for (const name of SES_FIXTURE_NAMES) await recordSendOf(name);
});
afterAll(() => table.drop());

describe('SES events through the handler', () => {
  it('stores each event type once even when SES delivers it twice, with at most 2 writes per event', async () => {
    for (const name of SES_FIXTURE_NAMES) {
      const before = counter.snapshot();
      expect(await handler(loadSesFixture(name)), name).toMatchObject({ outcome: 'recorded', type: SES_FIXTURES[name].type, contactId: SES_FIXTURES[name].contactId, joinedBy: 'tags-and-send' });
      const first = counter.since(before);
      const suppresses = name === 'bounce-permanent' || name === 'complaint';
      expect(writesIn(first), `${name}: writes`).toBe(suppresses ? 2 : 1);
      expect(first.byCommand, `${name}: the send read by its key, no index query`).toMatchObject({ GetItemCommand: 1 });
      expect(first.byCommand.QueryCommand ?? 0).toBe(0);

      const again = counter.snapshot();
      expect(await handler(loadSesFixture(name)), name).toMatchObject({ outcome: 'duplicate' });
      expect(writesIn(counter.since(again)), `${name}: redelivery attempts the same conditional writes`).toBe(suppresses ? 2 : 1);
    }
    for (const contactId of new Set(Object.values(SES_FIXTURES).map((fixture) => fixture.contactId))) {
      const stored = await table.store.engagement.listEventsOfContact(contactId);
      const expected = SES_FIXTURE_NAMES.filter((name) => SES_FIXTURES[name].contactId === contactId).map((name) => SES_FIXTURES[name].type);
      expect(stored.map((event) => event.type).sort(), contactId).toEqual([...expected].sort());
    }
  });

  it('keeps the events of each campaign, with the detail worth keeping and no address', async () => {
    const fixtureContacts = Object.values(SES_FIXTURES).map((fixture) => fixture.contactId);
    const events = await campaignEventsOf('monthly-newsletter', fixtureContacts, table.store.engagement);
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(['send', 'delivery', 'complaint', 'bounce', 'reject', 'rendering-failure']));
    const hardBounce = events.find((event) => event.contactId === 'con-00043');
    expect(hardBounce).toMatchObject({ type: 'bounce', accountId: 'acc-1', runId: '20261202T010000Z', detail: { bounceType: 'Permanent', bounceSubType: 'General', status: '5.1.1', kind: 'campaign' } });
    expect(JSON.stringify(events)).not.toContain('@');
    const [delay] = await campaignEventsOf('adoption-nurture', fixtureContacts, table.store.engagement);
    expect(delay).toMatchObject({ type: 'delivery-delay', runId: 'welcome-2026-11-30T09:00:00.000Z', detail: { delayType: 'TransientCommunicationFailure', kind: 'sequence', stepId: 'welcome' } });
  });

  it('suppresses a hard-bounced and a complaining address at once; a transient bounce does not', async () => {
    const suppressed = await table.store.suppressions.suppressedAmong(['h.suzuki@example.co.jp', 'taro.yamada@example.co.jp', 'm.tanaka@example.jp', 'yui.ito@example.co.jp']);
    expect(suppressed.get('h.suzuki@example.co.jp')).toMatchObject({ reason: 'hard-bounce', suppressedAt: '2026-12-02T01:00:04.870Z', source: expect.stringMatching(/^ses:0106019ad3a1f4c8-.*:bounce:/) });
    expect(suppressed.get('taro.yamada@example.co.jp')).toMatchObject({ reason: 'complaint' });
    expect([...suppressed.keys()].sort()).toEqual(['h.suzuki@example.co.jp', 'taro.yamada@example.co.jp']);
  });

  it('rejects a malformed event with a logged reason and writes nothing', async () => {
    const itemsBefore = await itemCount();
    const before = counter.snapshot();
    const broken = loadSesFixture('bounce-permanent');
    delete (broken.detail.bounce as Record<string, unknown>).bouncedRecipients;
    for (const input of [broken, { ...loadSesFixture('delivery'), detail: { ...loadSesFixture('delivery').detail, eventType: 'Open' } }, 'not an event', null]) {
      logs.length = 0;
      const outcome = await handler(input);
      expect(outcome).toMatchObject({ outcome: 'rejected' });
      expect(logs).toEqual([{ level: 'warn', message: 'SES event rejected', extra: [expect.objectContaining({ reason: expect.any(String) })] }]);
      expect(JSON.stringify(logs)).not.toContain('@');
    }
    expect(counter.since(before).commands).toBe(0);
    expect(await itemCount()).toBe(itemsBefore);
  });

  it('drops an event for an email it did not send that suppresses nothing (a transient bounce), logged, without a write', async () => {
    const before = counter.snapshot();
    const foreign = buildSesEventBridgeEvent('soft-bounce', { messageId: 'not-ours', email: 'x@example.com', tags: {}, sentAt: new Date('2026-12-02T01:00:00Z') }, new Date('2026-12-02T01:00:05Z'));
    logs.length = 0;
    expect(await handler(foreign)).toEqual({ outcome: 'unknown-message', sesMessageId: 'not-ours', type: 'bounce' });
    expect(logs[0]).toMatchObject({ level: 'warn' });
    expect(writesIn(counter.since(before))).toBe(0);
    expect(await table.store.suppressions.suppressedAmong(['x@example.com'])).toEqual(new Map());
  });
});

describe('joins', () => {
  it('by tags that name the account: no read at all, one write', async () => {
    const send = { campaignId: 'monthly-newsletter', runId: '20261203T010000Z', contactId: 'con-tags-only', accountId: 'acc-2' };
    const event = buildSesEventBridgeEvent('delivery', { messageId: 'msg-tags-only', email: 'z@example.com', tags: senderTagsOf(send, { kind: 'campaign', withAccount: true, signWith: TEST_TOKEN_SECRET }), sentAt: new Date('2026-12-03T01:00:00Z') }, new Date('2026-12-03T01:00:02Z'));
    const before = counter.snapshot();
    expect(await handler(event)).toMatchObject({ outcome: 'recorded', joinedBy: 'tags', contactId: 'con-tags-only' });
    const used = counter.since(before);
    expect(readsIn(used)).toBe(0);
    // The event alone, one conditional put: its run's counters move from the table's stream.
    expect(used.byCommand).toEqual({ PutItemCommand: 1 });
  });

  it('by SES message id when the tags are missing (one index query)', async () => {
    const fixture = loadSesFixture('delivery');
    fixture.detail.mail.tags = { 'ses:configuration-set': ['nurture-engine-prod'] };
    const delivery = fixture.detail.delivery as { timestamp: string };
    delivery.timestamp = '2026-12-02T01:00:09.000Z';
    const before = counter.snapshot();
    expect(await handler(fixture)).toMatchObject({ outcome: 'recorded', joinedBy: 'message-id', contactId: 'con-00042', campaignId: 'monthly-newsletter' });
    // One query to place it, one write (the event: a delivery scores nothing, and its run's counter
    // moves from the table's stream).
    expect(counter.since(before).byCommand).toEqual({ QueryCommand: 1, PutItemCommand: 1 });
  });
});

describe('with the real sender', () => {
  let config: EngineConfig;
  const now = new Date('2026-12-05T01:00:00Z');

  it('events join by the tags the sender set, and a hard-bounced contact is skipped on the next send', async () => {
    ({ config } = await openConfig());
    await table.store.customers.upsertAccount({ accountId: 'acc-s', name: 'Acme K.K.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
    for (const id of ['s1', 's2']) {
      await table.store.customers.upsertContact({ contactId: id, accountId: 'acc-s', email: `${id}@example.com`, firstName: '花', lastName: '佐藤', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
    }
    const request = (contactId: string, runId: string) => ({ id: `${runId}-${contactId}`, body: { source: { kind: 'campaign', campaignId: 'monthly-newsletter' }, runId, contactId, accountId: 'acc-s' } });
    const mailer = new RecordingMailer();
    const first = await processSendBatch([request('s1', '20261205T010000Z'), request('s2', '20261205T010000Z')], senderDeps(table.store, config, mailer, { now: () => now }));
    expect([...first.outcomes.values()]).toEqual(['sent', 'sent']);

    const events = mailer.sent.map((email, index) =>
      buildSesEventBridgeEvent(email.to === 's1@example.com' ? 'bounce' : 'delivery', { messageId: `msg-${index + 1}`, email: email.to, tags: email.tags, sentAt: now }, new Date(now.getTime() + 3_000)),
    );
    const outcomes = await ingestSesEvents(events, deps);
    expect(outcomes).toEqual(expect.arrayContaining([
      expect.objectContaining({ outcome: 'recorded', type: 'bounce', contactId: 's1', joinedBy: 'tags', suppressed: 1 }),
      expect.objectContaining({ outcome: 'recorded', type: 'delivery', contactId: 's2', joinedBy: 'tags', suppressed: 0 }),
    ]));

    const later = new Date(now.getTime() + 7 * 86_400_000);
    const next = await processSendBatch([request('s1', '20261212T010000Z'), request('s2', '20261212T010000Z')], senderDeps(table.store, config, mailer, { now: () => later }));
    expect(next.outcomes.get('20261212T010000Z-s1')).toBe('skipped');
    expect(next.outcomes.get('20261212T010000Z-s2')).toBe('sent');
    expect((await table.store.sends.listSkipsOfRun('monthly-newsletter', '20261212T010000Z')).map((skip) => [skip.contactId, skip.reason])).toEqual([['s1', expect.stringMatching(/suppress/)]]);
  });
});

/** A contact as the CRM import writes it (the unique email look-up is maintained by the upsert). */
async function upsertContactOf(contactId: string, email: string, accountId = 'acc-u'): Promise<void> {
  const at = new Date('2026-11-01T00:00:00Z');
  await table.store.customers.upsertAccount({ accountId, name: 'Unplaced K.K.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, at);
  expect(await table.store.customers.upsertContact({ contactId, accountId, email, firstName: '健', lastName: '渡辺', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, at)).toBe('created');
}

async function recordSentSend(contactId: string, runId: string, messageId: string, accountId = 'acc-u'): Promise<void> {
  const ref = { campaignId: 'monthly-newsletter', runId, contactId };
  expect(await table.store.sends.claimSend({ ...ref, accountId, state: 'claimed', claimedAt: '2026-12-04T01:00:00.000Z' })).toBe(true);
  await table.store.sends.markSent(ref, messageId, new Date('2026-12-04T01:00:01.000Z'));
}

async function rawItemsOf(pk: string): Promise<Array<Record<string, unknown>>> {
  const page = await table.client.send(new ScanCommand({ TableName: table.tableName, FilterExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } }));
  return (page.Items ?? []) as Array<Record<string, unknown>>;
}

describe('a permanent bounce or a complaint for an email the engine cannot place', () => {
  const sentAt = new Date('2026-12-04T01:00:00Z');
  const unknownEmail = (kind: 'bounce' | 'complaint' | 'delivery', messageId: string, email: string) =>
    buildSesEventBridgeEvent(kind, { messageId, email, tags: {}, sentAt }, new Date('2026-12-04T01:00:04Z'));

  it('suppresses the address and files the event under the contact that owns it, with no campaign', async () => {
    await upsertContactOf('con-restored', 'restored@example.co.jp');
    logs.length = 0;
    const outcome = await handler(unknownEmail('bounce', 'sent-before-restore', 'Restored@Example.co.jp'));
    expect(outcome).toMatchObject({ outcome: 'unplaced', type: 'bounce', suppressed: 1, contactIds: ['con-restored'], unknownRecipients: 0, recorded: 1 });
    expect(logs).toEqual([{ level: 'warn', message: expect.stringMatching(/cannot place/), extra: [expect.objectContaining({ outcome: 'unplaced' })] }]);
    expect(JSON.stringify(logs)).not.toContain('@');
    expect((await table.store.suppressions.suppressedAmong(['restored@example.co.jp'])).get('restored@example.co.jp')).toMatchObject({ reason: 'hard-bounce' });
    const [event, ...more] = await table.store.engagement.listEventsOfContact('con-restored');
    expect(more).toEqual([]);
    expect(event).toMatchObject({ type: 'bounce', accountId: 'acc-u', detail: { send: 'unknown', sesMessageId: 'sent-before-restore', bounceType: 'Permanent' } });
    expect(event?.campaignId).toBeUndefined();

    const before = counter.snapshot();
    expect(await handler(unknownEmail('bounce', 'sent-before-restore', 'Restored@Example.co.jp'))).toMatchObject({ outcome: 'unplaced', suppressed: 0, recorded: 0 });
    expect(counter.since(before).byCommand.PutItemCommand, 'the redelivery attempts the same two conditional puts').toBe(2);
    expect(await table.store.engagement.listEventsOfContact('con-restored')).toHaveLength(1);
  });

  it('an address no contact owns: suppressed, and the event kept unplaced for its month without the address', async () => {
    const outcome = await handler(unknownEmail('complaint', 'sent-by-the-old-system', 'Former.Customer@example.jp'));
    expect(outcome).toMatchObject({ outcome: 'unplaced', type: 'complaint', suppressed: 1, contactIds: [], unknownRecipients: 1, recorded: 1 });
    expect((await table.store.suppressions.suppressedAmong(['former.customer@example.jp'])).get('former.customer@example.jp')).toMatchObject({ reason: 'complaint' });
    const unplaced = (await table.store.engagement.listUnplacedSesEvents('2026-12')).filter((event) => event.detail.sesMessageId === 'sent-by-the-old-system');
    expect(unplaced).toEqual([expect.objectContaining({ type: 'complaint', occurredAt: '2026-12-04T01:00:04.000Z', recipientHash: expect.stringMatching(/^[0-9a-f]{12}$/), detail: expect.objectContaining({ send: 'unknown' }) })]);
    const items = await rawItemsOf('SES_UNPLACED#2026-12');
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items[0]).toHaveProperty('expiresAt');
    expect(JSON.stringify(items)).not.toMatch(/@|former/i);
  });

  it('a delivery of an email it cannot place is still dropped without a write', async () => {
    const before = counter.snapshot();
    expect(await handler(unknownEmail('delivery', 'sent-by-someone-else', 'someone@example.com'))).toMatchObject({ outcome: 'unknown-message' });
    expect(writesIn(counter.since(before))).toBe(0);
  });
});

describe('tags that are forged or mangled cannot file an event under another contact', () => {
  // Two contacts emailed in one run: A's email is the one the events are about.
  const runId = '20261204T010000Z';
  const sentAt = new Date('2026-12-04T01:00:01Z');
  const eventFor = (kind: 'delivery' | 'bounce', tags: Record<string, string>, at = '2026-12-04T01:00:06Z') =>
    buildSesEventBridgeEvent(kind, { messageId: 'msg-of-a', email: 'a@example.com', tags, sentAt }, new Date(at));

  beforeAll(async () => {
    await upsertContactOf('con-a', 'a@example.com');
    await upsertContactOf('con-b', 'b@example.com');
    await recordSentSend('con-a', runId, 'msg-of-a');
    await recordSentSend('con-b', runId, 'msg-of-b');
  });

  it.each([
    ['con_2db', 'an escape of "-" our encoder never writes'],
    ['con_2Db', 'upper-case hex, as a relay that upper-cases escapes would write'],
  ])('a contact tag %s (%s) naming con-b, with the account tag: refused, joined by message id, filed under con-a', async (contactTag) => {
    const tags = { ...senderTagsOf({ campaignId: 'monthly-newsletter', runId, contactId: 'con-a', accountId: 'acc-u' }, { kind: 'campaign', withAccount: true }), contact: contactTag };
    logs.length = 0;
    const outcome = await handler(eventFor('delivery', tags, contactTag === 'con_2db' ? '2026-12-04T01:00:06Z' : '2026-12-04T01:00:07Z'));
    expect(outcome).toMatchObject({ outcome: 'recorded', contactId: 'con-a', joinedBy: 'message-id', refusedTag: 'contact' });
    expect(logs[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/not trusted/) });
  });

  it('canonical tags of con-b without the account tag: the send read by its key is another email, so the message id decides', async () => {
    const tags = senderTagsOf({ campaignId: 'monthly-newsletter', runId, contactId: 'con-b' }, { kind: 'campaign' });
    expect(await handler(eventFor('delivery', tags, '2026-12-04T01:00:08Z'))).toMatchObject({ outcome: 'recorded', contactId: 'con-a', joinedBy: 'message-id' });
  });

  it('a hard bounce with mangled tags suppresses the address in the event and is filed under its send\'s contact', async () => {
    const tags = { ...senderTagsOf({ campaignId: 'monthly-newsletter', runId, contactId: 'con-a', accountId: 'acc-u' }, { kind: 'campaign', withAccount: true }), contact: 'con_2db' };
    expect(await handler(eventFor('bounce', tags))).toMatchObject({ outcome: 'recorded', type: 'bounce', contactId: 'con-a', suppressed: 1 });
    expect([...(await table.store.suppressions.suppressedAmong(['a@example.com', 'b@example.com'])).keys()]).toEqual(['a@example.com']);
  });

  it('nothing was ever filed under con-b', async () => {
    expect(await table.store.engagement.listEventsOfContact('con-b')).toEqual([]);
    expect((await table.store.engagement.listEventsOfContact('con-a')).map((event) => event.type).sort()).toEqual(['bounce', 'delivery', 'delivery', 'delivery']);
  });
});

describe('envelopes that disagree, and types the engine does not ingest', () => {
  it('a detail-type that disagrees with the event type is rejected and writes nothing', async () => {
    const itemsBefore = await itemCount();
    const before = counter.snapshot();
    for (const [name, detailType] of [['bounce-permanent', 'Email Delivered'], ['complaint', 'Email Sent'], ['delivery', 'Email Bounced']] as const) {
      const fixture = loadSesFixture(name);
      fixture['detail-type'] = detailType;
      logs.length = 0;
      expect(await handler(fixture)).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^detail-type: /) });
      expect(logs).toEqual([{ level: 'warn', message: 'SES event rejected', extra: [expect.objectContaining({ reason: expect.any(String) })] }]);
    }
    expect(counter.since(before).commands).toBe(0);
    expect(await itemCount()).toBe(itemsBefore);
  });

  it('Open and Click are acknowledged as ignored at info level, without touching the table', async () => {
    const before = counter.snapshot();
    for (const name of ['open', 'click'] as const) {
      logs.length = 0;
      expect(await handler(loadSesFixture(name))).toMatchObject({ outcome: 'ignored', type: SES_OTHER_FIXTURES[name].eventType });
      expect(logs).toEqual([{ level: 'info', message: 'SES event ignored', extra: [expect.objectContaining({ outcome: 'ignored', type: SES_OTHER_FIXTURES[name].eventType })] }]);
    }
    expect(counter.since(before).commands).toBe(0);
  });
});

describe('a Subscription event (SES list management)', () => {
  it('unsubscribes the address from everything and opts the contact out of our topic it names', async () => {
    const { contactId, email } = SES_OTHER_FIXTURES.subscription;
    await upsertContactOf(contactId, email);
    const fixture = loadSesFixture('subscription');
    const mail = fixture.detail.mail as { messageId: string };
    await recordSentSend(contactId, '20261202T010000Z', mail.messageId);
    expect(await handler(fixture)).toMatchObject({ outcome: 'unsubscribed', scope: 'all', topics: ['product-news'], suppressed: 1, contactIds: [contactId], recorded: 1 });
    expect((await table.store.suppressions.suppressedAmong([email])).get(email)).toMatchObject({ reason: 'unsubscribe' });
    expect((await table.store.customers.getContact(contactId))?.topicsOptedOut).toEqual(['product-news']);
    expect(await table.store.engagement.listEventsOfContact(contactId)).toEqual([
      expect.objectContaining({ type: 'unsubscribe', campaignId: 'monthly-newsletter', runId: '20261202T010000Z', detail: expect.objectContaining({ scope: 'all', topics: 'product-news' }) }),
    ]);
    expect(await handler(loadSesFixture('subscription'))).toMatchObject({ outcome: 'unsubscribed', suppressed: 0, recorded: 0 });
  });
});
