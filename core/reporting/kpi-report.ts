/**
 * KPI reports from the counters (core/reporting/kpi-counters.ts): per campaign and run, per
 * sequence step, per tier, per locale. Reads one query per campaign (its runs), never sends or
 * events, so a report costs the same for a thousand sends as for a hundred thousand.
 */
import type { KpiStore } from '../ports.ts';
import { KPI_COUNTS, ratesOf, sumCounts, type KpiCounts, type KpiRates, type RunCounters } from './kpi-counters.ts';

export interface ReportPeriod {
  /** Runs whose first event is at or after this instant. */
  from?: Date;
  /** Runs whose first event is before this instant. */
  to?: Date;
}

export interface KpiRow {
  /** What the row is: a run id, a step id, a tier, a locale, or `total`. */
  key: string;
  /** The campaign, sequence or webinar the row belongs to (reports across them leave it empty). */
  messageId?: string;
  firstAt?: string;
  counts: KpiCounts;
  rates: KpiRates;
}

export type KpiBreakdown = 'run' | 'step' | 'tier' | 'locale';

export function inPeriod(run: Pick<RunCounters, 'firstAt'>, period: ReportPeriod): boolean {
  const at = Date.parse(run.firstAt);
  return (!period.from || at >= period.from.getTime()) && (!period.to || at < period.to.getTime());
}

/** Every run's counters of these campaigns, sequences or webinars within the period. */
export async function runsOf(messageIds: readonly string[], period: ReportPeriod, kpis: Pick<KpiStore, 'runCountersOf'>): Promise<RunCounters[]> {
  return (await Promise.all(messageIds.map((id) => kpis.runCountersOf(id)))).flat().filter((run) => inPeriod(run, period));
}

/** Rows by the breakdown, oldest run first (runs) or by name, with a `total` row last. */
export function kpiRows(runs: readonly RunCounters[], by: KpiBreakdown): KpiRow[] {
  const groups = new Map<string, { messageId?: string; firstAt?: string; counts: KpiCounts[] }>();
  const add = (key: string, counts: KpiCounts, extra: { messageId?: string; firstAt?: string } = {}) => {
    const group = groups.get(key) ?? { ...extra, counts: [] };
    group.counts.push(counts);
    if (extra.firstAt && (!group.firstAt || extra.firstAt < group.firstAt)) group.firstAt = extra.firstAt;
    groups.set(key, group);
  };
  for (const run of runs) {
    if (by === 'run') add(`${run.run.messageId} ${run.run.runId}`, run.totals, { messageId: run.run.messageId, firstAt: run.firstAt });
    else if (by === 'step') add(run.run.stepId ?? run.run.messageId, run.totals, { messageId: run.run.messageId, firstAt: run.firstAt });
    else for (const [key, counts] of Object.entries(by === 'tier' ? run.byTier : run.byLocale)) add(key, counts);
  }
  const rows = [...groups.entries()].map(([key, group]): KpiRow => {
    const counts = sumCounts(group.counts);
    return { key: by === 'run' ? key.slice(key.indexOf(' ') + 1) : key, ...(group.messageId ? { messageId: group.messageId } : {}), ...(group.firstAt ? { firstAt: group.firstAt } : {}), counts, rates: ratesOf(counts) };
  });
  rows.sort((a, b) => (by === 'run' || by === 'step' ? (a.firstAt ?? '').localeCompare(b.firstAt ?? '') : 0) || a.key.localeCompare(b.key));
  const total = sumCounts(runs.map((run) => run.totals));
  return [...rows, { key: 'total', counts: total, rates: ratesOf(total) }];
}

/** The columns of a KPI table, in order: what CSV and JSON carry too. */
export const KPI_COLUMNS = [...KPI_COUNTS, 'openRate', 'clickRate', 'clickToOpenRate', 'unsubscribeRate', 'bounceRate', 'complaintRate'] as const;

/** One flat record per row (rates as fractions), for CSV and JSON. */
export function flatRows(rows: readonly KpiRow[]): Array<Record<string, string | number>> {
  return rows.map((row) => ({
    key: row.key,
    ...(row.messageId ? { messageId: row.messageId } : {}),
    ...(row.firstAt ? { firstAt: row.firstAt } : {}),
    ...row.counts,
    ...Object.fromEntries(Object.entries(row.rates).map(([name, value]) => [name, Math.round(value * 10_000) / 10_000])),
  }));
}
