/**
 * Use case: the webinar sweep (every few minutes, EventBridge Scheduler in AWS, the in-process
 * scheduler locally). Joins registrants of no known contact to contacts imported since (and then
 * plans their confirmation and reminders while the session is ahead), and finalizes sessions whose
 * follow-ups are due but whose platform never said they ended (in-person events, a lost webhook).
 */
import { parseDuration } from '../config/duration.ts';
import { finalizeSession } from './finalize-session.ts';
import { isMatched } from './plan-webinar-emails.ts';
import { welcomeRegistrant, type WebinarDeps } from './register-for-webinar.ts';
import { allSessions, findSession, initialSessionState } from './webinar-catalog.ts';

const UNMATCHED_PAGE = 500;

export interface SweepOutcome {
  matched: number;
  stillUnmatched: number;
  finalized: string[];
}

export async function sweepWebinars(deps: WebinarDeps): Promise<SweepOutcome> {
  const { matched, stillUnmatched } = await linkUnmatchedRegistrants(deps);
  const finalized: string[] = [];
  const now = deps.clock.now().getTime();
  for (const configured of allSessions(deps.config)) {
    const state = (await deps.webinars.getSession(configured.webinar.id, configured.session.id)) ?? initialSessionState(configured);
    if (state.status !== 'scheduled' || state.followUpsPlannedAt) continue;
    const dueAt = Date.parse(state.endedAt ?? state.endsAt) + (parseDuration(configured.policy.followUps.delay) ?? 0);
    if (now < dueAt) continue;
    await finalizeSession(configured.webinar.id, configured.session.id, deps);
    finalized.push(`${configured.webinar.id}/${configured.session.id}`);
  }
  return { matched, stillUnmatched, finalized };
}

/** Registrants whose address now belongs to a contact are joined to it (and welcomed). */
export async function linkUnmatchedRegistrants(deps: WebinarDeps): Promise<{ matched: number; stillUnmatched: number }> {
  const unmatched = await deps.webinars.listUnmatchedRegistrants(UNMATCHED_PAGE);
  if (unmatched.length === 0) return { matched: 0, stillUnmatched: 0 };
  const owners = await deps.customers.contactIdsByEmail(unmatched.map((registrant) => registrant.email));
  const contacts = await deps.customers.getContacts([...new Set(owners.values())]);
  let matched = 0;
  for (const registrant of unmatched) {
    const contact = contacts.get(owners.get(registrant.email) ?? '');
    if (!contact) continue;
    if (!(await deps.webinars.matchRegistrant(registrant, contact.contactId, contact.accountId))) continue;
    matched++;
    const joined = { ...registrant, contactId: contact.contactId, accountId: contact.accountId };
    const configured = findSession(deps.config, registrant.webinarId, registrant.sessionId);
    if (!configured || !isMatched(joined)) continue;
    const state = (await deps.webinars.getSession(registrant.webinarId, registrant.sessionId)) ?? initialSessionState(configured);
    await welcomeRegistrant(configured, state, joined, deps);
  }
  return { matched, stillUnmatched: unmatched.length - matched };
}
