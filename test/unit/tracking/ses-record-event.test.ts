/**
 * The SES event use case with in-memory ports: which join it uses (and so which reads it costs),
 * once-only recording, suppression only for permanent bounces and complaints, nothing written for
 * an email it cannot place, and a redelivery that repairs a half-done first attempt.
 */
import { describe, expect, it } from 'vitest';
import type { Send } from '../../../core/sending/send.ts';
import type { EngagementEvent } from '../../../core/tracking/engagement-event.ts';
import type { Suppression } from '../../../core/tracking/suppression.ts';
import { ingestSesEvent, ingestSesEvents, type SesEventDeps } from '../../../core/tracking/ses-events/record-ses-event.ts';
import { buildSesEventBridgeEvent, senderTagsOf, type SimulatedSesEvent } from '../../../core/tracking/ses-events/ses-event-builder.ts';

const sentAt = new Date('2026-12-02T01:00:02Z');
const send: Send = { campaignId: 'monthly-newsletter', runId: '20261202T010000Z', contactId: 'con-1', accountId: 'acc-1', state: 'sent', claimedAt: sentAt.toISOString(), sentAt: sentAt.toISOString(), messageId: 'msg-1' };

/** Ports that keep everything in maps and count each call, like the DynamoDB adapters' contracts. */
function memoryPorts(sends: Send[] = [send]) {
  const calls = { getSend: 0, findSendByMessageId: 0, suppress: 0, recordEvent: 0 };
  const events = new Map<string, EngagementEvent>();
  const suppressions = new Map<string, Suppression>();
  let failNextRecord = false;
  const deps: SesEventDeps = {
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
        if (events.has(event.eventId)) return false;
        events.set(event.eventId, event);
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
  return { deps, calls, events, suppressions, failRecordOnce: () => (failNextRecord = true) };
}

function sesEvent(kind: SimulatedSesEvent, tags: Record<string, string> = senderTagsOf(send), at = new Date('2026-12-02T01:00:05Z')) {
  return buildSesEventBridgeEvent(kind, { messageId: 'msg-1', email: 'Taro@Example.jp', tags, sentAt }, at);
}

describe('joining an SES event to its send', () => {
  it('by tags alone when they name the account: no read at all', async () => {
    const { deps, calls, events } = memoryPorts([]);
    const outcome = await ingestSesEvent(sesEvent('delivery', senderTagsOf(send, { kind: 'campaign', withAccount: true })), deps);
    expect(outcome).toMatchObject({ outcome: 'recorded', joinedBy: 'tags', contactId: 'con-1', campaignId: 'monthly-newsletter', runId: '20261202T010000Z' });
    expect(calls).toMatchObject({ getSend: 0, findSendByMessageId: 0 });
    expect([...events.values()][0]).toMatchObject({ type: 'delivery', accountId: 'acc-1', campaignId: 'monthly-newsletter', detail: { kind: 'campaign', sesMessageId: 'msg-1' } });
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

  it('an email we cannot place is dropped without a write, even a hard bounce', async () => {
    const { deps, calls } = memoryPorts([]);
    expect(await ingestSesEvent(sesEvent('bounce', {}), deps)).toEqual({ outcome: 'unknown-message', sesMessageId: 'msg-1', type: 'bounce' });
    expect(await ingestSesEvent(sesEvent('complaint'), deps)).toMatchObject({ outcome: 'unknown-message' });
    expect(calls).toMatchObject({ suppress: 0, recordEvent: 0 });
  });

  it('a malformed event is rejected before any read or write', async () => {
    const { deps, calls } = memoryPorts();
    const broken = sesEvent('bounce') as unknown as { detail: { bounce: Record<string, unknown> } };
    delete broken.detail.bounce.bouncedRecipients;
    expect(await ingestSesEvent(broken, deps)).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/bouncedRecipients/) });
    expect(calls).toEqual({ getSend: 0, findSendByMessageId: 0, suppress: 0, recordEvent: 0 });
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
      if (reason) expect(suppressions.get('taro@example.jp')?.source).toBe([...events.keys()][0]);
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
