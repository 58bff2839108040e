/**
 * Use cases behind the unsubscribe and preference links: find whom a token speaks for,
 * unsubscribe them from everything (a suppression the sender checks before every send), or save
 * which topics they still want (`topicsOptedOut`, checked at dispatch and again at send time).
 * Both are engagement events too: `unsubscribe` with `scope` all or topics.
 */
import { segmentDetailOf } from '../reporting/kpi-counters.ts';
import type { Topics } from '../config/schema/settings.ts';
import type { Contact } from '../customers/contact.ts';
import type { Clock, CustomerStore, EngagementRecorder, SendStore, SuppressionStore } from '../ports.ts';
import { verifyToken, type TokenClaims } from './link-token.ts';
import { startOfMinute, trackingEventId } from './tracking-event-id.ts';

export interface SubscriptionDeps {
  customers: Pick<CustomerStore, 'getContact' | 'setTopicOptOuts'>;
  /** The email's send: its recipient's tier for the unsubscribe's KPI counters (absent: the locale alone). */
  sends?: Pick<SendStore, 'getSend'>;
  suppressions: Pick<SuppressionStore, 'suppress' | 'suppressedAmong'>;
  engagement: EngagementRecorder;
  clock: Clock;
  tokenSecret: string;
}

export interface Subscriber {
  claims: TokenClaims;
  contact: Contact;
  /** Already unsubscribed from everything (or suppressed for a bounce or complaint). */
  suppressed: boolean;
}

/** Whom a genuine token of that purpose speaks for; undefined for any other token or a contact that is gone. */
export async function resolveSubscriber(token: string, purpose: 'unsubscribe' | 'preferences', deps: SubscriptionDeps): Promise<Subscriber | undefined> {
  const claims = verifyToken(token, deps.tokenSecret);
  if (claims?.purpose !== purpose) return undefined;
  const contact = await deps.customers.getContact(claims.contactId);
  if (!contact) return undefined;
  const suppressed = await deps.suppressions.suppressedAmong([contact.email]);
  return { claims, contact, suppressed: suppressed.size > 0 };
}

/**
 * Suppresses the address and records the unsubscribe event. The pair completes on a retry: a
 * request that suppressed but failed before the event was stored finds its own suppression
 * (same source) and writes the event then; the event id is deterministic, so it is stored once.
 * An address suppressed earlier for another reason (a bounce, another email's link) is
 * `already-unsubscribed` and records nothing new.
 */
export async function unsubscribeFromAll(subscriber: Subscriber, deps: SubscriptionDeps): Promise<'unsubscribed' | 'already-unsubscribed'> {
  const { claims, contact } = subscriber;
  const now = deps.clock.now().toISOString();
  const source = `unsubscribe-link:${claims.messageId}/${claims.runId}`;
  const suppressedNow = await deps.suppressions.suppress({ email: contact.email, reason: 'unsubscribe', suppressedAt: now, source });
  let occurredAt = now;
  if (!suppressedNow) {
    const existing = (await deps.suppressions.suppressedAmong([contact.email])).get(contact.email);
    if (existing?.source !== source || existing.reason !== 'unsubscribe') return 'already-unsubscribed';
    // Our own earlier attempt: complete it, filed at the time the suppression took effect.
    occurredAt = existing.suppressedAt;
  }
  const recorded = await deps.engagement.recordEvent({
    eventId: trackingEventId('unsubscribe', [claims.messageId, claims.runId, contact.contactId, 'all']),
    type: 'unsubscribe',
    contactId: contact.contactId,
    accountId: contact.accountId,
    occurredAt,
    campaignId: claims.messageId,
    runId: claims.runId,
    machine: false,
    detail: { scope: 'all', ...(await segmentOfSubscriber(subscriber, deps)) },
  });
  return suppressedNow || recorded ? 'unsubscribed' : 'already-unsubscribed';
}

export interface SavedPreferences {
  contact: Contact;
  /** Topics opted out of by this save (not before). */
  newlyOptedOut: string[];
}

/**
 * Saves the topics the contact still wants: every configured topic not in `wanted` is opted out
 * of. Opt-outs of topics the config no longer declares are kept as they were.
 */
export async function savePreferences(subscriber: Subscriber, wanted: readonly string[], topics: Topics, deps: SubscriptionDeps): Promise<SavedPreferences> {
  const { claims, contact } = subscriber;
  const declared = topics.topics.map((topic) => topic.id);
  const keep = new Set(wanted);
  const topicsOptedOut = [
    ...contact.topicsOptedOut.filter((topic) => !declared.includes(topic)),
    ...declared.filter((topic) => !keep.has(topic)),
  ];
  const newlyOptedOut = topicsOptedOut.filter((topic) => !contact.topicsOptedOut.includes(topic));
  const updated: Contact = { ...contact, topicsOptedOut };
  const now = deps.clock.now();
  // The event goes first: were it second, a retry after a failed event write would find the
  // choice already saved, see nothing newly opted out, and the event would be lost. A retry
  // within the minute maps to the same event id; the save itself is idempotent.
  if (newlyOptedOut.length > 0) {
    const minute = startOfMinute(now).toISOString();
    await deps.engagement.recordEvent({
      eventId: trackingEventId('unsubscribe', [claims.messageId, claims.runId, contact.contactId, 'topics', ...newlyOptedOut, minute]),
      type: 'unsubscribe',
      contactId: contact.contactId,
      accountId: contact.accountId,
      occurredAt: minute,
      campaignId: claims.messageId,
      runId: claims.runId,
      machine: false,
      detail: { scope: 'topics', topics: newlyOptedOut.join(','), ...(await segmentOfSubscriber(subscriber, deps)) },
    });
  }
  await deps.customers.setTopicOptOuts(contact.contactId, topicsOptedOut, now);
  return { contact: updated, newlyOptedOut };
}

/** The tier and locale the email went out with (its send), else the contact's locale. */
async function segmentOfSubscriber(subscriber: Subscriber, deps: SubscriptionDeps): Promise<{ tier?: string; locale?: string }> {
  const { claims, contact } = subscriber;
  const send = await deps.sends?.getSend(claims.messageId, claims.runId, contact.contactId);
  return segmentDetailOf(send ?? { locale: contact.locale });
}
