/**
 * The SES event use case with in-memory ports: which join it uses (and so which reads it costs),
 * once-only recording, suppression only for permanent bounces, complaints and unsubscribes, an
 * email it cannot place (suppressed all the same when it must be, filed by address), tags it
 * cannot trust, types it ignores, Subscription events, and a redelivery that repairs a half-done
 * first attempt.
 */
import { kpiMoveOf } from '../../../core/reporting/kpi-counters.ts';
import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../core/customers/contact.ts';
import type { Send } from '../../../core/sending/send.ts';
import type { EngagementEvent } from '../../../core/tracking/engagement-event.ts';
import type { UnplacedSesEvent } from '../../../core/tracking/ses-events/unplaced-ses-event.ts';
import type { Suppression } from '../../../core/tracking/suppression.ts';
import { ingestSesEvent, ingestSesEvents, type SesEventDeps } from '../../../core/tracking/ses-events/record-ses-event.ts';
import { buildSesEventBridgeEvent, senderTagsOf, type SimulatedSesEvent } from '../../../core/tracking/ses-events/ses-event-builder.ts';
import { loadSesFixture, SES_OTHER_FIXTURES } from '../../fixtures/ses/index.ts';

const sentAt = new Date('2026-12-02T01:00:02Z');
const send: Send = { campaignId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: 'con-1', accountId: 'acc-1', state: 'sent', claimedAt: sentAt.toISOString(), sentAt: sentAt.toISOString(), messageId: 'msg-1' };

const contactOf = (contactId: string, email: string, accountId = 'acc-1'): Contact => ({
  contactId, accountId, email, firstName: '', lastName: '', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [],
});
const taro = contactOf('con-1', 'taro@example.jp');

/** Ports that keep everything in maps and count each call, like the DynamoDB adapters' contracts. */
const TAG_SECRET = 'tag-secret-0123456789abcdef';

function memoryPorts(sends: Send[] = [send], contacts: Contact[] = [taro]) {
  const calls = { getSend: 0, findSendByMessageId: 0, suppress: 0, recordEvent: 0, recordUnplacedSesEvent: 0, findContactByEmail: 0, addTopicOptOuts: 0 };
  const events = new Map<string, EngagementEvent>();
  const unplaced = new Map<string, UnplacedSesEvent>();
  const suppressions = new Map<string, Suppression>();
  const optOuts = new Map<string, Set<string>>();
  let failNextRecord = false;
  const deps: SesEventDeps = {
    topics: { kind: 'topics', topics: [{ id: 'product-news', label: { ja: '製品ニュース', en: 'Product news' } }, { id: 'tips', label: { ja: 'ヒント', en: 'Tips' } }] },
    customers: {
      findContactByEmail: async (email) => {
        calls.findContactByEmail++;
        return contacts.find((contact) => contact.email === email.toLowerCase());
      },
      addTopicOptOuts: async (contactId, topics) => {
        calls.addTopicOptOuts++;
        const current = optOuts.get(contactId) ?? new Set<string>();
        for (const topic of topics) current.add(topic);
        optOuts.set(contactId, current);
      },
    },
    sends: {
      getSend: async (campaignId, runId, contactId) => {
        calls.getSend++;
        return sends.find((s) => s.campaignId === campaignId && s.runId === runId && s.contactId === contactId);
      },
      findSendByMessageId: async (messageId) => {
        calls.findSendByMessageId++;
        return sends.find((s) => s.messageId === messageId);
      },
    },
    engagement: {
      recordEvent: async (event) => {
        calls.recordEvent++;
        if (failNextRecord) {
          failNextRecord = false;
          throw new Error('ProvisionedThroughputExceededException');
        }
        const key = `${event.contactId}|${event.eventId}`;
        if (events.has(key)) return false;
        events.set(key, event);
        return true;
      },
      recordUnplacedSesEvent: async (event) => {
        calls.recordUnplacedSesEvent++;
        if (unplaced.has(event.eventId)) return false;
        unplaced.set(event.eventId, event);
        return true;
      },
    },
    suppressions: {
      suppress: async (suppression) => {
        calls.suppress++;
        if (suppressions.has(suppression.email)) return false;
        suppressions.set(suppression.email, suppression);
        return true;
      },
    },
  };
  return { deps, calls, events, unplaced, suppressions, optOuts, failRecordOnce: () => (failNextRecord = true) };
}

function sesEvent(kind: SimulatedSesEvent, tags: Record<string, string> = senderTagsOf(send), at = new Date('2026-12-02T01:00:05Z')) {
  return buildSesEventBridgeEvent(kind, { messageId: 'msg-1', email: 'Taro@Example.jp', tags, sentAt }, at);
}

describe('joining an SES event to its send', () => {
  it('by tags alone when they name the account and carry our signature: no read at all', async () => {
    const { deps, calls, events } = memoryPorts([]);
    const outcome = await ingestSesEvent(sesEvent('delivery', senderTagsOf(send, { kind: 'campaign', withAccount: true, signWith: TAG_SECRET })), { ...deps, tagSecret: TAG_SECRET });
    expect(outcome).toMatchObject({ outcome: 'recorded', joinedBy: 'tags', contactId: 'con-1', campaignId: 'monthly-newsletter', runId: '20261202T010000Z' });
    expect(calls).toMatchObject({ getSend: 0, findSendByMessageId: 0 });
    expect([...events.values()][0]).toMatchObject({ type: 'delivery', accountId: 'acc-1', campaignId: 'monthly-newsletter', detail: { kind: 'campaign', sesMessageId: 'msg-1' } });
  });

  it('a forged tag set naming another contact, spelled exactly as our encoder writes it, is not trusted without our signature', async () => {
    // Another system sending through the configuration set tags its own email (msg-x, to someone
    // else) with con-2's ids; con-2 has a real send of that run.
    const other: Send = { ...send, contactId: 'con-2', accountId: 'acc-2', messageId: 'msg-2' };
    const { deps, events } = memoryPorts([send, other]);
    const forged = senderTagsOf(other, { kind: 'campaign', withAccount: true });
    for (const tags of [forged, { ...forged, sig: senderTagsOf(send, { kind: 'campaign', withAccount: true, signWith: TAG_SECRET }).sig as string }]) {
      const event = buildSesEventBridgeEvent('delivery', { messageId: 'msg-x', email: 'someone@example.org', tags, sentAt: new Date('2026-12-02T01:00:00Z') }, new Date('2026-12-02T01:00:05Z'));
      expect(await ingestSesEvent(event, { ...deps, tagSecret: TAG_SECRET })).toMatchObject({ outcome: 'unknown-message' });
    }
    expect([...events.values()].filter((event) => event.contactId === 'con-2')).toEqual([]);
  });

  it('by tags and the send read by its key when the account is not tagged (what the sender sets today)', async () => {
    const { deps, calls } = memoryPorts();
    expect(await ingestSesEvent(sesEvent('delivery'), deps)).toMatchObject({ outcome: 'recorded', joinedBy: 'tags-and-send' });
    expect(calls).toMatchObject({ getSend: 1, findSendByMessageId: 0 });
  });

  it('by SES message id when the email has none of our tags', async () => {
    const { deps, calls } = memoryPorts();
    expect(await ingestSesEvent(sesEvent('delivery', {}), deps)).toMatchObject({ outcome: 'recorded', joinedBy: 'message-id', contactId: 'con-1' });
    expect(calls).toMatchObject({ getSend: 0, findSendByMessageId: 1 });
  });

  it.each(['delivery', 'soft-bounce', 'undetermined-bounce', 'send', 'reject', 'delivery-delay', 'rendering-failure'] as const)(
    'a %s of an email we cannot place is dropped without a write',
    async (kind) => {
      const { deps, calls } = memoryPorts([]);
      expect(await ingestSesEvent(sesEvent(kind, {}), deps)).toMatchObject({ outcome: 'unknown-message', sesMessageId: 'msg-1' });
      expect(calls).toMatchObject({ suppress: 0, recordEvent: 0, recordUnplacedSesEvent: 0, findContactByEmail: 0 });
    },
  );

  it('a malformed event is rejected before any read or write', async () => {
    const { deps, calls } = memoryPorts();
    const broken = sesEvent('bounce') as unknown as { detail: { bounce: Record<string, unknown> } };
    delete broken.detail.bounce.bouncedRecipients;
    expect(await ingestSesEvent(broken, deps)).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/bouncedRecipients/) });
    expect(Object.values(calls).every((count) => count === 0)).toBe(true);
  });
});

describe('recording once and suppressing', () => {
  it.each(['send', 'delivery', 'bounce', 'soft-bounce', 'undetermined-bounce', 'complaint', 'reject', 'delivery-delay', 'rendering-failure'] as const)(
    '%s delivered twice is stored once',
    async (kind) => {
      const { deps, events } = memoryPorts();
      const event = sesEvent(kind);
      expect(await ingestSesEvent(event, deps)).toMatchObject({ outcome: 'recorded' });
      expect(await ingestSesEvent(structuredClone(event), deps)).toMatchObject({ outcome: 'duplicate' });
      expect(events.size).toBe(1);
    },
  );

  it('a permanent bounce and a complaint suppress the address; transient and undetermined bounces do not', async () => {
    for (const [kind, reason] of [['bounce', 'hard-bounce'], ['complaint', 'complaint'], ['soft-bounce', undefined], ['undetermined-bounce', undefined]] as const) {
      const { deps, suppressions, events } = memoryPorts();
      const outcome = await ingestSesEvent(sesEvent(kind), deps);
      expect(outcome).toMatchObject({ outcome: 'recorded', suppressed: reason ? 1 : 0 });
      expect(suppressions.get('taro@example.jp')?.reason).toBe(reason);
      if (reason) expect(suppressions.get('taro@example.jp')?.source).toBe([...events.values()][0]?.eventId);
    }
  });

  it('writes at most twice for a hard bounce (suppression + event), once for anything else', async () => {
    for (const kind of ['bounce', 'complaint', 'delivery', 'soft-bounce'] as const) {
      const { deps, calls } = memoryPorts();
      await ingestSesEvent(sesEvent(kind), deps);
      expect(calls.suppress + calls.recordEvent).toBe(kind === 'bounce' || kind === 'complaint' ? 2 : 1);
    }
  });

  it('a redelivery after a failure between suppression and event completes the work', async () => {
    const { deps, events, suppressions, failRecordOnce } = memoryPorts();
    failRecordOnce();
    await expect(ingestSesEvent(sesEvent('bounce'), deps)).rejects.toThrow();
    expect(suppressions.size).toBe(1);
    expect(events.size).toBe(0);
    expect(await ingestSesEvent(sesEvent('bounce'), deps)).toMatchObject({ outcome: 'recorded', suppressed: 0 });
    expect(events.size).toBe(1);
  });

  it('two delays of one email at different times are two events', async () => {
    const { deps, events } = memoryPorts();
    await ingestSesEvents([sesEvent('delivery-delay', undefined, new Date('2026-12-02T01:20:00Z')), sesEvent('delivery-delay', undefined, new Date('2026-12-02T02:20:00Z'))], deps);
    expect(events.size).toBe(2);
  });

  it('ingests a list with bounded concurrency, one outcome per input in order', async () => {
    const { deps } = memoryPorts();
    const outcomes = await ingestSesEvents([sesEvent('delivery'), 'garbage', sesEvent('delivery'), sesEvent('send', {})], deps, 1);
    expect(outcomes.map((o) => o.outcome)).toEqual(['recorded', 'rejected', 'duplicate', 'recorded']);
  });
});

describe('a permanent bounce or a complaint of an email we cannot place', () => {
  it.each([['bounce', 'hard-bounce'], ['complaint', 'complaint']] as const)('%s: suppresses the address and files the event under the contact owning it, with no campaign', async (kind, reason) => {
    const { deps, events, suppressions, unplaced } = memoryPorts([]);
    const outcome = await ingestSesEvent(sesEvent(kind, {}), deps);
    expect(outcome).toMatchObject({ outcome: 'unplaced', type: kind, suppressed: 1, contactIds: ['con-1'], unknownRecipients: 0, recorded: 1 });
    expect(suppressions.get('taro@example.jp')).toMatchObject({ reason, source: expect.stringMatching(/^ses:msg-1:/) });
    const [event] = [...events.values()];
    expect(event).toMatchObject({ type: kind, contactId: 'con-1', accountId: 'acc-1', machine: false, detail: { send: 'unknown', sesMessageId: 'msg-1' } });
    expect(event).not.toHaveProperty('campaignId');
    expect(event).not.toHaveProperty('runId');
    expect(unplaced.size).toBe(0);
  });

  it('tags that name no send are no send either: still suppressed and filed by address', async () => {
    const { deps, events, suppressions } = memoryPorts([]);
    expect(await ingestSesEvent(sesEvent('bounce'), deps)).toMatchObject({ outcome: 'unplaced', contactIds: ['con-1'] });
    expect(suppressions.size).toBe(1);
    expect(events.size).toBe(1);
  });

  it('an address no contact owns is suppressed and kept as an unplaced event, without the address', async () => {
    const { deps, events, suppressions, unplaced } = memoryPorts([], []);
    const outcome = await ingestSesEvent(sesEvent('bounce', {}), deps);
    expect(outcome).toMatchObject({ outcome: 'unplaced', suppressed: 1, contactIds: [], unknownRecipients: 1, recorded: 1 });
    expect(suppressions.has('taro@example.jp')).toBe(true);
    expect(events.size).toBe(0);
    const [kept] = [...unplaced.values()];
    expect(kept).toMatchObject({ type: 'bounce', occurredAt: '2026-12-02T01:00:05.000Z', recipientHash: expect.stringMatching(/^[0-9a-f]{12}$/), detail: { send: 'unknown', bounceType: 'Permanent' } });
    expect(kept?.eventId.endsWith(kept.recipientHash)).toBe(true);
    expect(JSON.stringify([...unplaced.values()])).not.toMatch(/@|taro/i);
  });

  it('a redelivery writes no second event and suppresses nothing new', async () => {
    const { deps, events, unplaced } = memoryPorts([], []);
    await ingestSesEvent(sesEvent('complaint', {}), deps);
    expect(await ingestSesEvent(sesEvent('complaint', {}), deps)).toMatchObject({ outcome: 'unplaced', suppressed: 0, recorded: 0 });
    expect(unplaced.size + events.size).toBe(1);
  });

  it('a failure after the suppression is completed by the redelivery (suppression first)', async () => {
    const { deps, events, suppressions, failRecordOnce } = memoryPorts([]);
    failRecordOnce();
    await expect(ingestSesEvent(sesEvent('bounce', {}), deps)).rejects.toThrow();
    expect(suppressions.size).toBe(1);
    expect(events.size).toBe(0);
    expect(await ingestSesEvent(sesEvent('bounce', {}), deps)).toMatchObject({ outcome: 'unplaced', suppressed: 0, recorded: 1 });
    expect(events.size).toBe(1);
  });

  it('several recipients: each suppressed, each filed by its own address', async () => {
    const { deps, events, unplaced, suppressions } = memoryPorts([], [taro, contactOf('con-2', 'hanako@example.jp', 'acc-2')]);
    const event = sesEvent('bounce', {}) as unknown as { detail: { bounce: { bouncedRecipients: Array<{ emailAddress: string }> } } };
    event.detail.bounce.bouncedRecipients = [{ emailAddress: 'Taro@Example.jp' }, { emailAddress: 'Hanako <hanako@example.jp>' }, { emailAddress: '"john doe"@example.com' }];
    expect(await ingestSesEvent(event, deps)).toMatchObject({ outcome: 'unplaced', suppressed: 3, contactIds: ['con-1', 'con-2'], unknownRecipients: 1, recorded: 3 });
    expect([...suppressions.keys()].sort()).toEqual(['"john doe"@example.com', 'hanako@example.jp', 'taro@example.jp']);
    expect([...events.values()].map((e) => [e.contactId, e.accountId])).toEqual([['con-1', 'acc-1'], ['con-2', 'acc-2']]);
    expect(new Set([...events.values()].map((e) => e.eventId)).size).toBe(2);
    expect(unplaced.size).toBe(1);
  });
});

describe('tags that cannot be trusted', () => {
  const sendOfB: Send = { ...send, contactId: 'con-2', accountId: 'acc-2', messageId: 'msg-of-b' };
  const tagsNaming = (contactTag: string, withAccount: boolean) => ({ ...senderTagsOf(send, { kind: 'campaign', withAccount }), contact: contactTag, ...(withAccount ? { account: 'acc-2' } : {}) });

  it.each([
    ['con_2d2', 'an escape of "-"'],
    ['con_2D2', 'upper-case hex'],
  ])('a contact tag %s (%s, another spelling of con-2) cannot file the event under con-2: the message id places it', async (contactTag) => {
    const { deps, events } = memoryPorts([send, sendOfB]);
    const outcome = await ingestSesEvent(sesEvent('delivery', tagsNaming(contactTag, true)), deps);
    expect(outcome).toMatchObject({ outcome: 'recorded', contactId: 'con-1', joinedBy: 'message-id', refusedTag: 'contact' });
    expect([...events.values()].map((event) => event.contactId)).toEqual(['con-1']);
  });

  it('canonical tags naming another contact\'s send of the same run, read by key, lose to the message id', async () => {
    const { deps, events, calls } = memoryPorts([send, sendOfB]);
    const outcome = await ingestSesEvent(sesEvent('complaint', tagsNaming('con-2', false)), deps);
    expect(outcome).toMatchObject({ outcome: 'recorded', contactId: 'con-1', joinedBy: 'message-id' });
    expect(calls).toMatchObject({ getSend: 1, findSendByMessageId: 1 });
    expect([...events.values()].map((event) => event.contactId)).toEqual(['con-1']);
  });

  it('a send SES took before the sender recorded its message id is still placed by its tags', async () => {
    const claimed: Send = { ...send, state: 'claimed', messageId: undefined, sentAt: undefined };
    const { deps } = memoryPorts([claimed]);
    expect(await ingestSesEvent(sesEvent('delivery'), deps)).toMatchObject({ outcome: 'recorded', contactId: 'con-1', joinedBy: 'tags-and-send' });
  });

  it('untrusted tags and no send by message id: a hard bounce is still suppressed and filed by address', async () => {
    const { deps, events, suppressions } = memoryPorts([sendOfB], [taro]);
    const outcome = await ingestSesEvent(sesEvent('bounce', tagsNaming('con_2d2', true)), deps);
    expect(outcome).toMatchObject({ outcome: 'unplaced', contactIds: ['con-1'], refusedTag: 'contact' });
    expect([...events.values()].map((event) => event.contactId)).toEqual(['con-1']);
    expect(suppressions.has('taro@example.jp')).toBe(true);
  });
});

describe('types the engine does not ingest, and envelopes that disagree', () => {
  it.each(['open', 'click'] as const)('an SES %s event is ignored: no read, no write', async (name) => {
    const { deps, calls } = memoryPorts();
    expect(await ingestSesEvent(loadSesFixture(name), deps)).toEqual({ outcome: 'ignored', type: SES_OTHER_FIXTURES[name].eventType, reason: expect.any(String) });
    expect(Object.values(calls).every((count) => count === 0)).toBe(true);
  });

  it('a detail-type that disagrees with the event type is rejected with no read or write', async () => {
    const { deps, calls } = memoryPorts();
    const event = sesEvent('bounce');
    event['detail-type'] = 'Email Delivered';
    expect(await ingestSesEvent(event, deps)).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^detail-type: 'Email Delivered' does not match detail\.eventType 'Bounce'/) });
    expect(Object.values(calls).every((count) => count === 0)).toBe(true);
  });
});

describe('Subscription events (SES list management)', () => {
  const ken = contactOf(SES_OTHER_FIXTURES.subscription.contactId, SES_OTHER_FIXTURES.subscription.email, 'acc-9');
  const kenSend: Send = { campaignId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: ken.contactId, accountId: 'acc-9', state: 'sent', claimedAt: sentAt.toISOString(), sentAt: sentAt.toISOString(), messageId: '0106019ad3a1f5d1-7e2c9b4a-1f3d-4c6e-8a5b-9d0e2f4a6c8b-000000' };
  const subscription = (change?: { unsubscribeAll: boolean; topics: Array<[string, string]> }) => {
    const fixture = loadSesFixture('subscription');
    if (change) {
      (fixture.detail.subscription as { newTopicPreferences: unknown }).newTopicPreferences = {
        unsubscribeAll: change.unsubscribeAll,
        topicSubscriptionStatus: change.topics.map(([topicName, subscriptionStatus]) => ({ topicName, subscriptionStatus })),
      };
    }
    return fixture;
  };

  it('unsubscribe-all suppresses the address, opts out of our topics, and records an unsubscribe of the contact for the campaign', async () => {
    const { deps, events, suppressions, optOuts } = memoryPorts([kenSend], [ken]);
    const outcome = await ingestSesEvent(subscription(), deps);
    expect(outcome).toMatchObject({ outcome: 'unsubscribed', scope: 'all', topics: ['product-news'], suppressed: 1, contactIds: [ken.contactId], recorded: 1 });
    expect(suppressions.get(ken.email)).toMatchObject({ reason: 'unsubscribe', suppressedAt: '2026-12-03T00:15:22.731Z' });
    expect([...(optOuts.get(ken.contactId) ?? [])]).toEqual(['product-news']);
    const [event] = [...events.values()];
    expect(event).toMatchObject({ type: 'unsubscribe', contactId: ken.contactId, accountId: 'acc-9', campaignId: 'monthly-newsletter', runId: '20261202T010000Z', detail: { scope: 'all', topics: 'product-news', subscriptionSource: 'UnsubscribeHeader' } });
    expect(JSON.stringify(event)).not.toContain('@');
  });

  it('carries the send\'s tier and locale, so the unsubscribe counts in the KPI breakdowns', async () => {
    const { deps, events } = memoryPorts([{ ...kenSend, tier: 'tier3', locale: 'en' }], [ken]);
    await ingestSesEvent(subscription(), deps);
    const [event] = [...events.values()];
    expect(event?.detail).toMatchObject({ tier: 'tier3', locale: 'en' });
    expect(kpiMoveOf(event!)).toMatchObject({ segment: { tier: 'tier3', locale: 'en' }, run: { messageId: 'monthly-newsletter' }, firsts: [{ kind: 'unsubscribed' }] });
  });

  it('a topic opt-out alone opts the contact out of that topic, suppresses nothing', async () => {
    const { deps, events, suppressions, optOuts } = memoryPorts([kenSend], [ken]);
    const outcome = await ingestSesEvent(subscription({ unsubscribeAll: false, topics: [['tips', 'OptOut'], ['product-news', 'OptIn']] }), deps);
    expect(outcome).toMatchObject({ outcome: 'unsubscribed', scope: 'topics', topics: ['tips'], suppressed: 0 });
    expect(suppressions.size).toBe(0);
    expect([...(optOuts.get(ken.contactId) ?? [])]).toEqual(['tips']);
    expect([...events.values()][0]).toMatchObject({ type: 'unsubscribe', detail: { scope: 'topics', topics: 'tips' } });
  });

  it.each([
    ['an opt-in', [['tips', 'OptIn']]],
    ['an opt-out of a topic that is not ours', [['Newsletter', 'OptOut']]],
  ] as const)('%s is ignored: nothing written', async (_what, topics) => {
    const { deps, calls } = memoryPorts([kenSend], [ken]);
    expect(await ingestSesEvent(subscription({ unsubscribeAll: false, topics: topics.map(([a, b]) => [a, b]) }), deps)).toMatchObject({ outcome: 'ignored', type: 'Subscription' });
    expect(calls).toMatchObject({ suppress: 0, addTopicOptOuts: 0, recordEvent: 0, recordUnplacedSesEvent: 0 });
  });

  it('an address no contact owns: suppressed, kept unplaced', async () => {
    const { deps, suppressions, unplaced, calls } = memoryPorts([], []);
    expect(await ingestSesEvent(subscription(), deps)).toMatchObject({ outcome: 'unsubscribed', suppressed: 1, contactIds: [], unknownRecipients: 1, recorded: 1 });
    expect(suppressions.get(ken.email)?.reason).toBe('unsubscribe');
    expect(unplaced.size).toBe(1);
    expect(calls.addTopicOptOuts).toBe(0);
  });

  it('the address now belongs to another contact than the send\'s: filed under the owner, with no campaign', async () => {
    const owner = contactOf('con-new', ken.email, 'acc-3');
    const { deps, events } = memoryPorts([kenSend], [owner]);
    await ingestSesEvent(subscription(), deps);
    const [event] = [...events.values()];
    expect(event).toMatchObject({ contactId: 'con-new', detail: { send: 'unknown' } });
    expect(event).not.toHaveProperty('campaignId');
  });

  it('a redelivery changes nothing', async () => {
    const { deps, events } = memoryPorts([kenSend], [ken]);
    await ingestSesEvent(subscription(), deps);
    expect(await ingestSesEvent(subscription(), deps)).toMatchObject({ outcome: 'unsubscribed', suppressed: 0, recorded: 0 });
    expect(events.size).toBe(1);
  });
});
