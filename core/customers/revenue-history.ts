/**
 * An account's revenue facts over time (MRR, currency, plan, products, tier), kept as a history as
 * imports and the ingest API change them, not only the latest value: what NRR, expansion and churn
 * are computed from (core/reporting/revenue-report.ts). One entry per change, written with the
 * account in one transaction (adapters/aws/dynamo/customer-store.ts): a re-import of the same
 * figures writes nothing, and a failed write leaves neither.
 */
import { createHash } from 'node:crypto';
import type { Account } from './account.ts';

export interface RevenueEntry {
  accountId: string;
  /** When the CRM reported these figures (the import's or the ingest call's time). */
  at: string;
  tier: Account['tier'];
  mrr: number;
  currency: string;
  plan: string;
  products: string[];
}

export function revenueEntryOf(account: Account, at: Date): RevenueEntry {
  return { accountId: account.accountId, at: at.toISOString(), tier: account.tier, mrr: account.mrr, currency: account.currency, plan: account.plan, products: [...account.products].sort() };
}

/** Equal for two accounts exactly when their revenue facts are the same (product order aside). */
export function revenueHashOf(account: Account): string {
  const { tier, mrr, currency, plan, products } = revenueEntryOf(account, new Date(0));
  return createHash('sha256').update(JSON.stringify([tier, mrr, currency, plan, products])).digest('base64url').slice(0, 22);
}
