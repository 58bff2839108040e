/**
 * Who clicked a campaign (or one of its links, or one run): the contacts, people only. Scanner
 * clicks and clicks reclassified as a machine's afterwards are left out. Reads the campaign's
 * clicks (kept 400 days), then the contacts in one batch.
 */
import type { CustomerStore, EngagementStore } from '../ports.ts';
import { withReclassifiedClicks } from '../tracking/recipient-clicks.ts';
import type { ReportPeriod } from './kpi-report.ts';

export interface Clicker {
  contactId: string;
  accountId: string;
  email?: string;
  name?: string;
  clicks: number;
  /** Link positions clicked, ascending. */
  links: number[];
  firstClickAt: string;
}

export async function whoClicked(
  messageId: string,
  filter: ReportPeriod & { runId?: string; link?: number },
  deps: { engagement: Pick<EngagementStore, 'listClicksOfCampaign'>; customers: Pick<CustomerStore, 'getContacts'> },
): Promise<Clicker[]> {
  const clicks = withReclassifiedClicks(await deps.engagement.listClicksOfCampaign(messageId)).filter(
    (event) =>
      event.type === 'click' &&
      !event.machine &&
      (filter.runId === undefined || event.runId === filter.runId) &&
      (filter.link === undefined || event.detail.link === filter.link) &&
      (!filter.from || Date.parse(event.occurredAt) >= filter.from.getTime()) &&
      (!filter.to || Date.parse(event.occurredAt) < filter.to.getTime()),
  );
  const byContact = new Map<string, Clicker>();
  for (const click of clicks) {
    const clicker = byContact.get(click.contactId) ?? { contactId: click.contactId, accountId: click.accountId, clicks: 0, links: [], firstClickAt: click.occurredAt };
    clicker.clicks += 1;
    if (typeof click.detail.link === 'number' && !clicker.links.includes(click.detail.link)) clicker.links.push(click.detail.link);
    if (click.occurredAt < clicker.firstClickAt) clicker.firstClickAt = click.occurredAt;
    byContact.set(click.contactId, clicker);
  }
  const contacts = await deps.customers.getContacts([...byContact.keys()]);
  return [...byContact.values()]
    .map((clicker) => {
      const contact = contacts.get(clicker.contactId);
      return { ...clicker, links: clicker.links.sort((a, b) => a - b), ...(contact ? { email: contact.email, name: `${contact.firstName} ${contact.lastName}`.trim() } : {}) };
    })
    .sort((a, b) => b.clicks - a.clicks || a.firstClickAt.localeCompare(b.firstClickAt));
}
