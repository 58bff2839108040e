/**
 * The reputation guard's decision: limits over a minimum volume, complaints before bounces, the
 * reason operators read; and what an event moves in the KPI counters.
 */
import { describe, expect, it } from 'vitest';
import { counterAttributes, countersFromAttributes, kpiMoveOf, ratesOf, emptyCounts } from '../../../core/reporting/kpi-counters.ts';
import { breachReason, reputationBreach } from '../../../core/sending/reputation-guard.ts';
import type { EngagementEvent } from '../../../core/tracking/engagement-event.ts';

const limits = { maxBounceRate: 0.05, maxComplaintRate: 0.001, minimumSample: 200 };

describe('reputationBreach', () => {
  it('says nothing below the minimum sample, however bad the rate', () => {
    expect(reputationBreach({ sent: 199, bounced: 100, complained: 50 }, limits)).toBeUndefined();
  });

  it('pauses above a limit, not at it, complaints first', () => {
    expect(reputationBreach({ sent: 1000, bounced: 50, complained: 1 }, limits)).toBeUndefined();
    expect(reputationBreach({ sent: 1000, bounced: 51, complained: 1 }, limits)).toMatchObject({ rate: 'bounce', value: 0.051 });
    expect(reputationBreach({ sent: 1000, bounced: 51, complained: 2 }, limits)).toMatchObject({ rate: 'complaint', value: 0.002, limit: 0.001 });
  });

  it('names the scope, the rate, the volume and the limit', () => {
    const breach = reputationBreach({ sent: 400, bounced: 30, complained: 0 }, limits)!;
    expect(breachReason('monthly-newsletter', breach)).toBe('auto-pause: "monthly-newsletter" bounce rate 7.50 % over 400 sent (30 bounced) is above the 5.00 % limit; resume explicitly once the cause is fixed');
    expect(breachReason('all', breach)).toMatch(/^auto-pause: all sending bounce rate/);
  });
});

describe('kpiMoveOf', () => {
  const event = (type: EngagementEvent['type'], extra: Partial<EngagementEvent> = {}): EngagementEvent => ({
    eventId: 'e', type, contactId: 'c', accountId: 'a', occurredAt: '2026-12-02T00:00:00.000Z', campaignId: 'news', runId: 'r', machine: false, detail: { tier: 'tier2', locale: 'ja' }, ...extra,
  });

  it('moves totals with the event and unique counts behind a marker per kind', () => {
    expect(kpiMoveOf(event('open'))).toMatchObject({ add: { opens: 1 }, firsts: [{ kind: 'opened', add: { openers: 1 } }] });
    expect(kpiMoveOf(event('open', { machine: true }))).toMatchObject({ add: { machineOpens: 1 }, firsts: [] });
    expect(kpiMoveOf(event('bounce', { detail: { bounceType: 'Permanent' } }))?.firsts.map((first) => first.kind)).toEqual(['bounced', 'hardBounced']);
    expect(kpiMoveOf(event('click-reclassified'))).toMatchObject({ add: { clicks: -1, machineClicks: 1 } });
  });

  it('moves nothing for events of no email run, and leaves SES Send events to the sender', () => {
    expect(kpiMoveOf(event('webinar-attended', { campaignId: undefined, runId: undefined }))).toBeUndefined();
    expect(kpiMoveOf(event('send'))).toBeUndefined();
  });

  it('stores each count per tier and locale, and reads them back', () => {
    const attributes = counterAttributes({ opens: 1, openers: 1 }, { tier: 'tier-2', locale: 'ja' });
    expect(attributes).toEqual({ opens: 1, openers: 1, 'tier_tier-2_opens': 1, 'tier_tier-2_openers': 1, locale_ja_opens: 1, locale_ja_openers: 1 });
    const read = countersFromAttributes({ messageId: 'news', runId: 'r' }, '2026-12-02T00:00:00.000Z', { PK: 'x', ...attributes, sent: 4 });
    expect(read.totals).toMatchObject({ opens: 1, openers: 1, sent: 4 });
    expect(read.byTier['tier-2']).toMatchObject({ opens: 1, openers: 1 });
    expect(read.byLocale.ja).toMatchObject({ opens: 1 });
  });

  it('rates people over delivered (sent when nothing was delivered yet)', () => {
    const counts = { ...emptyCounts(), sent: 10, delivered: 8, openers: 4, clickers: 2, bounced: 2 };
    expect(ratesOf(counts)).toMatchObject({ openRate: 0.5, clickRate: 0.25, clickToOpenRate: 0.5, bounceRate: 0.2 });
    expect(ratesOf({ ...emptyCounts(), sent: 10, openers: 5 }).openRate).toBe(0.5);
  });
});
