/**
 * The dashboard page with hostile data (account names come from the CRM): every value is escaped
 * in the HTML, and the JSON the charts read cannot end its <script> element early.
 */
import { describe, expect, it } from 'vitest';
import type { DashboardView } from '../../../core/reporting/dashboard.ts';
import { emptyCounts, ratesOf } from '../../../core/reporting/kpi-counters.ts';
import { dashboardPage } from '../../../http/dashboard-page.ts';
import { DASHBOARD_TEXT } from '../../../http/dashboard-text.ts';

const HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';

function viewWith(name: string): DashboardView {
  const counts = { ...emptyCounts(), sent: 10, delivered: 9, openers: 3, clickers: 1 };
  const trend = [{ at: '2026-12-01T00:00:00.000Z', score: 10, health: 80 }];
  return {
    generatedAt: '2026-12-02T00:00:00.000Z',
    period: { from: '2026-09-03T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' },
    pauses: [{ scope: 'all', reason: name, pausedAt: '2026-12-01T00:00:00.000Z', pausedBy: name }],
    deliverability: { windowDays: 7, sent: 10, bounced: 0, complained: 0, bounceRate: 0, complaintRate: 0, pauseLimits: { bounceRate: 0.04, complaintRate: 0.001, minimumSample: 200 }, sesReviewLevels: { bounceRate: 0.05, complaintRate: 0.001 } },
    emailRows: [{ key: 'news', counts, rates: ratesOf(counts) }, { key: 'total', counts, rates: ratesOf(counts) }],
    emails: [{ messageId: 'news', kind: 'campaign', total: { counts, rates: ratesOf(counts) }, runs: [], steps: [] }],
    webinars: [],
    csql: {
      funnel: { promoted: 1, accepted: 0, rejected: 0, won: 0, lost: 0, acceptanceRate: undefined, winRate: undefined, wonMrr: {} },
      list: [{ accountId: 'acc-1', accountName: name, tier: 'tier2', promotedAt: '2026-12-01T00:00:00.000Z', ruleId: 'r', ruleDescription: name, accountScore: 50, health: 90, topSignals: [{ signal: 'click', contribution: 20 }], status: `demoted: ${name}`, trend }],
      touchedBy: [],
    },
    risingAccounts: [{ accountId: 'acc-2', accountName: name, tier: 'tier3', score: 20, health: 70, trend }],
    revenue: [],
    nps: [],
  };
}

describe('dashboard page', () => {
  it.each(['en', 'ja'] as const)('escapes CRM values in the HTML and in the chart data (%s)', (language) => {
    const html = dashboardPage(viewWith(HOSTILE), { language, text: DASHBOARD_TEXT[language], scriptUrls: ['/dashboard/assets/chart.js'] });
    // The only script elements are the JSON data block and the named files.
    expect(html.match(/<script/gu)?.length).toBe(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</script><script>alert');
    expect(html).toContain('&#60;/script&#62;&#60;script&#62;alert(1)');
    // The JSON still carries the name exactly, for the chart legends.
    const json = /<script type="application\/json" id="dashboard-data">(.*?)<\/script>/su.exec(html)?.[1] ?? '';
    expect((JSON.parse(json) as { view: DashboardView }).view.risingAccounts[0]?.accountName).toBe(HOSTILE);
    expect(html).toContain(`lang="${language}"`);
  });
});
