/**
 * Use case: move nurture sequences forward. Finds the enrollments whose next step is due
 * (an indexed query), exits those that must stop (unsubscribed, became a CSQL, left the
 * phase), evaluates the step's condition (opened / clicked an earlier step, attended a
 * webinar), sends through the same guardrails and queue as campaigns, then advances the
 * enrollment with an optimistic version check so two workers cannot both advance it.
 * The email is queued before the enrollment advances: a crash in between re-queues it,
 * and the sender's claim makes the copy a no-op.
 */
import { parseDuration } from '../config/duration.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { Sequence, SequenceStep } from '../config/schema/messages.ts';
import type { Contact } from '../customers/contact.ts';
import type { Account } from '../customers/account.ts';
import type { Clock, CsqlStore, CustomerStore, EngagementStore, EnrollmentStore, SendQueue, SendStore, SuppressionStore, WebinarStore } from '../ports.ts';
import { decideForMembers, guardrailContext, partition } from '../sending/dispatch-campaign.ts';
import { sequenceRunId } from './enroll-contacts.ts';
import type { Enrollment } from './enrollment.ts';
import { withReclassifiedClicks } from '../tracking/recipient-clicks.ts';

export interface AdvanceDeps {
  config: EngineConfig;
  customers: CustomerStore;
  enrollments: EnrollmentStore;
  engagement: EngagementStore;
  webinars: WebinarStore;
  csql: CsqlStore;
  sends: SendStore;
  suppressions: SuppressionStore;
  queue: SendQueue;
  clock: Clock;
}

export type StepOutcome = 'queued' | 'deferred' | 'skipped' | 'condition-not-met' | 'exited' | 'conflict';

export async function advanceDueEnrollments(deps: AdvanceDeps): Promise<Map<StepOutcome, number>> {
  const now = deps.clock.now();
  const counts = new Map<StepOutcome, number>();
  const guard = guardrailContext(deps.config);
  for (const enrollment of await deps.enrollments.listDueEnrollments(now)) {
    const outcome = await advanceOne(enrollment, now, guard, deps);
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  return counts;
}

async function advanceOne(enrollment: Enrollment, now: Date, guard: ReturnType<typeof guardrailContext>, deps: AdvanceDeps): Promise<StepOutcome> {
  const sequence = deps.config.sequences.find((candidate) => candidate.id === enrollment.sequenceId);
  const step = sequence?.steps[enrollment.nextStepIndex];
  if (!sequence || sequence.status !== 'active' || !step) return finish(enrollment, 'exited', 'sequence removed or paused', deps);
  const [contact, account] = await Promise.all([deps.customers.getContact(enrollment.contactId), deps.customers.getAccount(enrollment.accountId)]);
  if (!contact || !account) return finish(enrollment, 'exited', 'contact or account removed', deps);
  const exitReason = await exitReasonFor(sequence, enrollment, contact, account, deps);
  if (exitReason) return finish(enrollment, 'exited', exitReason, deps);

  let outcome: StepOutcome = 'condition-not-met';
  if (await conditionHolds(step, sequence, enrollment, deps)) {
    const [decided] = await decideForMembers([{ contact, account, engagementBand: '' }], sequence.topic, now, guard, deps);
    const runId = sequenceRunId(step.id, enrollment.enrolledAt);
    const { queued, deferred, skipped } = partition(decided ? [decided] : [], { kind: 'sequence', sequenceId: sequence.id, stepId: step.id }, runId, sequence.id, now);
    await deps.queue.enqueue(queued);
    await deps.sends.deferSends(deferred);
    await deps.sends.recordSkips(skipped);
    outcome = queued.length > 0 ? 'queued' : deferred.length > 0 ? 'deferred' : 'skipped';
  }
  const nextIndex = enrollment.nextStepIndex + 1;
  const next = sequence.steps[nextIndex];
  const advanced: Enrollment = {
    ...withoutNextStep(enrollment),
    nextStepIndex: nextIndex,
    state: next ? 'active' : 'completed',
    ...(next ? { nextStepAt: new Date(now.getTime() + (parseDuration(next.wait) ?? 0)).toISOString() } : {}),
    version: enrollment.version + 1,
  };
  return (await deps.enrollments.updateEnrollment(advanced, enrollment.version)) ? outcome : 'conflict';
}

async function exitReasonFor(sequence: Sequence, enrollment: Enrollment, contact: Contact, account: Account, deps: AdvanceDeps): Promise<string | undefined> {
  if (sequence.exitOn.includes('unsubscribed')) {
    const suppressed = await deps.suppressions.suppressedAmong([contact.email]);
    if (suppressed.size > 0 || contact.consent !== 'granted' || contact.topicsOptedOut.includes(sequence.topic)) return 'unsubscribed';
  }
  if (sequence.exitOn.includes('csql')) {
    const promotions = await deps.csql.listPromotionsOfAccount(account.accountId);
    if (promotions.some((promotion) => promotion.promotedAt >= enrollment.enrolledAt)) return 'became a CSQL';
  }
  if (sequence.exitOn.includes('phase-changed') && sequence.enrollment.phaseEntered && account.phase !== sequence.enrollment.phaseEntered) {
    return `account left phase ${sequence.enrollment.phaseEntered}`;
  }
  return undefined;
}

/** Opens and clicks by people only: machine opens (privacy proxies) and scanner clicks, reclassified ones included, do not steer a sequence. */
async function conditionHolds(step: SequenceStep, sequence: Sequence, enrollment: Enrollment, deps: AdvanceDeps): Promise<boolean> {
  const when = step.when;
  if (!when) return true;
  if (when.attendedWebinar !== undefined) {
    const registrations = await deps.webinars.listRegistrationsOfContact(enrollment.contactId);
    const attended = registrations.some((registrant) => registrant.attended && registrant.registeredAt >= enrollment.enrolledAt);
    return attended === when.attendedWebinar;
  }
  const [type, stepId, expected] =
    when.opened !== undefined ? ['open', when.opened, true]
    : when.notOpened !== undefined ? ['open', when.notOpened, false]
    : when.clicked !== undefined ? ['click', when.clicked, true]
    : ['click', when.notClicked ?? '', false];
  const runId = sequenceRunId(stepId as string, enrollment.enrolledAt);
  // A click later found to be a scanner's (honeypot, burst) counts as the machine's it was.
  const events = withReclassifiedClicks(await deps.engagement.listEventsOfContact(enrollment.contactId));
  const happened = events.some((event) => event.type === type && !event.machine && event.campaignId === sequence.id && event.runId === runId);
  return happened === expected;
}

async function finish(enrollment: Enrollment, state: 'exited', reason: string, deps: AdvanceDeps): Promise<StepOutcome> {
  const ended: Enrollment = { ...withoutNextStep(enrollment), state, exitReason: reason, version: enrollment.version + 1 };
  return (await deps.enrollments.updateEnrollment(ended, enrollment.version)) ? 'exited' : 'conflict';
}

function withoutNextStep(enrollment: Enrollment): Enrollment {
  const { nextStepAt: _dropped, ...rest } = enrollment;
  return rest;
}
