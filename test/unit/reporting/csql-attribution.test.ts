/**
 * CSQL attribution and funnel: the emails and webinars that touched a promoted account in the 30
 * days before (people only), and what sales answered after the promotion.
 */
import { describe, expect, it } from 'vitest';
import { csqlAttribution } from '../../../core/reporting/csql-attribution.ts';
import { csqlFunnel } from '../../../core/reporting/revenue-report.ts';
import type { CrmOutcome } from '../../../core/qualification/crm-outcome.ts';
import type { CsqlPromotion } from '../../../core/qualification/csql-promotion.ts';
import type { EngagementEvent } from '../../../core/tracking/engagement-event.ts';

const promotedAt = '2026-12-10T00:00:00.000Z';
const promotion = (accountId: string): CsqlPromotion => ({ accountId, promotedAt, ruleId: 'r', ruleDescription: 'd', accountScore: 50, health: 80, values: {}, topSignals: [], evidence: [] });
const event = (id: string, type: EngagementEvent['type'], campaignId: string, daysBefore: number, extra: Partial<EngagementEvent> = {}): EngagementEvent => ({
  eventId: id, type, contactId: 'c', accountId: 'a', occurredAt: new Date(Date.parse(promotedAt) - daysBefore * 86_400_000).toISOString(), campaignId, runId: 'r', machine: false, detail: {}, ...extra,
});
const outcome = (accountId: string, type: CrmOutcome['type'], at: string, extra: Partial<CrmOutcome> = {}): CrmOutcome => ({ outcomeId: `${accountId}-${type}`, accountId, type, at, ...extra }) as CrmOutcome;
const period = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };

describe('csqlAttribution', () => {
  it('credits every email or webinar a person engaged with in the 30 days before, not machines or older touches', () => {
    const events = new Map([
      ['a', [event('1', 'click', 'newsletter', 3), event('2', 'webinar-attended', 'dashboards-101', 10), event('3', 'open', 'old-launch', 45), event('4', 'click', 'scanned', 2, { machine: true }), event('5', 'delivery', 'delivered-only', 1)]],
      ['b', [event('6', 'open', 'newsletter', 1)]],
    ]);
    const outcomes = new Map([
      ['a', [outcome('a', 'csql-accepted', '2026-12-11T00:00:00Z'), outcome('a', 'opportunity-won', '2026-12-20T09:00:00+09:00', { expansionMrr: 3000, currency: 'JPY' } as Partial<CrmOutcome>)]],
      ['b', [outcome('b', 'csql-rejected', '2026-12-12T00:00:00Z')]],
    ]);
    const rows = csqlAttribution([promotion('a'), promotion('b')], events, outcomes, period);
    expect(rows).toEqual([
      { messageId: 'newsletter', csqls: 2, accepted: 1, won: 1, wonMrr: { JPY: 3000 } },
      { messageId: 'dashboards-101', csqls: 1, accepted: 1, won: 1, wonMrr: { JPY: 3000 } },
    ]);
    expect(csqlFunnel([promotion('a'), promotion('b')], outcomes, period)).toMatchObject({ promoted: 2, accepted: 1, rejected: 1, won: 1, acceptanceRate: 0.5, winRate: 1, wonMrr: { JPY: 3000 } });
  });

  it('leaves out promotions outside the period and answers given before the promotion', () => {
    const outcomes = new Map([['a', [outcome('a', 'csql-accepted', '2026-12-01T00:00:00Z')]]]);
    expect(csqlFunnel([promotion('a')], outcomes, period)).toMatchObject({ promoted: 1, accepted: 0, acceptanceRate: undefined });
    expect(csqlFunnel([promotion('a')], outcomes, { from: new Date('2027-01-01T00:00:00Z'), to: new Date('2027-02-01T00:00:00Z') }).promoted).toBe(0);
  });
});
