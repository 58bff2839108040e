/**
 * Use case: move nurture sequences forward. Finds the enrollments whose next step is due
 * (an indexed query), exits those that must stop (unsubscribed, became a CSQL, left the
 * phase), evaluates the step's condition (opened / clicked an earlier step, attended a
 * webinar), sends through the same guardrails and queue as campaigns, then advances the
 * enrollment with an optimistic version check so two workers cannot both advance it.
 * The email is queued before the enrollment advances: a crash in between re-queues it,
 * and the sender's claim makes the copy a no-op.
 *
 * Bounded: due enrollments are read one due-index shard and one page at a time (each handled one
 * leaves the due range, so no checkpoint is needed), a branch reads only the step's own opens and
 * clicks since the enrollment started (one key-range query), and with a time budget the run stops
 * before the invocation's limit; the rest is still due and goes on the next run.
 */
import { parseDuration } from '../config/duration.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { Sequence, SequenceStep } from '../config/schema/messages.ts';
import type { Contact } from '../customers/contact.ts';
import type { Account } from '../customers/account.ts';
import type { Clock, CsqlStore, CustomerStore, EnrollmentStore, SendQueue, SendStore, SuppressionStore, WebinarStore } from '../ports.ts';
import { decideForMembers, guardrailContext, partition } from '../sending/dispatch-campaign.ts';
import { sequenceRunId } from './enroll-contacts.ts';
import type { Enrollment } from './enrollment.ts';
import { withReclassifiedClicks } from '../tracking/recipient-clicks.ts';
import { mapBounded } from '../bounded-parallel.ts';

/** Due enrollments read per query. */
export const ENROLLMENT_PAGE_SIZE = 100;
/** Enrollments of a shard's page advanced at once (each is a handful of reads and one conditional write). */
const ADVANCE_CONCURRENCY = 4;
/** Stop when less than this is left of the invocation: a page takes a few seconds at most. */
export const SEQUENCE_TIME_RESERVE_MS = 60_000;
/**
 * Events of one step's email looked at for a branch (opened / clicked): a person's opens and clicks
 * of one email since enrolling, far more than anyone makes.
 */
const BRANCH_EVENTS_LIMIT = 1_000;

export interface AdvanceOptions {
  /** Milliseconds left in this invocation; absent, no limit. */
  timeLeftMs?: () => number;
  pageSize?: number;
}

export interface AdvanceDeps {
  config: EngineConfig;
  customers: CustomerStore;
  enrollments: EnrollmentStore;
  webinars: WebinarStore;
  csql: CsqlStore;
  sends: SendStore;
  suppressions: SuppressionStore;
  queue: SendQueue;
  clock: Clock;
}

export type StepOutcome = 'queued' | 'deferred' | 'skipped' | 'condition-not-met' | 'exited' | 'conflict';

export async function advanceDueEnrollments(deps: AdvanceDeps, options: AdvanceOptions = {}): Promise<Map<StepOutcome, number>> {
  const now = deps.clock.now();
  const counts = new Map<StepOutcome, number>();
  const guard = guardrailContext(deps.config);
  // The shards side by side, each a page at a time.
  const advanceShard = async (shard: number) => {
    let cursor: string | undefined;
    do {
      if (options.timeLeftMs && options.timeLeftMs() < SEQUENCE_TIME_RESERVE_MS) return;
      const page = await deps.enrollments.dueEnrollmentPage(shard, now, cursor, options.pageSize ?? ENROLLMENT_PAGE_SIZE);
      for (const outcome of await mapBounded(page.enrollments, ADVANCE_CONCURRENCY, (enrollment) => advanceOne(enrollment, now, guard, deps))) {
        counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      }
      cursor = page.cursor;
    } while (cursor);
  };
  await Promise.all(Array.from({ length: deps.enrollments.dueShards }, (_, shard) => advanceShard(shard)));
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
  // Only that email's opens and clicks since enrolling (one key-range query), not the whole history.
  // A click later found to be a scanner's (honeypot, burst) counts as the machine's it was.
  const events = withReclassifiedClicks(await deps.sends.trackedEventsOfSend(sequence.id, runId, enrollment.contactId, new Date(enrollment.enrolledAt), BRANCH_EVENTS_LIMIT));
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
