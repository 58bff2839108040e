/**
 * CSQL attribution: which campaigns, sequences and webinars touched the promoted accounts in the
 * days before their promotion (a person's open, click, webinar registration or attendance; machine
 * traffic and reclassified clicks left out), and what sales made of those CSQLs (accepted, won, the
 * expansion MRR won). One promotion counts once for every email or webinar that touched it: the
 * columns do not add up to the CSQL total.
 */
import type { CrmOutcome } from '../qualification/crm-outcome.ts';
import type { CsqlPromotion } from '../qualification/csql-promotion.ts';
import type { EngagementEvent } from '../tracking/engagement-event.ts';
import { withReclassifiedClicks } from '../tracking/recipient-clicks.ts';
import type { ReportPeriod } from './kpi-report.ts';

export const ATTRIBUTION_WINDOW_MS = 30 * 86_400_000;
const TOUCHES = new Set<EngagementEvent['type']>(['open', 'click', 'webinar-registered', 'webinar-attended']);

export interface AttributionRow {
  /** The campaign, sequence or webinar id. */
  messageId: string;
  csqls: number;
  accepted: number;
  won: number;
  /** Expansion MRR won by those accounts after their promotion, per currency. */
  wonMrr: Record<string, number>;
}

/** The emails and webinars that touched an account in the window before `at`. */
export function touchesBefore(events: readonly EngagementEvent[], at: string, windowMs = ATTRIBUTION_WINDOW_MS): Set<string> {
  const end = Date.parse(at);
  const touched = new Set<string>();
  for (const event of withReclassifiedClicks(events)) {
    const when = Date.parse(event.occurredAt);
    if (!event.campaignId || event.machine || !TOUCHES.has(event.type) || when > end || when < end - windowMs) continue;
    touched.add(event.campaignId);
  }
  return touched;
}

export function csqlAttribution(
  promotions: readonly CsqlPromotion[],
  eventsOf: ReadonlyMap<string, readonly EngagementEvent[]>,
  outcomesOf: ReadonlyMap<string, readonly CrmOutcome[]>,
  period: Required<ReportPeriod>,
): AttributionRow[] {
  const rows = new Map<string, AttributionRow>();
  for (const promotion of promotions) {
    const promotedAt = Date.parse(promotion.promotedAt);
    if (promotedAt < period.from.getTime() || promotedAt >= period.to.getTime()) continue;
    const after = (outcomesOf.get(promotion.accountId) ?? []).filter((outcome) => Date.parse(outcome.at) >= promotedAt);
    const won = after.filter((outcome) => outcome.type === 'opportunity-won');
    for (const messageId of touchesBefore(eventsOf.get(promotion.accountId) ?? [], promotion.promotedAt)) {
      const row = rows.get(messageId) ?? { messageId, csqls: 0, accepted: 0, won: 0, wonMrr: {} };
      row.csqls += 1;
      if (after.some((outcome) => outcome.type === 'csql-accepted')) row.accepted += 1;
      if (won.length > 0) row.won += 1;
      for (const outcome of won) if (outcome.expansionMrr !== undefined && outcome.currency) row.wonMrr[outcome.currency] = (row.wonMrr[outcome.currency] ?? 0) + outcome.expansionMrr;
      rows.set(messageId, row);
    }
  }
  return [...rows.values()].sort((a, b) => b.csqls - a.csqls || a.messageId.localeCompare(b.messageId));
}
