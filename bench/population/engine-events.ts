/**
 * The synthetic population as the engine sees it: engagement events with the verdicts the engine's
 * own machine-traffic classifier gives (`classifyOpen` per open; `classifyRecipientClicks`, the
 * click-context rules with their honeypot and burst sweeps, per recipient and email, final
 * verdicts as a re-scoring of stored clicks would give), webinar attendance with the product each
 * webinar is about, and the usage records. Also a tally of the classifier's verdicts against who
 * really made each request, to show how much machine traffic leaks into the scores.
 */
import { classifyRecipientClicks } from '../../core/tracking/click-context.ts';
import type { EngagementEvent } from '../../core/tracking/engagement-event.ts';
import { classifyOpen } from '../../core/tracking/machine-traffic.ts';
import { shippedNetworks, type KnownNetworks } from '../../core/tracking/networks/known-networks.ts';
import type { Population, RequestMaker, SyntheticUsage } from './synthetic-population.ts';

/** Requests by who made them and whether the engine called them machine. */
export type TrafficTally = Record<'opens' | 'clicks', Record<RequestMaker, { machine: number; human: number }>>;

export interface EngineView {
  /** Every event, in no particular order (scores do not depend on it). */
  events: EngagementEvent[];
  /** Webinar sessions attended, per account, with their product and when the session ended. */
  attendances: Map<string, Array<{ webinarId: string; product: string; at: string }>>;
  /** Account-level usage records per account, oldest first. */
  usage: Map<string, SyntheticUsage[]>;
  traffic: TrafficTally;
}

const iso = (at: number) => new Date(at).toISOString();

export function engineViewOf(population: Population, networks: KnownNetworks = shippedNetworks()): EngineView {
  const events: EngagementEvent[] = [];
  const emptyTally = () => ({ person: { machine: 0, human: 0 }, 'apple-mpp': { machine: 0, human: 0 }, scanner: { machine: 0, human: 0 } });
  const traffic: TrafficTally = { opens: emptyTally(), clicks: emptyTally() };
  // One literal per event (no spreads): a seed makes about half a million of them.
  const event = (type: EngagementEvent['type'], eventId: string, contactId: string, accountId: string, at: number, campaignId: string | undefined, machine: boolean, detail: EngagementEvent['detail']): EngagementEvent =>
    campaignId === undefined ? { eventId, type, contactId, accountId, occurredAt: iso(at), machine, detail } : { eventId, type, contactId, accountId, occurredAt: iso(at), campaignId, machine, detail };

  for (const email of population.emails) {
    const id = `${email.campaignId}:${email.contactId}`;
    events.push(event('delivery', `${id}:delivery`, email.contactId, email.accountId, email.deliveredAt, email.campaignId, false, {}));
    const seenOpens = email.opens.map((open, index) => {
      const verdict = classifyOpen({ method: 'GET', userAgent: open.userAgent, ip: open.ip }, networks);
      traffic.opens[open.by][verdict.machine ? 'machine' : 'human'] += 1;
      events.push(event('open', `${id}:open:${index}`, email.contactId, email.accountId, open.at, email.campaignId, verdict.machine, {}));
      return { at: new Date(open.at), machine: verdict.machine };
    });
    if (email.clicks.length === 0) continue;
    const { final } = classifyRecipientClicks({ sentAt: new Date(email.sentAt), opens: seenOpens, clicks: email.clicks }, {}, networks);
    email.clicks.forEach((click, index) => {
      const machine = final[index]?.machine ?? false;
      traffic.clicks[click.by][machine ? 'machine' : 'human'] += 1;
      events.push(event('click', `${id}:click:${index}`, email.contactId, email.accountId, click.at.getTime(), email.campaignId, machine, { link: click.linkPosition }));
    });
  }

  const productOf = new Map(population.webinars.map((webinar) => [webinar.webinarId, webinar.product]));
  const attendances = new Map<string, Array<{ webinarId: string; product: string; at: string }>>();
  for (const activity of population.webinarActivity) {
    const id = `${activity.webinarId}:${activity.contactId}`;
    events.push(event('webinar-registered', `${id}:registered`, activity.contactId, activity.accountId, activity.registeredAt, activity.webinarId, false, {}));
    if (activity.attended) {
      events.push(event('webinar-attended', `${id}:attended`, activity.contactId, activity.accountId, activity.endsAt, activity.webinarId, false, { ...activity.attended }));
      const list = attendances.get(activity.accountId) ?? [];
      list.push({ webinarId: activity.webinarId, product: productOf.get(activity.webinarId) ?? 'core', at: iso(activity.endsAt) });
      attendances.set(activity.accountId, list);
    } else {
      events.push(event('webinar-no-show', `${id}:no-show`, activity.contactId, activity.accountId, activity.endsAt, activity.webinarId, false, {}));
    }
  }

  const usage = new Map<string, SyntheticUsage[]>();
  for (const record of population.usage) {
    if (record.contactId) {
      // A person's figures are an engagement signal (usageEngagementEvents does the same).
      events.push(event('product-usage', `usage:${record.accountId}:${record.contactId}:${record.at}`, record.contactId, record.accountId, record.at, undefined, false, { ...record.metrics }));
    } else {
      const list = usage.get(record.accountId) ?? [];
      list.push(record);
      usage.set(record.accountId, list);
    }
  }
  for (const list of usage.values()) list.sort((a, b) => a.at - b.at);
  return { events, attendances, usage, traffic };
}
