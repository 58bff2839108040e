/**
 * A recipient's clicks and opens of one email, as the click rules need them (click-context.ts),
 * read back from stored engagement events; and the compensating `click-reclassified` event that
 * takes back a click later shown to be a machine's.
 *
 * What a click event stores for this (its `detail`): `link` (position), `linkSet`, `at` (the exact
 * time; `occurredAt` is the minute it is filed under), `honeypot` (true on the trap link) and
 * `clientKey`: an HMAC of the client address and user agent with the link secret, so "same
 * client" can be told without keeping an address. Clicks stored before these fields existed read
 * as clicks at their minute, by an unknown client.
 *
 * The engagement path is add-only: a click judged a person's stays stored as it was, and a
 * `click-reclassified` event (id derived from the click's, so repeats are no-ops) cancels it.
 * Readers that count people's clicks use `withReclassifiedClicks` so a cancelled click is a machine's.
 */
import { segmentDetailOf } from '../reporting/kpi-counters.ts';
import { createHmac } from 'node:crypto';
import type { ClickReason, EarlierClick, SeenOpen } from './click-context.ts';
import type { EngagementEvent } from './engagement-event.ts';
import { trackingEventId } from './tracking-event-id.ts';

/** Every reason a click can be judged a machine's (machine-traffic.ts and click-context.ts). */
const CLICK_REASONS: readonly ClickReason[] = [
  'apple-mpp',
  'scanner',
  'scanner-network',
  'bot',
  'no-user-agent',
  'head-request',
  'too-fast',
  'honeypot',
  'burst',
  'after-machine',
  'no-open-before',
];

/** A stored click as the rules see it, with the event it was read from (what a revision cancels). */
export interface StoredClick extends EarlierClick {
  event: EngagementEvent;
}

export interface RecipientClickHistory {
  /** Clicks with the verdict they have now (a reclassified one is a machine's). */
  clicks: StoredClick[];
  opens: SeenOpen[];
}

/**
 * A stable pseudonym of the client: HMAC-SHA256 of address and user agent with the link secret,
 * truncated. Undefined without an address: a user agent alone is shared by millions of people.
 */
export function clientKeyOf(ip: string | undefined, userAgent: string | undefined, secret: string): string | undefined {
  const address = ip?.trim().toLowerCase();
  if (!address) return undefined;
  return createHmac('sha256', secret).update(`client\n${address}\n${userAgent?.trim() ?? ''}`).digest('base64url').slice(0, 22);
}

/** The recipient's clicks and opens among `events` (one email's opens, clicks and reclassifications, any order). */
export function recipientClickHistory(events: readonly EngagementEvent[]): RecipientClickHistory {
  const reclassified = reclassificationsOf(events);
  const clicks = events
    .filter((event) => event.type === 'click')
    .map((event): StoredClick => {
      const revised = reclassified.get(event.eventId);
      const stored = storedReason(event.detail.machineReason);
      return {
        at: exactTimeOf(event),
        ip: undefined,
        userAgent: undefined,
        linkPosition: typeof event.detail.link === 'number' ? event.detail.link : -1,
        honeypot: event.detail.honeypot === true,
        ...(typeof event.detail.clientKey === 'string' ? { clientKey: event.detail.clientKey } : {}),
        verdict: revised ? { machine: true, reason: revised } : event.machine ? { machine: true, reason: stored ?? 'scanner' } : { machine: false },
        event,
      };
    })
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const opens = events.filter((event) => event.type === 'open').map((event) => ({ at: exactTimeOf(event), machine: event.machine }));
  return { clicks, opens };
}

/** The event id of the reclassification of a click: one per click, whoever sends it how often. */
export function reclassificationEventId(clickEventId: string): string {
  return trackingEventId('click-reclassified', [clickEventId]);
}

/**
 * The compensating event of a click judged a person's that a later click showed to be a machine's.
 * Same contact, account, email and `occurredAt` as the click, so the engagement path takes back
 * exactly what the click added (score-event.ts: minus the click weight at the click's time).
 */
export function clickReclassifiedEvent(click: EngagementEvent, reason: 'honeypot' | 'burst', byClickEventId: string): EngagementEvent {
  if (click.type !== 'click') throw new TypeError(`only a click can be reclassified, got a ${click.type} event (${click.eventId})`);
  return {
    eventId: reclassificationEventId(click.eventId),
    type: 'click-reclassified',
    contactId: click.contactId,
    accountId: click.accountId,
    occurredAt: click.occurredAt,
    ...(click.campaignId === undefined ? {} : { campaignId: click.campaignId }),
    ...(click.runId === undefined ? {} : { runId: click.runId }),
    machine: true,
    detail: {
      clickEventId: click.eventId,
      reason,
      ...segmentDetailOf({ tier: stringOr(click.detail.tier), locale: stringOr(click.detail.locale) }),
      byClickEventId,
      ...(typeof click.detail.link === 'number' ? { link: click.detail.link } : {}),
      ...(typeof click.detail.linkSet === 'string' ? { linkSet: click.detail.linkSet } : {}),
    },
  };
}

/**
 * The events with every reclassified click flagged machine (its reason in `machineReason`), and the
 * reclassifications themselves left out: what reports count people's clicks from.
 */
export function withReclassifiedClicks(events: readonly EngagementEvent[]): EngagementEvent[] {
  const reclassified = reclassificationsOf(events);
  if (reclassified.size === 0) return events.filter((event) => event.type !== 'click-reclassified');
  return events.flatMap((event) => {
    if (event.type === 'click-reclassified') return [];
    const reason = event.type === 'click' ? reclassified.get(event.eventId) : undefined;
    return reason === undefined ? [event] : [{ ...event, machine: true, detail: { ...event.detail, machineReason: reason } }];
  });
}

/** Click event id -> the reason it was reclassified. */
function reclassificationsOf(events: readonly EngagementEvent[]): Map<string, ClickReason> {
  const reclassified = new Map<string, ClickReason>();
  for (const event of events) {
    if (event.type !== 'click-reclassified' || typeof event.detail.clickEventId !== 'string') continue;
    reclassified.set(event.detail.clickEventId, storedReason(event.detail.reason) ?? 'honeypot');
  }
  return reclassified;
}

function storedReason(value: unknown): ClickReason | undefined {
  return CLICK_REASONS.find((reason) => reason === value);
}

/** The click's exact time when stored, else the minute it is filed under. */
function exactTimeOf(event: EngagementEvent): Date {
  const exact = typeof event.detail.at === 'string' ? Date.parse(event.detail.at) : Number.NaN;
  return new Date(Number.isNaN(exact) ? Date.parse(event.occurredAt) : exact);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
