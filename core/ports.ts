/**
 * Ports the core declares and adapters implement (DynamoDB and SES in AWS and locally;
 * in-process scheduler and bus locally). Split by capability so a use case depends only
 * on what it touches.
 */
import type { CampaignRun } from './campaigns/campaign-run.ts';
import type { DispatchShardProgress, DispatchShardTask } from './campaigns/dispatch-shard.ts';
import type { Account } from './customers/account.ts';
import type { Contact } from './customers/contact.ts';
import type { CrmOutcome, PipelineFacts } from './qualification/crm-outcome.ts';
import type { CsqlPromotion, CsqlState, OutboxEntry } from './qualification/csql-promotion.ts';
import type { ScoreScope, ScoreUpdate, StoredScore } from './scoring/score.ts';
import type { LatestUsage, UsageRecord, UsageWriteOutcome } from './scoring/usage.ts';
import type { SurveyAnswer } from './surveys/survey-answer.ts';
import type { Enrollment } from './sequences/enrollment.ts';
import type { Send } from './sending/send.ts';
import type { SendingPause } from './sending/sending-pause.ts';
import type { DeferredSend, SendRequest, SkippedSend } from './sending/send-request.ts';
import type { EngagementEvent } from './tracking/engagement-event.ts';
import type { UnplacedSesEvent } from './tracking/ses-events/unplaced-ses-event.ts';
import type { MessageLinks, StoredMessageLinks } from './tracking/message-links.ts';
import type { Suppression } from './tracking/suppression.ts';
import type { ContactActivityCounts, ErasureCounts } from './privacy/erase-person.ts';
import type { AttendanceMark, Registrant, RegistrationAnswer, SessionState } from './webinars/webinar.ts';
import type { Tier } from './config/schema/common.ts';
import type { Schedule } from './config/schema/messages.ts';
import type { FirstKind, KpiMove, KpiRunRef, KpiSegment, RunCounters } from './reporting/kpi-counters.ts';
import type { KpiCounterDelta } from './reporting/count-kpi-changes.ts';
import type { RevenueEntry } from './customers/revenue-history.ts';

/** Time comes from here, never from `new Date()` in the core: tests and the demo use a virtual clock. */
export interface Clock {
  now(): Date;
}

/** What an upsert did: re-importing the same data must report every row `unchanged`. */
export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** An upsert refused because the address belongs to another contact (the unique email look-up). */
export interface EmailTaken {
  outcome: 'email-taken';
  /** The contact that owns the address. */
  ownerContactId: string;
}

export interface CustomerStore {
  /** Writes the CRM-owned fields of an account (an update: engine-owned state on the item is kept). */
  /** The account, and a revenue history entry when its revenue facts changed (core/customers/revenue-history.ts), in one write. */
  upsertAccount(account: Account, at: Date): Promise<UpsertOutcome>;
  /** The account's revenue history, oldest first. */
  revenueHistoryOf(accountId: string): Promise<RevenueEntry[]>;
  /** Every account's revenue changes reported from `from` to `to` (the month feed: one query per month), in no particular order. */
  revenueChangesBetween(from: Date, to: Date): Promise<RevenueEntry[]>;
  /**
   * Writes the CRM-owned fields of a contact (profile, locale, zone, account, consent, role) as an
   * update, never a whole-item replace: engine-owned state survives. `topicsOptedOut` from the CRM
   * only adds opt-outs it reports for the first time; it never removes one chosen in our pages.
   * The address is claimed in the unique email look-up in the same transaction.
   */
  upsertContact(contact: Contact, at: Date): Promise<UpsertOutcome | EmailTaken>;
  getAccount(accountId: string): Promise<Account | undefined>;
  getContact(contactId: string): Promise<Contact | undefined>;
  getContacts(contactIds: readonly string[]): Promise<Map<string, Contact>>;
  getAccounts(accountIds: readonly string[]): Promise<Map<string, Account>>;
  /** Which of these account ids exist. */
  existingAccountIds(accountIds: readonly string[]): Promise<Set<string>>;
  listAccountsByTier(tier: Tier): Promise<Account[]>;
  listContactsOfAccount(accountId: string): Promise<Contact[]>;
  /** The contact that owns this address (the unique email look-up), if any. */
  findContactByEmail(email: string): Promise<Contact | undefined>;
  /** Owners of these addresses: lower-cased address to contact id; unowned addresses are absent. */
  contactIdsByEmail(emails: readonly string[]): Promise<Map<string, string>>;
  /** Engine-owned state: adds topic opt-outs (atomic, idempotent); never touches CRM-owned fields. No-op for an unknown contact. */
  addTopicOptOuts(contactId: string, topics: readonly string[], at: Date): Promise<void>;
  /** Engine-owned state: the preference centre's choice replaces the contact's topic opt-outs. */
  setTopicOptOuts(contactId: string, topics: readonly string[], at: Date): Promise<void>;
  /** Every contact, page by page (the sharded listing, one page in memory at a time). */
  listContacts(): AsyncIterable<Contact[]>;
}

/** One page of a contact-list shard, and where the next one starts (absent after the last page). */
export interface ContactPage {
  contacts: Contact[];
  /** Opaque: the store's last evaluated key. */
  cursor?: string;
}

/**
 * The contact listing a campaign run fans out over: a fixed number of partitions, each read page
 * by page from a cursor, so a worker holds one page at a time and can resume from a checkpoint.
 * A run's workers share the partitions out (core/sending/run-fan-out.ts).
 */
export interface ContactListing {
  /** How many partitions the listing has. */
  readonly partitions: number;
  /** Up to `limit` contacts of `partition` after `cursor` (undefined: from the start). */
  page(partition: number, cursor: string | undefined, limit: number): Promise<ContactPage>;
  /** About how many contacts there are, read cheaply: it sizes a run's fan-out, never decides who is listed. */
  estimateContacts(): Promise<number>;
}

/** Per (run, shard) checkpoints of a campaign run's dispatch (a shard: the list partitions one worker reads). */
export interface DispatchProgressStore {
  /** The shard's progress (a consistent read); undefined before its first page is saved. */
  shardProgress(campaignId: string, runId: string, shard: number): Promise<DispatchShardProgress | undefined>;
  /**
   * Saves a page's checkpoint (cursor and cumulative counts) in one write, conditional on the
   * stored progress being the page before it (`pages - 1`); false when another worker saved it first.
   */
  savePage(progress: DispatchShardProgress): Promise<boolean>;
  /** Every saved shard progress of a run (one query). */
  listShardProgress(campaignId: string, runId: string): Promise<DispatchShardProgress[]>;
}

/** Where a run's shard tasks go: an SQS queue consumed by the dispatch-shard function in AWS. */
export interface DispatchShardQueue {
  enqueueShards(tasks: readonly DispatchShardTask[]): Promise<void>;
}

export interface CampaignRunStore {
  /** False when the run already exists: the caller is a duplicate invocation. */
  createRun(run: CampaignRun): Promise<boolean>;
  getRun(campaignId: string, runId: string): Promise<CampaignRun | undefined>;
  listRuns(campaignId: string): Promise<CampaignRun[]>;
  setRunState(campaignId: string, runId: string, state: CampaignRun['state'], counts?: Record<string, number>): Promise<void>;
}

export interface SendStore {
  /** Conditional create; false when this email was already claimed by anyone. */
  claimSend(send: Send): Promise<boolean>;
  /** Conditional create; when the email was already claimed, the send holding it, read by the same request. */
  claimSendOrGetHolder(send: Send): Promise<{ claimed: true } | { claimed: false; holder: Send }>;
  /**
   * The send went out: its state, once; a repeat changes nothing. The run's `sent` KPI count
   * follows (per tier and locale, `segment`): in DynamoDB from the table's stream
   * (core/reporting/count-kpi-changes.ts), in memory at once.
   */
  markSent(send: Pick<Send, 'campaignId' | 'runId' | 'contactId'>, messageId: string, sentAt: Date, segment?: KpiSegment): Promise<void>;
  markFailed(send: Pick<Send, 'campaignId' | 'runId' | 'contactId'>, reason: string): Promise<void>;
  getSend(campaignId: string, runId: string, contactId: string): Promise<Send | undefined>;
  findSendByMessageId(messageId: string): Promise<Send | undefined>;
  listSendsOfRun(campaignId: string, runId: string): Promise<Send[]>;
  /** Emails sent to a contact since `since`, across campaigns (frequency caps). */
  countSendsToContactSince(contactId: string, since: Date): Promise<number>;
  /** When emails were sent to a contact since `since`, across campaigns (one query). */
  sendTimesOfContactSince(contactId: string, since: Date): Promise<Date[]>;
  /** Deletes a claim this worker holds (SES did not accept the email), so a retry can claim again. */
  releaseClaim(send: Pick<Send, 'campaignId' | 'runId' | 'contactId'>, claimToken: string): Promise<void>;
  /** Records why contacts were not emailed (batched, idempotent). Never touches claims. */
  recordSkips(skips: readonly SkippedSend[]): Promise<void>;
  listSkipsOfRun(campaignId: string, runId: string): Promise<SkippedSend[]>;
  /** Parks sends until `notBefore` (quiet hours, send window, holidays). */
  deferSends(deferred: readonly DeferredSend[]): Promise<void>;
  /** Parked sends due at or before `now` (indexed query over a sparse index). */
  listDueDeferredSends(now: Date, limit: number): Promise<DeferredSend[]>;
  /** How many shards the due index of parked sends has. */
  readonly deferredShards: number;
  /** Up to `limit` parked sends of one due-index shard due at or before `now`, oldest first (one query). */
  dueDeferredSendsOfShard(shard: number, now: Date, limit: number): Promise<DeferredSend[]>;
  removeDeferredSends(deferred: readonly DeferredSend[]): Promise<void>;
  /** Stores the tracked links of an email once per link set (conditional put); false when already stored. */
  saveMessageLinks(links: MessageLinks): Promise<boolean>;
  /** A stored link set with its per-link click counts; undefined when there is none. */
  getMessageLinks(messageId: string, runId: string, linkSet: string): Promise<StoredMessageLinks | undefined>;
  /** Every stored link set of a run with its click counts (the link report). */
  listMessageLinksOfRun(messageId: string, runId: string): Promise<StoredMessageLinks[]>;
  /**
   * The recipient's opens, clicks and click reclassifications of one email (campaign or sequence
   * id, run) since `since`, newest first: one bounded, strongly consistent query of the contact's
   * events (at most `limit` of them looked at), so a click sees the clicks just before it.
   */
  trackedEventsOfSend(messageId: string, runId: string, contactId: string, since: Date, limit: number): Promise<EngagementEvent[]>;
}

/** What writing an event with its score moves did: stale scores must be rebased, then it is retried. */
export type ScoredEventWrite =
  | { outcome: 'recorded' | 'duplicate' }
  | { outcome: 'stale-epoch'; staleScores: Array<{ scope: ScoreScope; id: string; epoch: number }> };

/** How use cases record an engagement event: through the one path that scores it (core/scoring/record-engagement.ts). */
export interface EngagementRecorder {
  /** False when the same event id was already recorded (at-least-once delivery). */
  recordEvent(event: EngagementEvent): Promise<boolean>;
}

export interface EngagementStore {
  /**
   * The event (conditional on its id being new) and its score updates, all or nothing. A score
   * stored against another epoch than its update's fails the write and is reported back. The
   * event's KPI move (`kpi`) follows: in DynamoDB from the table's stream, in memory at once.
   */
  recordScoredEvent(event: EngagementEvent, scores: readonly ScoreUpdate[], kpi?: KpiMove): Promise<ScoredEventWrite>;
  listEventsOfContact(contactId: string): Promise<EngagementEvent[]>;
  /** A contact's latest events, newest first, at most `limit` (one bounded query: explanations). */
  recentEventsOfContact(contactId: string, limit: number): Promise<EngagementEvent[]>;
  /** A campaign's clicks and click reclassifications (the only events indexed by campaign: who clicked). */
  listClicksOfCampaign(campaignId: string): Promise<EngagementEvent[]>;
  /** An SES event of no known send or contact (kept without the address); false when already recorded. */
  recordUnplacedSesEvent(event: UnplacedSesEvent): Promise<boolean>;
  /** Unplaced SES events of a month (`yyyy-mm`), oldest first. */
  listUnplacedSesEvents(month: string): Promise<UnplacedSesEvent[]>;
}

export interface SuppressionStore {
  /** False when the address was already suppressed (the first reason is kept). */
  suppress(suppression: Suppression): Promise<boolean>;
  /** The suppressed subset of these addresses. */
  suppressedAmong(emails: readonly string[]): Promise<Map<string, Suppression>>;
}

export interface WebinarStore {
  /** Creates the session's state (from the config) when it does not exist yet; returns the stored state. */
  ensureSession(initial: SessionState): Promise<SessionState>;
  getSession(webinarId: string, sessionId: string): Promise<SessionState | undefined>;
  /** Replaces the state when its stored revision is still `expectedRevision`; false when someone changed it first. */
  updateSession(next: SessionState, expectedRevision: number): Promise<boolean>;
  /** Records the platform's actual start / end (a later report of the same end changes nothing). */
  recordSessionRun(webinarId: string, sessionId: string, run: { startedAt?: Date; endedAt?: Date }): Promise<void>;
  /** Sets `followUpsPlannedAt` once (conditional); false when follow-ups were already planned. */
  markFollowUpsPlanned(webinarId: string, sessionId: string, at: Date): Promise<boolean>;
  /** Conditional create; false when this address is already registered for the session (nothing changes). */
  register(registrant: Registrant): Promise<boolean>;
  getRegistrant(webinarId: string, sessionId: string, email: string): Promise<Registrant | undefined>;
  /** Registrants of a session, or of every session of the webinar. */
  listRegistrants(webinarId: string, sessionId?: string): Promise<Registrant[]>;
  listRegistrationsOfContact(contactId: string): Promise<Registrant[]>;
  /** Registrants whose address was no contact's when they registered (a sparse index), oldest first. */
  listUnmatchedRegistrants(limit: number): Promise<Registrant[]>;
  /** Joins a registrant to its contact (and takes it off the unmatched index); false when already matched. */
  matchRegistrant(registrant: Registrant, contactId: string, accountId: string): Promise<boolean>;
  /** Adds answers not already stored (by question); a resent answer changes nothing. */
  addAnswers(webinarId: string, sessionId: string, email: string, answers: readonly RegistrationAnswer[]): Promise<void>;
  /** Writes the watch-time summary of registrants (batched puts of the whole items). */
  saveRegistrants(registrants: readonly Registrant[]): Promise<void>;
  /** Stores join / leave marks and stays (idempotent puts). */
  recordAttendance(marks: readonly AttendanceMark[]): Promise<void>;
  listAttendance(webinarId: string, sessionId: string): Promise<AttendanceMark[]>;
}

export interface EnrollmentStore {
  /** False when the contact is already enrolled in the sequence. */
  enroll(enrollment: Enrollment): Promise<boolean>;
  getEnrollment(contactId: string, sequenceId: string): Promise<Enrollment | undefined>;
  /** Which of these contacts have an enrollment (any state) in the sequence (batched reads). */
  enrolledAmong(sequenceId: string, contactIds: readonly string[]): Promise<Set<string>>;
  /** Conditional on `expectedVersion`; false when someone else advanced it first. */
  updateEnrollment(enrollment: Enrollment, expectedVersion: number): Promise<boolean>;
  /**
   * One page of a due-index shard: up to `limit` enrollments due at or before `now`, oldest first,
   * after `cursor`; `cursor` is absent after the last page.
   */
  dueEnrollmentPage(shard: number, now: Date, cursor: string | undefined, limit: number): Promise<{ enrollments: Enrollment[]; cursor?: string }>;
  /** How many shards the due index has. */
  readonly dueShards: number;
}

export interface ScoreStore {
  getScore(scope: ScoreScope, id: string): Promise<StoredScore | undefined>;
  /** Scores of many ids in batched reads; ids without a score are absent. */
  getScores(scope: ScoreScope, ids: readonly string[]): Promise<Map<string, StoredScore>>;
  /** Rebasing: writes `next` when the stored score is still exactly `expected`; false otherwise. */
  replaceScore(expected: StoredScore, next: StoredScore): Promise<boolean>;
}

/** Product usage (ingest API, ProductUsageReported events): raw records and the latest value per metric. */
export interface UsageStore {
  /**
   * Stores each record once (conditional put keyed by account, instant and record id; raw records
   * expire like engagement events) and moves the account's latest value of each metric to the
   * record's, only when the record is newer than the stored value of that metric.
   */
  recordUsage(records: readonly UsageRecord[]): Promise<UsageWriteOutcome>;
  /** The latest value per metric of an account; undefined when it never reported usage. */
  latestUsage(accountId: string): Promise<LatestUsage | undefined>;
  /** The raw records of an account, oldest first. */
  listUsageRecords(accountId: string): Promise<UsageRecord[]>;
  /**
   * Each metric's value as it stood at `instant` (the newest of the account's last records at or
   * before it; one bounded read whatever the history): what a rising-usage rule compares with.
   */
  usageAsOf(accountId: string, instant: Date): Promise<Record<string, number>>;
}

/** Survey answers (core/surveys): one item per contact and survey, saved with its churn-risk event when there is one. */
export interface SurveyStore {
  /**
   * One transaction: the answer (conditional on the revision read, 0 = no answer yet) and, when
   * given, the outbox entry of its churn-risk event. False when the answer moved since it was read.
   */
  saveAnswer(answer: SurveyAnswer, expectedRevision: number, outbox?: OutboxEntry): Promise<boolean>;
  /** The contact's answer to the survey (a consistent read), if any. */
  getAnswer(surveyId: string, contactId: string): Promise<SurveyAnswer | undefined>;
  /** Every answer to a survey (one partition). */
  listAnswers(surveyId: string): Promise<SurveyAnswer[]>;
  /** Every answer of an account's contacts, to every survey (an index query; small). */
  answersOfAccount(accountId: string): Promise<SurveyAnswer[]>;
}

/** What the CRM reported back (CSQL accepted / rejected, opportunities) and the account's pipeline now. */
export interface PipelineStore {
  /**
   * Stores the outcome once and moves the account's pipeline with it: an opportunity's status and
   * the latest rejection move only forward in time, so resent and out-of-order reports converge.
   * False when this outcome was already stored (the pipeline is still brought up to date).
   */
  recordOutcome(outcome: CrmOutcome): Promise<boolean>;
  /** Open opportunities and the latest rejection: one query of a small partition. */
  pipelineOf(accountId: string): Promise<PipelineFacts>;
  /** Every outcome of the account, oldest first. */
  listOutcomesOfAccount(accountId: string): Promise<CrmOutcome[]>;
}

export interface CsqlStore {
  /** False when this account already has a promotion at that instant. */
  recordPromotion(promotion: CsqlPromotion): Promise<boolean>;
  listPromotionsOfAccount(accountId: string): Promise<CsqlPromotion[]>;
  listPromotionsSince(since: Date): Promise<CsqlPromotion[]>;
  getState(accountId: string): Promise<CsqlState | undefined>;
  /** Current CSQL states of many accounts (batched reads); accounts never evaluated are absent. */
  getStates(accountIds: readonly string[]): Promise<Map<string, CsqlState>>;
  /**
   * One transaction: the promotion (audit record), the new state (conditional on the version read,
   * 0 = no state yet) and the outbox entry of its event. False when the state moved since it was read.
   */
  promote(promotion: CsqlPromotion, next: CsqlState, expectedVersion: number, outbox: OutboxEntry): Promise<boolean>;
  /** One transaction: the new state (conditional on the version read) and the outbox entry. */
  demote(next: CsqlState, expectedVersion: number, outbox: OutboxEntry): Promise<boolean>;
  /** Outbox entries not published yet, oldest first (a sparse index). */
  listUnpublished(limit: number): Promise<OutboxEntry[]>;
  /** Takes published entries off the outbox (idempotent). */
  markPublished(ids: readonly string[]): Promise<void>;
}

/** Where events that leave the engine go: EventBridge in AWS, an in-process bus locally. */
export interface EventBus {
  /** Publishes; returns the ids the bus did not take (they stay in the outbox and are retried). */
  publish(entries: readonly OutboxEntry[]): Promise<{ failedIds: string[] }>;
}

/** The pause switch: stored pauses of all sending or of one campaign / sequence. */
export interface SendingPauseStore {
  /** Pauses (or re-pauses with a new reason); idempotent. */
  pause(pause: SendingPause): Promise<void>;
  /**
   * Pauses a scope not paused yet, with the outbox entry of its event, in one write; false (and
   * nothing written) when the scope is already paused. The reputation guard's pause.
   */
  pauseOnce(pause: SendingPause, outbox: OutboxEntry): Promise<boolean>;
  /** False when that scope was not paused. */
  resume(scope: string): Promise<boolean>;
  /** Every current pause (one small query: the dispatcher and the sender read it per run / batch). */
  listPauses(): Promise<SendingPause[]>;
}

/** KPI counters kept per email run (core/reporting/kpi-counters.ts), moved by the engagement path and the sender. */
export interface KpiStore {
  /** Every run's counters of a campaign, sequence or webinar (one query: runs, never sends or events). */
  runCountersOf(messageId: string): Promise<RunCounters[]>;
  /** One run's counters, read consistently. */
  runCounters(messageId: string, runId: string): Promise<RunCounters | undefined>;
}

/**
 * The counters' side of the change stream (core/reporting/count-kpi-changes.ts): what each attempt
 * of a batch applied, per counter, and the first-of-kind markers.
 */
export interface KpiBatchStore {
  /** What earlier attempts of the batch applied, per counter (none for a batch seen the first time). */
  appliedOf(batchId: string): Promise<KpiCounterDelta[]>;
  /**
   * Moves the counter by `next` minus `previous` and records `next` as the batch's, in one write.
   * 'conflict' (nothing written) when the batch's record is no longer `previous`; 'missing' when the
   * counter may not be created (a link set the run never stored).
   */
  applyDelta(batchId: string, previous: KpiCounterDelta | undefined, next: KpiCounterDelta): Promise<'applied' | 'conflict' | 'missing'>;
  /** True when the contact's first-of-kind marker is `sourceId`'s: claimed now, or by an earlier attempt of the same change. */
  claimFirst(run: KpiRunRef, contactId: string, kind: FirstKind, sourceId: string, at: string): Promise<boolean>;
}

/**
 * Claims whose worker died before recording what SES did (stranded-claims.ts): listed for ops
 * through a sparse index, and resolved one way or the other, each by a conditional write.
 */
export interface StrandedClaimStore {
  /** The abandoned claim becomes a stranded send with the request; false when the claim changed meanwhile. */
  markStranded(send: Send, request: SendRequest, at: Date): Promise<boolean>;
  /** Every stranded send, oldest claim first. */
  listStranded(): Promise<Send[]>;
  /** The SES event that shows SES took this email (send, delivery, bounce, ...), if one was recorded for it. */
  sesEventOf(send: Send): Promise<{ sesMessageId: string; occurredAt: string } | undefined>;
  /** Sends it again: parks the request due at `at` and deletes the stranded send, in one transaction; false when it is no longer stranded. */
  resendStranded(send: Send, at: Date): Promise<boolean>;
  /** Gives up on it: failed with the reason, off the stranded list; false when it is no longer stranded. */
  failStranded(send: Send, reason: string): Promise<boolean>;
}

/** What erasing one person does to each item kind (core/privacy/erase-person.ts); every method is idempotent. */
export interface ErasureStore {
  /** How the address is suppressed now: by the address itself, only by its hash, or not at all. */
  suppressionState(address: string): Promise<'plain' | 'hashed' | 'none'>;
  /** The person's registrations: those joined to the contact, and those kept by one of the addresses (no contact yet). */
  registrationsOf(contactId: string | undefined, addresses: readonly string[]): Promise<Registrant[]>;
  /**
   * Replaces a registration by an anonymous one of the same session (registered, attended, watch
   * time kept; address, name, answers and contact gone) and moves its attendance marks to it, without
   * the address or name: the session's figures do not change. How many marks moved.
   */
  anonymiseRegistration(registrant: Registrant): Promise<{ attendanceMarks: number }>;
  /**
   * Deletes what is keyed by the contact id (events, contact score, enrollments, parked sends) and,
   * with the account id, removes the contact from the account's usage records and the comment from
   * its survey answers.
   */
  eraseContactActivity(contactId: string, accountId: string | undefined): Promise<ContactActivityCounts>;
  /** Keeps the address's suppression as its hash only; creates a hashed one (`fallback`) when there was none. */
  keepSuppressionAsHash(address: string, fallback: Omit<Suppression, 'email'>): Promise<'hashed' | 'created' | 'already-hashed'>;
  /** Deletes the contact's profile and its email look-up, in one write. */
  deleteContact(contactId: string, email: string): Promise<Pick<ErasureCounts, 'contacts' | 'emailLookUps'>>;
}

export interface Store {
  erasure: ErasureStore;
  kpis: KpiStore;
  strandedClaims: StrandedClaimStore;
  customers: CustomerStore;
  campaignRuns: CampaignRunStore;
  sends: SendStore;
  engagement: EngagementStore;
  suppressions: SuppressionStore;
  webinars: WebinarStore;
  enrollments: EnrollmentStore;
  scores: ScoreStore;
  contactListing: ContactListing;
  dispatchProgress: DispatchProgressStore;
  csql: CsqlStore;
  pauses: SendingPauseStore;
  usage: UsageStore;
  pipeline: PipelineStore;
  surveys: SurveyStore;
}

/** A recurring or one-off job the scheduler fires (EventBridge Scheduler in AWS, in-process locally). */
export interface ScheduledJob {
  id: string;
  schedule: Schedule;
  /** Receives the instant the job was due, which identifies the run. */
  run(scheduledFor: Date): Promise<void>;
}

export interface Scheduler {
  add(job: ScheduledJob): void;
  stop(): void;
}

/** The send queue: SQS in AWS, an in-process queue with the same semantics locally. */
export interface SendQueue {
  enqueue(requests: readonly SendRequest[]): Promise<void>;
}

export interface OutgoingEmail {
  from: { email: string; name: string };
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  headers: Array<{ name: string; value: string }>;
  /** SES email tags: campaign, run, contact, so events can be joined back. */
  tags: Record<string, string>;
  configurationSet: string;
}

/**
 * How a mailer failure must be handled: only a throttle, a refused connection or an account-level
 * refusal is safe to retry.
 * - `account-level`: the provider refused the sending account or its setup, not this email (SES
 *   sending paused or suspended, credentials or permissions wrong, the sender identity or
 *   configuration set unusable, the daily quota spent). The email was certainly not accepted, and
 *   no other email can go either: the sender releases the claim and stops the batch. The error's
 *   message is then the provider's error name alone (e.g. `SendingPausedException`), because it is
 *   logged and put in metrics, where no address may appear.
 */
export type MailerFailureKind = 'throttled' | 'not-sent-retryable' | 'account-level' | 'permanent' | 'unknown-outcome';

/** A send the mailer could not complete, classified by the adapter: `kind` decides claim and retry. */
export class MailerError extends Error {
  constructor(
    readonly kind: MailerFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'MailerError';
  }
}

export interface Mailer {
  /** Returns the provider message id, or throws a MailerError. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  /** The account's maximum send rate, emails per second (SES GetAccount). */
  maxSendRate(): Promise<number>;
}
