/**
 * Use case: enroll contacts in nurture sequences when their account enters a phase
 * (e.g. "adoption"). Each contact is enrolled at most once per sequence (conditional write);
 * the first step becomes due after its wait.
 */
import { runIdFor } from '../campaigns/campaign-run.ts';
import { mapBounded } from '../bounded-parallel.ts';
import { parseDuration } from '../config/duration.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { Sequence } from '../config/schema/messages.ts';
import type { PhaseChange } from '../customers/import-customers.ts';
import type { Clock, CustomerStore, EnrollmentStore, ScoreStore } from '../ports.ts';
import { engagementBandOf, inAudience } from '../audience/segment.ts';
import { scoreAt } from '../scoring/decayed-score.ts';
import type { Enrollment } from './enrollment.ts';

export interface EnrollDeps {
  config: EngineConfig;
  customers: CustomerStore;
  scores: ScoreStore;
  enrollments: EnrollmentStore;
  clock: Clock;
}

/** Sends of a sequence step are filed under this run id, unique per enrollment. */
export function sequenceRunId(stepId: string, enrolledAt: string): string {
  return `${stepId}-${runIdFor(new Date(enrolledAt))}`;
}

const ENROLL_CONCURRENCY = 8;

export async function enrollOnPhaseChanges(changes: readonly PhaseChange[], deps: EnrollDeps): Promise<number> {
  const now = deps.clock.now();
  const halfLifeMs = parseDuration(deps.config.scoring.halfLife) ?? 1;
  // Accounts in parallel (a large ingest must finish within an HTTP request's time).
  const perAccount = await mapBounded(changes, ENROLL_CONCURRENCY, async (change) => {
    let enrolled = 0;
    const sequences = deps.config.sequences.filter((sequence) => sequence.status === 'active' && sequence.enrollment.phaseEntered === change.to);
    if (sequences.length === 0) return 0;
    const account = await deps.customers.getAccount(change.accountId);
    if (!account) return 0;
    const contacts = await deps.customers.listContactsOfAccount(change.accountId);
    const scores = await deps.scores.getScores('contact', contacts.map((contact) => contact.contactId));
    for (const sequence of sequences) {
      for (const contact of contacts) {
        const stored = scores.get(contact.contactId);
        const engagementBand = engagementBandOf(stored ? scoreAt(stored.scaledSum, now, halfLifeMs) : 0, deps.config.scoring.bands);
        if (sequence.enrollment.audience && !inAudience(sequence.enrollment.audience, { contact, account, engagementBand })) continue;
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
