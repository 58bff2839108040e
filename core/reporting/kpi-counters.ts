/**
 * Campaign KPIs kept as counters, moved by the events (never by scanning sends or events, which
 * expire after 400 days). One counter item per email run (a campaign run, a sequence step's run,
 * a webinar email's run), holding totals and, per tier and per locale of the recipients, the same
 * counts. Unique counts ("contacts who opened") move only with a first-of-kind marker for this
 * contact in this run: a duplicated or out-of-order event cannot count a contact twice, and an
 * event is counted because it was inserted (its conditional put), so a redelivered one moves nothing.
 *
 * Pure: what an event moves. The table's stream applies it (core/reporting/count-kpi-changes.ts)
 * and the reports read it (core/reporting/kpi-report.ts).
 */
import type { EngagementEvent } from '../tracking/engagement-event.ts';

/** Every count kept per run (and per tier and locale within it). */
export const KPI_COUNTS = [
  'sent',
  'delivered',
  'bounced',
  'hardBounced',
  'softBounced',
  'complained',
  'rejected',
  'unsubscribed',
  /** People's opens and clicks, every one (totals). */
  'opens',
  'clicks',
  /** Machines' opens and clicks (privacy proxies, link scanners), every one. */
  'machineOpens',
  'machineClicks',
  /** Contacts with at least one open / click by a person (unique, by marker). */
  'openers',
  'clickers',
] as const;

export type KpiCount = (typeof KPI_COUNTS)[number];
export type KpiCounts = Record<KpiCount, number>;

/** The kinds of first-of-kind markers: one per contact, run and kind. */
export const FIRST_KINDS = ['delivered', 'bounced', 'hardBounced', 'softBounced', 'complained', 'unsubscribed', 'opened', 'clicked'] as const;
export type FirstKind = (typeof FIRST_KINDS)[number];

/** Who received the email, as far as KPIs break it down. */
export interface KpiSegment {
  tier?: string;
  locale?: string;
}

/** The run a move is filed under: the campaign or sequence (or webinar) id and its run. */
export interface KpiRunRef {
  messageId: string;
  runId: string;
  /** The sequence step, for sequence emails: reports group a sequence's runs by it. */
  stepId?: string;
}

export interface KpiMove {
  run: KpiRunRef;
  segment: KpiSegment;
  /** Counts that move with the event itself. */
  add: Partial<KpiCounts>;
  /** Counts that move only when this is the first event of its kind for the contact in the run (each kind its own marker). */
  firsts: Array<{ kind: FirstKind; add: Partial<KpiCounts> }>;
  contactId: string;
  /** A click's per-link count (the run's stored link set, `npm run report -- link`), moved in the same write. */
  link?: LinkClickMove;
}

/** What a click (or its reclassification) adds to its link's people and machine click counts. */
export interface LinkClickMove {
  linkSet: string;
  position: number;
  clicks: number;
  machineClicks: number;
}

/** A sanity bound on a link position from an event (no email carries a thousand links). */
const MAX_LINK_POSITION = 999;

function linkMoveOf(event: EngagementEvent, clicks: number, machineClicks: number): { link?: LinkClickMove } {
  const { link, linkSet } = event.detail;
  if (typeof link !== 'number' || !Number.isInteger(link) || link < 0 || link > MAX_LINK_POSITION || typeof linkSet !== 'string' || !linkSet) return {};
  return { link: { linkSet, position: link, clicks, machineClicks } };
}

/** What an engagement event moves, or undefined when it belongs to no email run (webinar, usage, survey signals). */
export function kpiMoveOf(event: EngagementEvent): KpiMove | undefined {
  if (!event.campaignId || !event.runId) return undefined;
  const run: KpiRunRef = { messageId: event.campaignId, runId: event.runId, ...(typeof event.detail.stepId === 'string' ? { stepId: event.detail.stepId } : {}) };
  const segment = segmentOf(event);
  const first = (kind: FirstKind, add: Partial<KpiCounts>) => ({ kind, add });
  const move = (add: Partial<KpiCounts>, ...firsts: KpiMove['firsts']): KpiMove => ({ run, segment, add, firsts, contactId: event.contactId });
  switch (event.type) {
    case 'send':
      // Counted by the sender when SES took the email (markSent), once per send: SES's own Send event would count it again.
      return undefined;
    case 'delivery':
      // No first-of-kind marker: a run emails a contact once (one send per message, run and contact),
      // SES publishes one Delivery per recipient of that email, and a redelivered event is refused
      // by the event's own conditional put. A marker would be a third item in the transaction (2 WRU
      // per email) that can never refuse anything.
      return move({ delivered: 1 });
    case 'bounce':
      // A contact whose soft bounce came before a hard one (or after) counts once as bounced, and once in each kind.
      return move({}, first('bounced', { bounced: 1 }), event.detail.bounceType === 'Permanent' ? first('hardBounced', { hardBounced: 1 }) : first('softBounced', { softBounced: 1 }));
    case 'complaint':
      return move({}, first('complained', { complained: 1 }));
    case 'reject':
      return move({ rejected: 1 });
    case 'unsubscribe':
      return move({}, first('unsubscribed', { unsubscribed: 1 }));
    case 'open':
      return event.machine ? move({ machineOpens: 1 }) : move({ opens: 1 }, first('opened', { openers: 1 }));
    case 'click':
      return { ...(event.machine ? move({ machineClicks: 1 }) : move({ clicks: 1 }, first('clicked', { clickers: 1 }))), ...linkMoveOf(event, event.machine ? 0 : 1, event.machine ? 1 : 0) };
    case 'click-reclassified':
      // The click moves from people to machines. Its contact stays among the clickers: the marker
      // is not taken back (a later person's click of theirs would not count again).
      return { ...move({ clicks: -1, machineClicks: 1 }), ...linkMoveOf(event, -1, 1) };
    default:
      return undefined;
  }
}

/** The `sent` move of one email SES accepted (the sender records it with the send's state). */
export function sentMove(run: KpiRunRef, segment: KpiSegment, contactId: string): KpiMove {
  return { run, segment, add: { sent: 1 }, firsts: [], contactId };
}

/** The `tier` and `locale` detail of an email's events, from its send (or its signed tags): what KPI counters break down by. */
export function segmentDetailOf(send: { tier?: string | undefined; locale?: string | undefined }): { tier?: string; locale?: string } {
  return { ...(send.tier ? { tier: send.tier } : {}), ...(send.locale ? { locale: send.locale } : {}) };
}

function segmentOf(event: EngagementEvent): KpiSegment {
  const { tier, locale } = event.detail;
  return { ...(typeof tier === 'string' && tier ? { tier } : {}), ...(typeof locale === 'string' && locale ? { locale } : {}) };
}

/**
 * The stored attribute names a move adds to, with the amounts: each count as itself and, when the
 * segment is known, as `tier_<tier>_<count>` and `locale_<locale>_<count>`.
 */
export function counterAttributes(add: Partial<KpiCounts>, segment: KpiSegment): Record<string, number> {
  const attributes: Record<string, number> = {};
  for (const [count, amount] of Object.entries(add) as Array<[KpiCount, number]>) {
    if (!amount) continue;
    attributes[count] = amount;
    if (segment.tier) attributes[`tier_${segment.tier}_${count}`] = amount;
    if (segment.locale) attributes[`locale_${segment.locale}_${count}`] = amount;
  }
  return attributes;
}

export function emptyCounts(): KpiCounts {
  return Object.fromEntries(KPI_COUNTS.map((count) => [count, 0])) as KpiCounts;
}

/** A stored run counter item read back: the totals and the per-tier and per-locale counts. */
export interface RunCounters {
  run: KpiRunRef;
  /** When the run's first counted event happened (ISO-8601): reports filter periods by it. */
  firstAt: string;
  totals: KpiCounts;
  byTier: Record<string, KpiCounts>;
  byLocale: Record<string, KpiCounts>;
}

/** Reads a counter item's attributes (as `counterAttributes` named them) back into counts. */
export function countersFromAttributes(run: KpiRunRef, firstAt: string, attributes: Readonly<Record<string, unknown>>): RunCounters {
  const totals = emptyCounts();
  const byTier: Record<string, KpiCounts> = {};
  const byLocale: Record<string, KpiCounts> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'number') continue;
    if ((KPI_COUNTS as readonly string[]).includes(name)) {
      totals[name as KpiCount] = value;
      continue;
    }
    const match = /^(tier|locale)_(.+)_([A-Za-z]+)$/.exec(name);
    if (!match || !(KPI_COUNTS as readonly string[]).includes(match[3] as string)) continue;
    const into = match[1] === 'tier' ? byTier : byLocale;
    const counts = (into[match[2] as string] ??= emptyCounts());
    counts[match[3] as KpiCount] = value;
  }
  return { run, firstAt, totals, byTier, byLocale };
}

export interface KpiRates {
  /** People's openers / delivered (sent when nothing was reported delivered). */
  openRate: number;
  clickRate: number;
  /** Clickers / openers. */
  clickToOpenRate: number;
  unsubscribeRate: number;
  /** Bounced / sent. */
  bounceRate: number;
  complaintRate: number;
}

export function ratesOf(counts: KpiCounts): KpiRates {
  const base = counts.delivered || counts.sent;
  const rate = (count: number, over: number) => (over === 0 ? 0 : count / over);
  return {
    openRate: rate(counts.openers, base),
    clickRate: rate(counts.clickers, base),
    clickToOpenRate: rate(counts.clickers, counts.openers),
    unsubscribeRate: rate(counts.unsubscribed, base),
    bounceRate: rate(counts.bounced, counts.sent),
    complaintRate: rate(counts.complained, base),
  };
}

/** The sum of several runs' counts. */
export function sumCounts(all: readonly KpiCounts[]): KpiCounts {
  const sum = emptyCounts();
  for (const counts of all) for (const count of KPI_COUNTS) sum[count] += counts[count];
  return sum;
}
