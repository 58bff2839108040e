/**
 * KPIs of one campaign (or sequence) from its engagement events: what marketing teams judge
 * content by. Counts are unique contacts; opens and clicks are split into people and machines
 * (privacy-proxy opens, link-scanner clicks, clicks reclassified as a machine's after the fact),
 * and rates use people only, over delivered emails.
 */
import { mapBounded } from '../bounded-parallel.ts';
import type { EngagementStore } from '../ports.ts';
import type { EngagementEvent } from '../tracking/engagement-event.ts';
import { withReclassifiedClicks } from '../tracking/recipient-clicks.ts';
import { emptyCounts, ratesOf, type KpiRates } from './kpi-counters.ts';

/** What a scan of the events says (the demo checks the counters against it); rates as `ratesOf`. */
export interface CampaignKpis extends KpiRates {
  sent: number;
  delivered: number;
  bounced: number;
  hardBounced: number;
  complained: number;
  opened: { human: number; machineOnly: number };
  clicked: { human: number; machineOnly: number };
  unsubscribed: number;
}

export function campaignKpis(sent: number, recorded: readonly EngagementEvent[]): CampaignKpis {
  // A click taken back by a `click-reclassified` event (a honeypot or burst after it) is a machine's.
  const events = withReclassifiedClicks(recorded);
  const contactsWith = (predicate: (event: EngagementEvent) => boolean) => new Set(events.filter(predicate).map((event) => event.contactId));
  const humanOpeners = contactsWith((event) => event.type === 'open' && !event.machine);
  const machineOpeners = contactsWith((event) => event.type === 'open' && event.machine);
  const humanClickers = contactsWith((event) => event.type === 'click' && !event.machine);
  const machineClickers = contactsWith((event) => event.type === 'click' && event.machine);
  const delivered = contactsWith((event) => event.type === 'delivery').size;
  const bounced = contactsWith((event) => event.type === 'bounce');
  const hardBounced = contactsWith((event) => event.type === 'bounce' && event.detail.bounceType === 'Permanent');
  const complained = contactsWith((event) => event.type === 'complaint');
  const unsubscribed = contactsWith((event) => event.type === 'unsubscribe');
  const rates = ratesOf({ ...emptyCounts(), sent, delivered, openers: humanOpeners.size, clickers: humanClickers.size, unsubscribed: unsubscribed.size, bounced: bounced.size, complained: complained.size });
  return {
    sent,
    delivered,
    bounced: bounced.size,
    hardBounced: hardBounced.size,
    complained: complained.size,
    opened: { human: humanOpeners.size, machineOnly: [...machineOpeners].filter((id) => !humanOpeners.has(id)).length },
    clicked: { human: humanClickers.size, machineOnly: [...machineClickers].filter((id) => !humanClickers.has(id)).length },
    unsubscribed: unsubscribed.size,
    ...rates,
  };
}


/**
 * A campaign's events, read contact by contact (events are keyed by contact; only clicks are
 * indexed by campaign): the scan the demo and the reporting bench check the counters against.
 */
export async function campaignEventsOf(campaignId: string, contactIds: Iterable<string>, engagement: Pick<EngagementStore, 'listEventsOfContact'>): Promise<EngagementEvent[]> {
  const perContact = await mapBounded([...new Set(contactIds)], 16, (contactId) => engagement.listEventsOfContact(contactId));
  return perContact.flat().filter((event) => event.campaignId === campaignId);
}
