/**
 * Use case: enroll contacts in nurture sequences whose entry phase their account is in (e.g.
 * "adoption"). Derived from stored state, not from a change seen during a write: after an
 * import it runs over every account the import touched, so a retried import (whose writes all
 * come back `unchanged`) still enrolls whoever the first attempt did not reach, and a contact
 * added later to an account already in the phase is enrolled too. Each contact is enrolled at
 * most once per sequence (conditional write); the first step becomes due after its wait.
 */
import { runIdFor } from '../campaigns/campaign-run.ts';
import { mapBounded } from '../bounded-parallel.ts';
import { parseDuration } from '../config/duration.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { Sequence } from '../config/schema/messages.ts';
import type { Clock, CustomerStore, EnrollmentStore, ScoreStore } from '../ports.ts';
import { engagementBandOf, inAudience } from '../audience/segment.ts';
import { scoreAt } from '../scoring/decayed-score.ts';
import type { Enrollment } from './enrollment.ts';

export interface EnrollDeps {
  config: EngineConfig;
  customers: Pick<CustomerStore, 'getAccounts' | 'listContactsOfAccount'>;
  scores: Pick<ScoreStore, 'getScores'>;
  enrollments: Pick<EnrollmentStore, 'enroll' | 'enrolledAmong'>;
  clock: Clock;
}

/** Sends of a sequence step are filed under this run id, unique per enrollment. */
export function sequenceRunId(stepId: string, enrolledAt: string): string {
  return `${stepId}-${runIdFor(new Date(enrolledAt))}`;
}

const ENROLL_CONCURRENCY = 8;

/** Enrolls the not-yet-enrolled contacts of these accounts in every active sequence their phase enters; returns how many. */
export async function enrollAccounts(accountIds: readonly string[], deps: EnrollDeps): Promise<number> {
  const sequences = deps.config.sequences.filter((sequence) => sequence.status === 'active');
  if (sequences.length === 0 || accountIds.length === 0) return 0;
  const now = deps.clock.now();
  const halfLifeMs = parseDuration(deps.config.scoring.halfLife) ?? 1;
  const accounts = await deps.customers.getAccounts(accountIds);
  // Accounts in parallel (a large ingest must finish within an HTTP request's time).
  const perAccount = await mapBounded([...accounts.values()], ENROLL_CONCURRENCY, async (account) => {
    const entered = sequences.filter((sequence) => sequence.enrollment.phaseEntered === account.phase);
    if (entered.length === 0) return 0;
    const contacts = await deps.customers.listContactsOfAccount(account.accountId);
    if (contacts.length === 0) return 0;
    const scores = await deps.scores.getScores('contact', contacts.map((contact) => contact.contactId));
    let enrolled = 0;
    for (const sequence of entered) {
      const candidates = contacts.filter((contact) => {
        if (!sequence.enrollment.audience) return true;
        const stored = scores.get(contact.contactId);
        const engagementBand = engagementBandOf(stored ? scoreAt(stored.scaledSum, now, halfLifeMs, stored.epoch) : 0, deps.config.scoring.bands);
        return inAudience(sequence.enrollment.audience, { contact, account, engagementBand });
      });
      // One batched read instead of a failing conditional write per enrolled contact on every re-import.
      const already = await deps.enrollments.enrolledAmong(sequence.id, candidates.map((contact) => contact.contactId));
      for (const contact of candidates) {
        if (already.has(contact.contactId)) continue;
        if (await deps.enrollments.enroll(newEnrollment(sequence, contact.contactId, account.accountId, now))) enrolled++;
      }
    }
    return enrolled;
  });
  return perAccount.reduce((sum, count) => sum + count, 0);
}

function newEnrollment(sequence: Sequence, contactId: string, accountId: string, now: Date): Enrollment {
  const first = sequence.steps[0];
  return {
    contactId,
    accountId,
    sequenceId: sequence.id,
    state: 'active',
    enrolledAt: now.toISOString(),
    nextStepIndex: 0,
    ...(first ? { nextStepAt: new Date(now.getTime() + (parseDuration(first.wait) ?? 0)).toISOString() } : {}),
    version: 0,
  };
}
