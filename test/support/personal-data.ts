/**
 * A person with data in every item kind that can hold personal data, written through the real use
 * cases and stores: what the erasure tests erase, and then look for in a raw scan of the table.
 */
import { randomUUID } from 'node:crypto';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { importCustomers } from '../../core/customers/import-customers.ts';
import type { Clock, Store } from '../../core/ports.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';
import { registerForWebinar } from '../../core/webinars/register-for-webinar.ts';

export interface SeededPerson {
  contactId: string;
  accountId: string;
  email: string;
  /** Strings that are this person's data: none may be left in any item after the erasure. */
  personalStrings: string[];
}

export const WEBINAR = { webinarId: 'dashboards-101', sessionId: 'tokyo-dec-10' } as const;

/** Imports an account and a contact the way the CRM import does. */
export async function importPerson(store: Store, clock: Clock, person: { contactId: string; accountId: string; email: string; firstName: string; lastName: string; role?: string }): Promise<void> {
  const report = await importCustomers(
    {
      accounts: [{ location: { source: 'accounts', index: 0 }, value: { accountId: person.accountId, name: `${person.accountId} Inc.`, tier: 'tier2', plan: 'pro', phase: 'adoption', mrr: 100, currency: 'JPY' } }],
      contacts: [
        {
          location: { source: 'contacts', index: 0 },
          value: { contactId: person.contactId, accountId: person.accountId, email: person.email, firstName: person.firstName, lastName: person.lastName, locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', ...(person.role ? { role: person.role } : {}) },
        },
      ],
    },
    store.customers,
    clock,
  );
  if (report.rejected.length > 0) throw new Error(`test person not imported: ${JSON.stringify(report.rejected)}`);
}

/** Contact, events (scored, counted), a send, a parked send, an enrollment, a registration with marks, a survey comment, usage, a suppression. */
export async function seedPersonEverywhere(store: Store, config: EngineConfig, clock: Clock, ids: { contactId: string; accountId: string }): Promise<SeededPerson> {
  const { contactId, accountId } = ids;
  const email = `erin.eraser+${contactId}@example.com`;
  await importPerson(store, clock, { contactId, accountId, email: `Erin.Eraser+${contactId}@Example.com`, firstName: 'Erinhilde', lastName: 'Eraserova', role: 'Chief Forgetting Officer' });
  const at = clock.now().toISOString();
  const engagement = engagementRecorderOf(store, config.scoring, clock);

  await store.sends.claimSend({ campaignId: 'monthly-newsletter', runId: 'run-1', contactId, accountId, tier: 'tier2', locale: 'ja', state: 'claimed', claimedAt: at, claimToken: 'claim-1' });
  await store.sends.markSent({ campaignId: 'monthly-newsletter', runId: 'run-1', contactId }, `msg-${contactId}`, clock.now(), { tier: 'tier2', locale: 'ja' });
  for (const type of ['delivery', 'open', 'click'] as const) {
    await engagement.recordEvent({ eventId: `${type}-${contactId}`, type, contactId, accountId, occurredAt: at, campaignId: 'monthly-newsletter', runId: 'run-1', machine: false, detail: { tier: 'tier2', locale: 'ja' } });
  }
  await store.sends.deferSends([{ request: { source: { kind: 'campaign', campaignId: 'monthly-newsletter' }, runId: 'run-2', contactId, accountId }, notBefore: '2026-12-03T00:00:00.000Z' }]);
  await store.enrollments.enroll({ contactId, accountId, sequenceId: 'adoption-nurture', state: 'active', enrolledAt: at, nextStepIndex: 0, nextStepAt: at, version: 0 });

  const registered = await registerForWebinar(
    { ...WEBINAR, email, name: 'Erinhilde Eraserova', answers: [{ question: 'topic', answer: 'Erinhilde asks about Slack' }], source: 'api' },
    { config, webinars: store.webinars, customers: store.customers, engagement, sends: store.sends, clock },
  );
  if (registered.outcome !== 'registered') throw new Error(`test registration: ${registered.outcome}`);
  // The platform's own keys, which say nothing about the contact.
  const participant = randomUUID();
  await store.webinars.recordAttendance([
    { kind: 'join', ...WEBINAR, person: email, stayKey: participant, at: '2026-12-10T05:00:00.000Z', name: 'Erinhilde Eraserova' },
    { kind: 'leave', ...WEBINAR, person: email, stayKey: participant, at: '2026-12-10T05:40:00.000Z', name: 'Erinhilde Eraserova' },
  ]);

  await store.surveys.saveAnswer(
    { surveyId: 'nps-2026-h2', contactId, accountId, tier: 'tier2', score: 3, comment: 'Erinhilde thinks the reports are slow', messageId: 'nps-survey', runId: 'run-1', firstAnsweredAt: at, answeredAt: at, updatedAt: at, history: [], revision: 1 },
    0,
  );
  await store.usage.recordUsage([{ accountId, at, metrics: { logins: 4 }, contactId, recordId: `e:${randomUUID()}` }]);
  await store.suppressions.suppress({ email, reason: 'unsubscribe', suppressedAt: at, source: 'token-abc' });

  return { contactId, accountId, email, personalStrings: [email, 'erinhilde', 'eraserova', 'chief forgetting officer', 'asks about slack', 'reports are slow'] };
}

/** The items in which any of these strings appears (case-insensitive), as JSON: empty when the person is gone. */
export function itemsMentioning(items: readonly Record<string, unknown>[], strings: readonly string[]): string[] {
  return items.map((item) => JSON.stringify(item)).filter((json) => strings.some((text) => json.toLowerCase().includes(text.toLowerCase())));
}
