/** KPI rows as the aligned table `npm run report` and the demo print. */
import type { KpiRow } from '../core/reporting/kpi-report.ts';
import { formatTable } from './text-table.ts';

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

export function kpiTableLines(rows: readonly KpiRow[], keyTitle: string): string[] {
  const header = [keyTitle, 'sent', 'delivered', 'bounced (hard)', 'complained', 'unsub', 'openers', 'opens', 'machine opens', 'clickers', 'clicks', 'machine clicks', 'open', 'click', 'CTO', 'bounce', 'complaint'];
  const body = rows.map((row) => {
    const { counts, rates } = row;
    return [
      row.key,
      String(counts.sent),
      String(counts.delivered),
      `${counts.bounced} (${counts.hardBounced})`,
      String(counts.complained),
      String(counts.unsubscribed),
      String(counts.openers),
      String(counts.opens),
      String(counts.machineOpens),
      String(counts.clickers),
      String(counts.clicks),
      String(counts.machineClicks),
      percent(rates.openRate),
      percent(rates.clickRate),
      percent(rates.clickToOpenRate),
      percent(rates.bounceRate),
      percent(rates.complaintRate),
    ];
  });
  return [
    ...formatTable(header, body),
    'rates: open and click = people (unique contacts) / delivered; CTO = clickers / openers; bounce = bounced / sent; machine traffic kept out of every rate',
  ];
}
