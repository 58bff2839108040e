/**
 * Which stream records count (adapters/aws/dynamo/kpi-stream-consumer.ts), in the shape Lambda's
 * DynamoDB event gives them: an event inserted, a send reaching `sent` once; nothing for a send
 * marked again, an event rewritten or deleted (erasure, TTL), or the consumer's own items. The
 * KpiCounters handler counts a batch and says when the reputation guard paused.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { kpiChangeOf, kpiStreamConsumer, type KpiStreamRecord } from '../../../adapters/aws/dynamo/kpi-stream-consumer.ts';
import { createKpiStreamHandler } from '../../../lambdas/kpi-stream/handler.ts';
import { MemoryKpiBatchStore } from '../../support/memory-kpi-batches.ts';

const at = '2026-12-03T01:00:00.000Z';
const send = { PK: 'RUN#news#r1', SK: 'SEND#c1', entity: 'send', campaignId: 'news', runId: 'r1', contactId: 'c1', accountId: 'a1', tier: 'tier2', locale: 'ja', claimedAt: at };
const event = { PK: 'EVENTS#c1', SK: `EVENT#${at}#e1`, entity: 'engagement-event', eventId: 'e1', type: 'open', contactId: 'c1', accountId: 'a1', occurredAt: at, campaignId: 'news', runId: 'r1', machine: false, detail: { tier: 'tier2', locale: 'ja' }, expiresAt: 1, countedFromStream: true };

function record(eventName: string, newImage?: Record<string, unknown>, oldImage?: Record<string, unknown>, eventID = 'id-1'): KpiStreamRecord {
  return { eventID, eventName, dynamodb: { ...(newImage ? { NewImage: marshall(newImage) } : {}), ...(oldImage ? { OldImage: marshall(oldImage) } : {}) } };
}

describe('kpiChangeOf', () => {
  it('counts an inserted event by its move, and a send when it reaches sent', () => {
    expect(kpiChangeOf(record('INSERT', event))).toMatchObject({ sourceId: 'e1', at, move: { add: { opens: 1 }, firsts: [{ kind: 'opened' }], segment: { tier: 'tier2', locale: 'ja' } } });
    const sent = { ...send, state: 'sent', sentAt: at, messageId: 'ses-1', countedFromStream: true };
    expect(kpiChangeOf(record('MODIFY', sent, { ...send, state: 'claimed' }))).toMatchObject({ at, move: { add: { sent: 1 }, run: { messageId: 'news', runId: 'r1' }, segment: { tier: 'tier2', locale: 'ja' } } });
    // A stranded claim resolved as sent, or a send written already sent: counted the same.
    expect(kpiChangeOf(record('INSERT', sent))).toMatchObject({ move: { add: { sent: 1 } } });
  });

  it('counts nothing for a send marked again, a claim, a rewritten or deleted event, or the consumer\'s own items', () => {
    const sent = { ...send, state: 'sent', sentAt: at, messageId: 'ses-1', countedFromStream: true };
    expect(kpiChangeOf(record('MODIFY', { ...sent, strandedAt: at }, sent))).toBeUndefined();
    expect(kpiChangeOf(record('INSERT', { ...send, state: 'claimed' }))).toBeUndefined();
    expect(kpiChangeOf(record('MODIFY', { ...event, detail: {} }, event))).toBeUndefined();
    expect(kpiChangeOf(record('REMOVE', undefined, event))).toBeUndefined();
    expect(kpiChangeOf(record('INSERT', { PK: 'KPI_FIRST#news#r1#c1', SK: 'opened', entity: 'kpi-first', sourceId: 'e1' }))).toBeUndefined();
    // A delivery's send event of SES (counted by markSent instead) moves nothing.
    expect(kpiChangeOf(record('INSERT', { ...event, eventId: 'e2', type: 'send' }))).toBeUndefined();
    // Written before the stream counted (an upgraded table): its own transaction counted it.
    const { countedFromStream: _event, ...olderEvent } = event;
    expect(kpiChangeOf(record('INSERT', olderEvent))).toBeUndefined();
    const { countedFromStream: _send, ...olderSend } = sent;
    expect(kpiChangeOf(record('MODIFY', olderSend, { ...send, state: 'claimed' }))).toBeUndefined();
  });

  it('reads an empty map as the Streams API client gives it ({} for { M: {} })', () => {
    const image = marshall({ ...event, type: 'delivery' });
    (image as Record<string, unknown>).detail = {};
    expect(kpiChangeOf({ eventID: 'x', eventName: 'INSERT', dynamodb: { NewImage: image } })).toMatchObject({ move: { add: { delivered: 1 }, segment: {} } });
  });
});

describe('the KpiCounters handler', () => {
  it('counts a batch once however often Lambda hands it, and leaves an unreadable record out without blocking the shard', async () => {
    const batches = new MemoryKpiBatchStore();
    const unreadable: unknown[] = [];
    const handler = createKpiStreamHandler({ consumer: async () => kpiStreamConsumer({ batches, onUnreadable: (found) => void unreadable.push(found) }), logger: { info: () => {}, error: () => {} } });
    const sent = { ...send, state: 'sent', sentAt: at, messageId: 'ses-1', countedFromStream: true };
    const broken = { ...event, eventId: 'e9', occurredAt: 'not a time' };
    const Records = [record('MODIFY', sent, { ...send, state: 'claimed' }, 'first'), record('INSERT', event, undefined, 'second'), record('INSERT', broken, undefined, 'third')];
    await handler({ Records });
    await handler({ Records });
    expect(batches.countsOf({ messageId: 'news', runId: 'r1' })).toEqual({
      sent: 1, tier_tier2_sent: 1, locale_ja_sent: 1, opens: 1, tier_tier2_opens: 1, locale_ja_opens: 1, openers: 1, tier_tier2_openers: 1, locale_ja_openers: 1,
    });
    expect(unreadable).toEqual([{ eventID: 'third', entity: 'engagement-event', reason: 'occurredAt: invalid_format' }, expect.objectContaining({ eventID: 'third' })]);
  });
});
