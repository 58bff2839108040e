/**
 * Revenue outcomes over a period, from the accounts' revenue histories
 * (core/customers/revenue-history.ts), by tier and currency (MRR of different currencies is never
 * added up): MRR at the start and the end, new, expansion, contraction and churned MRR, net revenue
 * retention (NRR), upsell (plan changed with more MRR) and cross-sell (a product added) counts; and
 * the CSQL funnel: promotions, sales' answers and the expansion MRR won (CRM outcomes).
 */
import type { CrmOutcome } from '../qualification/crm-outcome.ts';
import type { CsqlPromotion } from '../qualification/csql-promotion.ts';
import { revenueEntryOf, type RevenueEntry } from '../customers/revenue-history.ts';
import type { Account } from '../customers/account.ts';
import type { CustomerStore } from '../ports.ts';
import { mapBounded } from '../bounded-parallel.ts';
import type { ReportPeriod } from './kpi-report.ts';

export interface RevenueRow {
  /** `<segment> <currency>` (the segment is the tier unless the report says otherwise), or `total <currency>`. */
  key: string;
  accounts: number;
  startMrr: number;
  newMrr: number;
  expansionMrr: number;
  contractionMrr: number;
  churnedMrr: number;
  endMrr: number;
  /** (start + expansion - contraction - churned) / start; undefined without MRR at the start. */
  nrr: number | undefined;
  upsells: number;
  crossSells: number;
  churnedAccounts: number;
}

/** The state an account's history says it was in just before `instant` (undefined: not a customer yet). */
export function stateAt(history: readonly RevenueEntry[], instant: number): RevenueEntry | undefined {
  let state: RevenueEntry | undefined;
  for (const entry of history) if (Date.parse(entry.at) < instant) state = entry;
  return state;
}

/**
 * The revenue histories a period's report needs, without reading every account's history: the
 * month feed of changes since the period began (one query per month), then the whole history of
 * only the accounts that changed since then. An account unchanged since before the period had its
 * current facts (`accounts`, as stored) all through it; the account item and its newest history
 * entry are written in one transaction, so they agree.
 */
export async function revenueHistoriesFor(
  accounts: readonly Account[],
  period: Required<ReportPeriod>,
  now: Date,
  customers: Pick<CustomerStore, 'revenueChangesBetween' | 'revenueHistoryOf'>,
): Promise<Map<string, RevenueEntry[]>> {
  const until = new Date(Math.max(now.getTime(), period.to.getTime()));
  const changed = new Set((await customers.revenueChangesBetween(period.from, until)).map((entry) => entry.accountId));
  const histories = new Map<string, RevenueEntry[]>();
  const changedIds = accounts.map((account) => account.accountId).filter((accountId) => changed.has(accountId));
  for (const [accountId, history] of await mapBounded(changedIds, 8, async (accountId) => [accountId, await customers.revenueHistoryOf(accountId)] as const)) histories.set(accountId, history);
  for (const account of accounts) if (!changed.has(account.accountId)) histories.set(account.accountId, [revenueEntryOf(account, new Date(0))]);
  return histories;
}

/**
 * The segment an account's row is filed under: its tier by default; a report by plan or by an
 * account attribute (the CRM's region, industry, ...) passes its own. Accounts without a value
 * go under `(none)`.
 */
export type RevenueSegmentOf = (accountId: string, latest: RevenueEntry) => string;

export const BY_TIER: RevenueSegmentOf = (_accountId, latest) => latest.tier;

export function revenueRows(histories: ReadonlyMap<string, readonly RevenueEntry[]>, period: Required<ReportPeriod>, segmentOf: RevenueSegmentOf = BY_TIER): RevenueRow[] {
  const rows = new Map<string, RevenueRow>();
  const rowOf = (key: string) => {
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { key, accounts: 0, startMrr: 0, newMrr: 0, expansionMrr: 0, contractionMrr: 0, churnedMrr: 0, endMrr: 0, nrr: undefined, upsells: 0, crossSells: 0, churnedAccounts: 0 }));
    return row;
  };
  for (const [accountId, history] of histories) {
    const sorted = [...history].sort((a, b) => a.at.localeCompare(b.at));
    const start = stateAt(sorted, period.from.getTime());
    const end = stateAt(sorted, period.to.getTime());
    const last = end ?? start;
    if (!last) continue;
    for (const row of [rowOf(`${segmentOf(accountId, last) || '(none)'} ${last.currency}`), rowOf(`total ${last.currency}`)]) {
      const startMrr = start && start.currency === last.currency ? start.mrr : 0;
      const endMrr = end?.mrr ?? 0;
      row.accounts += 1;
      row.startMrr += startMrr;
      row.endMrr += endMrr;
      if (startMrr === 0) row.newMrr += endMrr;
      else if (endMrr === 0) {
        row.churnedMrr += startMrr;
        row.churnedAccounts += 1;
      } else if (endMrr > startMrr) row.expansionMrr += endMrr - startMrr;
      else row.contractionMrr += startMrr - endMrr;
      if (start && end && startMrr > 0 && endMrr > startMrr && start.plan !== end.plan) row.upsells += 1;
      if (start && end && startMrr > 0 && end.products.some((product) => !start.products.includes(product))) row.crossSells += 1;
    }
  }
  for (const row of rows.values()) row.nrr = row.startMrr === 0 ? undefined : (row.startMrr + row.expansionMrr - row.contractionMrr - row.churnedMrr) / row.startMrr;
  return [...rows.values()].sort((a, b) => Number(a.key.startsWith('total')) - Number(b.key.startsWith('total')) || a.key.localeCompare(b.key));
}

export interface CsqlFunnel {
  promoted: number;
  accepted: number;
  rejected: number;
  won: number;
  lost: number;
  /** Accepted / (accepted + rejected): sales' answers so far. */
  acceptanceRate: number | undefined;
  /** Won / accepted. */
  winRate: number | undefined;
  /** Expansion MRR of the won opportunities, per currency. */
  wonMrr: Record<string, number>;
}

/** Promotions made in the period, and what the CRM said of those accounts after their promotion. */
export function csqlFunnel(promotions: readonly CsqlPromotion[], outcomesOf: ReadonlyMap<string, readonly CrmOutcome[]>, period: Required<ReportPeriod>): CsqlFunnel {
  const inPeriod = promotions.filter((promotion) => Date.parse(promotion.promotedAt) >= period.from.getTime() && Date.parse(promotion.promotedAt) < period.to.getTime());
  const funnel: CsqlFunnel = { promoted: inPeriod.length, accepted: 0, rejected: 0, won: 0, lost: 0, acceptanceRate: undefined, winRate: undefined, wonMrr: {} };
  for (const promotion of inPeriod) {
    const after = (outcomesOf.get(promotion.accountId) ?? []).filter((outcome) => Date.parse(outcome.at) >= Date.parse(promotion.promotedAt));
    if (after.some((outcome) => outcome.type === 'csql-accepted')) funnel.accepted += 1;
    else if (after.some((outcome) => outcome.type === 'csql-rejected')) funnel.rejected += 1;
    const won = after.filter((outcome) => outcome.type === 'opportunity-won');
    if (won.length > 0) funnel.won += 1;
    else if (after.some((outcome) => outcome.type === 'opportunity-lost')) funnel.lost += 1;
    for (const outcome of won) if (outcome.expansionMrr !== undefined && outcome.currency) funnel.wonMrr[outcome.currency] = (funnel.wonMrr[outcome.currency] ?? 0) + outcome.expansionMrr;
  }
  const answered = funnel.accepted + funnel.rejected;
  funnel.acceptanceRate = answered === 0 ? undefined : funnel.accepted / answered;
  funnel.winRate = funnel.accepted === 0 ? undefined : funnel.won / funnel.accepted;
  return funnel;
}
