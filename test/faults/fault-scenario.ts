/**
 * The fault scenario, shared by the fault suite (test/faults/) and `npm run bench -- faults`: one
 * campaign run to a few thousand contacts, a nurture sequence step, and the follow-ups of a webinar
 * session, on DynamoDB Local, with faults injected from a seeded random source everywhere they
 * happen in AWS:
 *
 * - DynamoDB: requests throttled before the table saw them, and answers lost after it applied them
 *   (in every job: enrollment, registrations, attendance, dispatch, the sequence job, the release
 *   job, the sender, event ingestion, CSQL qualification, the outbox publisher);
 * - SES: throttling, 5xx, timeouts after accepting, a stretch where the account is refused;
 * - the send queue: duplicate deliveries processed concurrently (conditional-write races),
 *   shuffled receive order, workers killed mid-batch before and after SES accepted;
 * - the dispatcher: killed mid-run between queueing a page and its checkpoint, then resumed;
 * - SES events (Delivery, Bounce, Complaint) and opens ingested duplicated, reordered and retried;
 * - EventBridge PutEvents: calls refused, partial failures (per-entry ErrorCode), answers lost
 *   after the bus took the events; a CRM-side receiver dedupes by event id.
 *
 * Frequency caps (2 bulk emails per 7 days) hold some sends at the sequence job and at release.
 * Then it settles as ops would (clock past the claim lease, drain, `sends stranded --resolve` with
 * SES's Delivery events for what it took, the release job, drain again) and reads back, without
 * faults, what happened to each intended email, the runs' counters, the scores against a clean
 * replay of the same distinct events and webinar facts into a second table, and the promotions
 * against what the CRM received.
 */
import { ensureTable } from '../../adapters/aws/dynamo/create-table.ts';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { InProcessQueue, type ReceivedMessage } from '../../adapters/local/in-process-queue.ts';
import { mapBounded } from '../../core/bounded-parallel.ts';
import type { DispatchProgressStore, Store } from '../../core/ports.ts';
import { publishOutbox } from '../../core/qualification/publish-outbox.ts';
import { qualifiedEvent } from '../../core/qualification/csql-promotion.ts';
import { qualifyAccounts } from '../../core/qualification/qualify-accounts.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';
import type { ScoreScope, StoredScore } from '../../core/scoring/score.ts';
import { dispatchCampaignRun, type DispatchOutcome } from '../../core/sending/dispatch-campaign.ts';
import { frequencyCaps } from '../../core/sending/guardrails.ts';
import { releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { CLAIM_LEASE_MS, reviewStrandedClaims } from '../../core/sending/stranded-claims.ts';
import { advanceDueEnrollments } from '../../core/sequences/advance-enrollments.ts';
import { enrollAccounts, sequenceRunId } from '../../core/sequences/enroll-contacts.ts';
import { signToken } from '../../core/tracking/link-token.ts';
import { recordOpen } from '../../core/tracking/record-open.ts';
import { ingestSesEvent } from '../../core/tracking/ses-events/record-ses-event.ts';
import { importAttendance } from '../../core/webinars/record-attendance.ts';
import { registerForWebinar, type WebinarDeps } from '../../core/webinars/register-for-webinar.ts';
import { webinarRunId, webinarSource } from '../../core/webinars/webinar-source.ts';
import { SEND_MAX_RECEIVE_COUNT, SENDER_TIMEOUT } from '../../infra/stateless-stack.ts';
import { localDynamoClient } from '../../local/dynamodb-local.ts';
import { seededRandom } from '../../local/demo-customers.ts';
import { loadSesFixture, type SesFixtureName } from '../fixtures/ses/index.ts';
import { senderDeps, TEST_TOKEN_SECRET } from '../support/sending-fixtures.ts';
import { faultyDynamoClient } from './faulty-dynamo.ts';
import { faultyEventBus } from './faulty-event-bus.ts';
import { runUntilThrough } from './job-invocation.ts';
import { FaultySes } from './faulty-ses.ts';
import { openLocalKpiStream } from '../../local/kpi-stream.ts';
import { acceptedKey, readBackEmails, sendKey, type Endings, type IntendedEmail } from './intended-emails.ts';
import { ACCOUNTS, ENROLLED_ACCOUNTS, faultScenarioConfig, SCENARIO_START, scenarioContacts, seedContacts, seedEarlierSends, WEBINAR, webinarFacts } from './scenario-setup.ts';

export interface FaultScenarioOptions {
  /** DynamoDB Local's endpoint; the scenario creates its two tables there. */
  endpoint: string;
  tablePrefix: string;
  contacts: number;
  seed: number;
  /** Off: the same scenario with no fault injected anywhere (the bench's same-run baseline). */
  faults?: boolean;
}

export interface FaultTotals extends Endings {
  /** The same endings per kind of email: the campaign run, the sequence step, the webinar follow-ups. */
  byKind: Record<IntendedEmail['kind'], Endings>;
  strandedResolved: number;
  /** Stranded sends still waiting for ops after the settle (listed by `npm run sends -- stranded`). */
  strandedLeft: number;
  /** Requests in the dead-letter queue, copies of emails that ended otherwise included. */
  deadLetterMessages: number;
  /** Emails SES accepted more than once (same message, run and recipient). */
  duplicates: number;
  /** Emails SES accepted that the engine recorded as failed (a timeout after SES took it): visible, never resent. */
  failedButAccepted: number;
  /** Bulk emails skipped for a frequency cap (at the sequence job or when released), and parked sends released. */
  capSkipped: number;
  skipReasons: Record<string, number>;
  released: number;
  /** Runs whose sent counter, sent items and SES-accepted emails disagree. */
  counterErrors: string[];
  /** Runs whose SES-event counters differ from the distinct events ingested. */
  sesCounterErrors: string[];
  lostExamples: string[];
  /** Contacts and accounts whose score differs from the clean replay's. */
  scoreMismatches: string[];
  scoresCompared: number;
  /** Scored webinar signals (registered, attended, no-show) in the faulty table and the clean replay's. */
  webinarSignals: [number, number];
  promotions: {
    /** Promotions in the audit trail. */
    recorded: number;
    /** Events the CRM received (with re-publishes) and the distinct ones it kept. */
    delivered: number;
    unique: number;
    /** Promotions the CRM never received, events it received of no promotion, entries still in the outbox. */
    missing: string[];
    phantom: string[];
    unpublishedLeft: number;
    publisherRuns: number;
  };
  dispatcherRestarts: number;
  /** Batches of the table's stream the KPI consumer had to count again (a fault struck mid-batch). */
  kpiBatchRetries: number;
  /** Seconds each phase took (where the time goes). */
  phases: Record<string, number>;
  injected: Record<string, number>;
}

const START = SCENARIO_START;
/** As infra: the send queue's visibility timeout (six function timeouts plus the batch window). */
const VISIBILITY_MS = (6 * SENDER_TIMEOUT.toSeconds() + 1) * 1000;
const WORKERS = 4;
const BATCH = 10;
/** Stream records per KPI batch: small, so that a batch gets through the injected fault rate in a few attempts. */
const KPI_BATCH = 100;
const PAGE = 100;
const MINUTE = 60_000;
/** Events handled at once, as concurrent invocations of the event handler would. */
const INGEST_CONCURRENCY = 16;

export async function runFaultScenario(options: FaultScenarioOptions): Promise<FaultTotals> {
  const faults = options.faults ?? true;
  const random = seededRandom(options.seed);
  const chance = (share: number) => faults && random() < share;
  const cleanClient = localDynamoClient(options.endpoint);
  const faulty = faultyDynamoClient(options.endpoint, { throttledBefore: 0.01, lostAfterWrite: 0.004 }, seededRandom(options.seed + 1));
  const tableName = `${options.tablePrefix}-faulty`;
  const replayName = `${options.tablePrefix}-replay`;
  try {
    await ensureTable(cleanClient, tableName);
    await ensureTable(cleanClient, replayName, { stream: false });
    const { config, campaign, sequence } = await faultScenarioConfig();
    const contacts = scenarioContacts(options.contacts);
    await seedContacts(cleanClient, tableName, contacts);
    // The replay table gets the same people: the webinar's facts are replayed into it through the same use cases.
    await seedContacts(cleanClient, replayName, contacts);
    await seedEarlierSends(cleanClient, tableName, contacts, campaign.id);
    const emailOf = new Map(contacts.map((contact) => [contact.contactId, contact.email]));
    const store = createDynamoStore(faulty.client, tableName);
    const truth = createDynamoStore(cleanClient, tableName);
    const replay = createDynamoStore(cleanClient, replayName);

    const phases: Record<string, number> = {};
    let phaseStarted = performance.now();
    const phase = (name: string) => {
      phases[name] = Math.round((performance.now() - phaseStarted) / 100) / 10;
      phaseStarted = performance.now();
    };
    let now = START;
    const clock = { now: () => new Date(now) };
    const at = (instant: number) => {
      now = Math.max(now, instant);
    };
    const queue = new InProcessQueue({ visibilityTimeoutMs: VISIBILITY_MS, maxReceiveCount: SEND_MAX_RECEIVE_COUNT, now: () => now });
    const ses = new FaultySes(
      faults ? { throttled: 0.06, serverError: 0.005, timeout: 0.005, accountRefused: { from: 400, to: 430 } } : { throttled: 0, serverError: 0, timeout: 0, accountRefused: { from: 0, to: 0 } },
      seededRandom(options.seed + 2),
    );
    const eventBus = faultyEventBus(faults ? { refused: 0.15, entryFailed: 0.25, answerLost: 0.1 } : { refused: 0, entryFailed: 0, answerLost: 0 }, seededRandom(options.seed + 3));
    const injected = { duplicateDeliveries: 0, workersKilled: 0, eventDuplicates: 0, eventRetries: 0 };
    faulty.faulty = faults;

    // The webinar: registrations arrive one by one (redelivered until handled), then the attendance report (imported again until it goes through).
    const webinarDeps = (target: Store): WebinarDeps => ({ config, webinars: target.webinars, customers: target.customers, engagement: withEngagementPath(target, config.scoring, clock).engagement, sends: target.sends, clock });
    const facts = webinarFacts(contacts);
    const feedWebinar = async (target: Store) => {
      await mapBounded(facts.registrations, 8, (registration) =>
        runUntilThrough((run) => registerForWebinar({ webinarId: WEBINAR.webinarId, sessionId: WEBINAR.sessionId, email: registration.email, source: 'report', registeredAt: registration.registeredAt }, webinarDeps(run)), target),
      );
      await runUntilThrough((run) => importAttendance({ webinarId: WEBINAR.webinarId, sessionId: WEBINAR.sessionId, origin: 'report', stays: facts.stays, registrations: [] }, webinarDeps(run)), target);
    };
    await feedWebinar(store);
    phase('webinar');

    // The adoption sequence: the contacts of a few accounts enrolled; their welcome step is due at once.
    await runUntilThrough((run) => enrollAccounts(ENROLLED_ACCOUNTS, { ...run, config, clock }), store);
    phase('enrollment');

    // The dispatcher: killed once between queueing a page and its checkpoint, and again by any DynamoDB fault; each time invoked again.
    let pagesSaved = 0;
    const dyingOnce = (run: Store): DispatchProgressStore => ({
      ...run.dispatchProgress,
      shardProgress: (...args) => run.dispatchProgress.shardProgress(...args),
      listShardProgress: (...args) => run.dispatchProgress.listShardProgress(...args),
      savePage: async (next) => {
        if (faults && ++pagesSaved === 5) throw new Error('dispatcher killed after queueing a page, before its checkpoint');
        return run.dispatchProgress.savePage(next);
      },
    });
    let dispatched: DispatchOutcome | undefined;
    let dispatcherRestarts = 0;
    let kpiBatchRetries = 0;
    // About 1.4 % of requests fail and a page of 100 contacts makes about 110 (caps read each one's
    // history), so one page in five gets through an invocation: eight pages take about 40 restarts.
    for (; dispatcherRestarts < 1_000 && !dispatched; ) {
      // Not a fresh invocation per restart (job-invocation.ts): the killed run's other shards go on, as an overlapping invocation's would.
      try {
        dispatched = await dispatchCampaignRun(campaign, clock.now(), { ...store, runs: store.campaignRuns, config, queue, clock, dispatchProgress: dyingOnce(store) }, { pageSize: PAGE });
      } catch {
        dispatcherRestarts++;
      }
    }
    // Already dispatched: an earlier invocation's shards finished the run while this one was restarting.
    if (dispatched?.outcome !== 'dispatched' && dispatched?.outcome !== 'already-dispatched') throw new Error(`faults scenario: the run was not dispatched after ${dispatcherRestarts} restarts`);
    const runId = dispatched.runId;
    phase('dispatch');

    // The sender's workers: WORKERS batches at a time, shuffled, some delivered twice, some killed.
    const drain = async () => {
      for (let round = 0; round < 5_000 && queue.size > 0; round++) {
        const received = queue.receive(WORKERS * BATCH);
        for (const message of received) {
          if (chance(0.05)) {
            queue.sendMessage(message.body);
            injected.duplicateDeliveries++;
          }
        }
        received.push(...queue.receive(WORKERS * BATCH));
        if (received.length === 0) {
          // Nothing visible: what is left comes back after its visibility timeout.
          now += VISIBILITY_MS / 4;
          continue;
        }
        shuffle(received, random);
        const batches: ReceivedMessage[][] = [];
        for (let start = 0; start < received.length; start += BATCH) batches.push(received.slice(start, start + BATCH));
        await Promise.all(
          batches.map(async (batch) => {
            const killed = chance(0.04);
            // Killed workers alternate: one dies just after SES took an email, the next just before it reached SES
            // (by the deaths that struck: a worker whose batch ends before its death's call never dies).
            const mailer = ses.workerMailer(killed ? { atCall: Math.floor(random() * batch.length) } : undefined);
            const work = processSendBatch(
              batch.map((message) => ({ id: message.id, body: message.body })),
              { ...senderDeps(store, config, mailer, clock), newClaimToken: () => `claim-${random().toString(36).slice(2)}` },
            );
            if (killed) {
              // The worker died: nothing is acknowledged, its messages come back after the visibility timeout.
              injected.workersKilled++;
              void work.catch(() => {});
              return;
            }
            try {
              const { retryIds } = await work;
              const retry = new Set(retryIds);
              for (const message of batch) if (!retry.has(message.id)) queue.delete(message.id);
            } catch {
              // The whole invocation failed (e.g. a throttled read before any send): every record comes back.
            }
          }),
        );
        now += 1_000;
      }
    };
    await drain();
    phase('campaign sends');

    // The sequence job half an hour later (the campaign's emails are out: they count against the caps), run until nothing is due.
    at(START + 30 * MINUTE);
    for (let pass = 0; pass < 100; pass++) {
      const outcomes = await runUntilThrough((run) => advanceDueEnrollments({ ...run, config, queue, clock }), store);
      if (outcomes.size === 0) break;
    }
    await drain();

    // The release job: Tokyo's webinar follow-ups at 11:00 there, then New York's morning (parked campaign and sequence emails, caps checked again, follow-ups).
    const caps = frequencyCaps(config.guardrails);
    let released = 0;
    const release = async () => {
      released += await runUntilThrough((run) => releaseDeferredSends({ ...run, queue, clock, caps }), store);
      await drain();
    };
    at(WEBINAR.startsAt + WEBINAR.minutes * MINUTE + 2 * 3_600_000 + MINUTE);
    await release();
    at(Date.parse('2026-12-02T14:31:00Z'));
    await release();
    phase('sequence and release');

    // Settle as ops would: past the lease, drain what came back, resolve stranded claims with SES's Delivery events, release, drain.
    let strandedResolved = 0;
    const sesEventDeps = (target: Store, reads: Store) => ({
      sends: reads.sends,
      engagement: withEngagementPath(target, config.scoring, clock).engagement,
      suppressions: target.suppressions,
      customers: target.customers,
      topics: { kind: 'topics' as const, topics: [] },
      tagSecret: TEST_TOKEN_SECRET,
    });
    const acceptedByKey = new Map(ses.accepted.map((accepted) => [acceptedKey(accepted), accepted]));
    // SES's Delivery event of each stranded email, by SES message id: the one event SES publishes, delivered again later.
    const deliveredEarly = new Map<string, Date>();
    for (let pass = 0; pass < 10; pass++) {
      now += CLAIM_LEASE_MS + VISIBILITY_MS;
      await drain();
      const stranded = await truth.strandedClaims.listStranded();
      if (stranded.length === 0 && queue.size === 0) break;
      for (const accepted of ses.accepted) acceptedByKey.set(acceptedKey(accepted), accepted);
      for (const send of stranded) {
        const took = acceptedByKey.get(sendKey(send, emailOf.get(send.contactId) ?? ''));
        if (!took || deliveredEarly.has(took.sesMessageId)) continue;
        const deliveredAt = new Date(now);
        const delivery = sesEvent('delivery', took.email, took.sesMessageId, deliveredAt, `delivery-${took.sesMessageId}`);
        await runUntilThrough((run) => ingestSesEvent(delivery, sesEventDeps(run, run)), store);
        deliveredEarly.set(took.sesMessageId, deliveredAt);
      }
      now += 2 * 3_600_000;
      const reports = await runUntilThrough((run) => reviewStrandedClaims({ resolve: true, giveUp: false, olderThanMs: 3_600_000 }, { strandedClaims: run.strandedClaims, sends: run.sends, clock }), store);
      strandedResolved += reports.filter((report) => report.resolution === 'marked-sent' || report.resolution === 'resent').length;
      await release();
    }

    // What was intended: the campaign to every contact, the welcome step to every enrolled contact, a follow-up to every matched registrant.
    const intended: IntendedEmail[] = contacts.map((contact) => ({ kind: 'campaign', messageId: campaign.id, runId, contactId: contact.contactId, email: contact.email }));
    const enrolledContacts = contacts.filter((contact) => ENROLLED_ACCOUNTS.includes(contact.accountId));
    const firstStep = sequence.steps[0]?.id ?? '';
    for (const contact of enrolledContacts) {
      const enrollment = await truth.enrollments.getEnrollment(contact.contactId, sequence.id);
      if (!enrollment) continue;
      const endedWith = enrollment.state === 'exited' && enrollment.nextStepIndex === 0 ? enrollment.exitReason : undefined;
      intended.push({ kind: 'sequence', messageId: sequence.id, runId: sequenceRunId(firstStep, enrollment.enrolledAt), contactId: contact.contactId, email: contact.email, ...(endedWith ? { endedWith } : {}) });
    }
    const followUpRun = webinarRunId(webinarSource(WEBINAR.webinarId, WEBINAR.sessionId, 'follow-up'));
    for (const registrant of await truth.webinars.listRegistrants(WEBINAR.webinarId, WEBINAR.sessionId)) {
      if (registrant.contactId) intended.push({ kind: 'webinar', messageId: WEBINAR.webinarId, runId: followUpRun, contactId: registrant.contactId, email: registrant.email });
    }
    const settled = await readBackEmails(intended, truth, ses.accepted, queue.deadLetters);
    phase('settle');

    // SES events and opens for what was sent, ingested with faults, duplicates, reordering and retries.
    const acceptedById = new Map(ses.accepted.map((accepted) => [accepted.sesMessageId, accepted]));
    const events: Array<{ key: string; ingest: (target: Store, reads: Store) => Promise<unknown> }> = [];
    const expected = new Map<string, { delivered: number; bounced: number; complained: number; openers: number }>();
    for (const send of settled.sent) {
      const took = send.messageId ? acceptedById.get(send.messageId) : undefined;
      if (!took) continue;
      const run = `${send.campaignId}/${send.runId}`;
      const counts = expected.get(run) ?? { delivered: 0, bounced: 0, complained: 0, openers: 0 };
      expected.set(run, counts);
      const eventAt = new Date(START + 3_600_000 + events.length * 1_000);
      // Delivered already (to resolve a stranded claim): the same event again, never a bounce after it.
      const kind: SesFixtureName = !deliveredEarly.has(took.sesMessageId) && random() < 0.05 ? 'bounce-permanent' : 'delivery';
      const delivery = sesEvent(kind, took.email, took.sesMessageId, deliveredEarly.get(took.sesMessageId) ?? eventAt, `${kind}-${took.sesMessageId}`);
      events.push({ key: `${kind}-${took.sesMessageId}`, ingest: (target, reads) => ingestSesEvent(delivery, sesEventDeps(target, reads)) });
      if (kind === 'bounce-permanent') {
        counts.bounced++;
        continue;
      }
      counts.delivered++;
      if (random() < 0.03) {
        const complaint = sesEvent('complaint', took.email, took.sesMessageId, new Date(eventAt.getTime() + 60_000), `complaint-${took.sesMessageId}`);
        events.push({ key: `complaint-${took.sesMessageId}`, ingest: (target, reads) => ingestSesEvent(complaint, sesEventDeps(target, reads)) });
        counts.complained++;
      }
      if (random() < 0.3) {
        counts.openers++;
        const token = signToken({ purpose: 'open', messageId: send.campaignId, runId: send.runId, contactId: send.contactId }, TEST_TOKEN_SECRET);
        for (let open = 0; open < 1 + Math.floor(random() * 3); open++) {
          const openedAt = new Date(eventAt.getTime() + (open + 1) * 3_600_000);
          events.push({
            key: `open-${took.sesMessageId}-${open}`,
            ingest: (target, reads) =>
              recordOpen(token, { method: 'GET', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Thunderbird/128.0', ip: undefined }, {
                sends: reads.sends,
                engagement: withEngagementPath(target, config.scoring, { now: () => openedAt }).engagement,
                clock: { now: () => openedAt },
                tokenSecret: TEST_TOKEN_SECRET,
              }),
          });
        }
      }
    }
    const deliveries = [...events];
    for (const event of events) {
      if (chance(0.2)) {
        deliveries.push(event);
        injected.eventDuplicates++;
      }
    }
    shuffle(deliveries, random);
    // EventBridge retries a failed invocation: an event whose handler threw is delivered again later.
    let pending = deliveries;
    for (let round = 0; round < 50 && pending.length > 0; round++) {
      const failed: typeof pending = [];
      await mapBounded(pending, INGEST_CONCURRENCY, async (event) => {
        try {
          await event.ingest(store, store);
        } catch {
          failed.push(event);
        }
      });
      injected.eventRetries += failed.length;
      pending = shuffle(failed, random);
    }
    if (pending.length > 0) throw new Error(`faults scenario: ${pending.length} events still failing after 50 deliveries`);
    phase('events');

    // CSQL: the qualification job (rerun until it gets through), then the outbox publisher every minute until the outbox is empty.
    at(now + 15 * MINUTE);
    // Account by account, as the engagement path asks for one account's evaluation; one reported
    // `failed` (the job then ends in error) is asked again, as the scheduler's retry would.
    const qualifyOne = async (run: Store, accountId: string) => {
      const [outcome] = await qualifyAccounts([accountId], { ...run, config, clock });
      if (outcome?.decision === 'failed') throw new Error(`qualify ${accountId}: ${outcome.reason}`);
      return outcome;
    };
    await mapBounded(Array.from({ length: ACCOUNTS }, (_, index) => `fa${index}`), 4, (accountId) => runUntilThrough((run) => qualifyOne(run, accountId), store));
    phase('qualification');
    let publisherRuns = 0;
    for (; publisherRuns < 100; publisherRuns++) {
      if (publisherRuns > 0 && (await truth.csql.listUnpublished(1)).length === 0) break;
      try {
        await publishOutbox({ csql: store.csql, bus: eventBus.bus }, 4);
      } catch {
        // The run failed (the bus or the table): the scheduler runs it again a minute later.
      }
      now += MINUTE;
    }
    faulty.faulty = false;
    phase('outbox');

    // The clean replay: the same webinar facts and each distinct SES event once, no faults, into a second table (sends read from the first).
    await feedWebinar(replay);
    await mapBounded(events, INGEST_CONCURRENCY, (event) => event.ingest(replay, truth));
    phase('clean replay');

    // The KPI counters move from the faulty table's stream, through the same DynamoDB faults: a batch
    // that fails (throttled, or its answer lost after the write) is retried from its first record.
    const kpiStream = await openLocalKpiStream({
      client: faulty.client,
      endpoint: options.endpoint,
      tableName,
      batchSize: KPI_BATCH,
      logger: (entry) => void (entry.level === 'ERROR' && (kpiBatchRetries += 1)),
    });
    faulty.faulty = faults;
    await kpiStream.drain();
    faulty.faulty = false;
    phase('KPI stream');

    // Read back: the intended emails again (the events may have moved nothing but counters), the counters, the scores, the promotions.
    const emails = await readBackEmails(intended, truth, ses.accepted, queue.deadLetters);
    const sesCounterErrors: string[] = [];
    for (const [run, counts] of expected) {
      const [messageId = '', ...rest] = run.split('/');
      const counters = await truth.kpis.runCounters(messageId, rest.join('/'));
      const got = { delivered: counters?.totals.delivered ?? 0, bounced: counters?.totals.bounced ?? 0, complained: counters?.totals.complained ?? 0, openers: counters?.totals.openers ?? 0 };
      for (const name of ['delivered', 'bounced', 'complained', 'openers'] as const) if (got[name] !== counts[name]) sesCounterErrors.push(`${run} ${name}: counter ${got[name]}, distinct events ${counts[name]}`);
    }
    const contactIds = contacts.map((contact) => contact.contactId);
    const accountIds = Array.from({ length: ACCOUNTS }, (_, index) => `fa${index}`);
    const scoreMismatches = [...(await compareScores('contact', contactIds, truth, replay)), ...(await compareScores('account', accountIds, truth, replay))];
    const registeredContacts = intended.filter((email) => email.kind === 'webinar').map((email) => email.contactId);
    const webinarSignals: [number, number] = [await countWebinarSignals(truth, registeredContacts), await countWebinarSignals(replay, registeredContacts)];
    const recorded = (await Promise.all(accountIds.map((accountId) => truth.csql.listPromotionsOfAccount(accountId)))).flat().map((promotion) => qualifiedEvent(promotion).id);
    const received = [...eventBus.receiver.seen.entries()].filter(([, seen]) => seen.detailType === 'AccountQualifiedAsCsql').map(([eventId]) => eventId);
    return {
      ...emails.total,
      byKind: emails.byKind,
      strandedResolved,
      strandedLeft: emails.strandedLeft,
      deadLetterMessages: queue.deadLetters.length,
      duplicates: emails.duplicates,
      failedButAccepted: emails.failedButAccepted,
      capSkipped: emails.skipReasons['frequency-cap'] ?? 0,
      skipReasons: emails.skipReasons,
      released,
      counterErrors: emails.counterErrors,
      sesCounterErrors,
      lostExamples: emails.lostExamples,
      scoreMismatches,
      scoresCompared: contactIds.length + accountIds.length,
      webinarSignals,
      promotions: {
        recorded: recorded.length,
        delivered: [...eventBus.receiver.seen.values()].filter((seen) => seen.detailType === 'AccountQualifiedAsCsql').reduce((sum, seen) => sum + seen.times, 0),
        unique: received.length,
        missing: recorded.filter((id) => !eventBus.receiver.seen.has(id)),
        phantom: received.filter((id) => !recorded.includes(id)),
        unpublishedLeft: (await truth.csql.listUnpublished(100)).length,
        publisherRuns,
      },
      dispatcherRestarts,
      kpiBatchRetries,
      phases,
      injected: { dynamoBefore: faulty.injected.before, dynamoAfterWrite: faulty.injected.after, ...injected, ...ses.injected, ...eventBus.injected },
    };
  } finally {
    faulty.client.destroy();
    cleanClient.destroy();
  }
}

/** The one line the suite and the bench print. */
export function faultsLine(totals: FaultTotals): string {
  const kind = (endings: Endings) => `${endings.sent}/${endings.intended} sent, ${endings.skipped} skipped, ${endings.failed} failed`;
  const { promotions } = totals;
  return (
    `faults: intended ${totals.intended}, sent ${totals.sent}, skipped ${totals.skipped}, failed ${totals.failed} (visible), dead letters ${totals.deadLetters} (${totals.deadLetterMessages} requests), ` +
    `stranded-resolved ${totals.strandedResolved}, duplicates ${totals.duplicates}, lost ${totals.lost}; KPI batches counted again ${totals.kpiBatchRetries}; ` +
    `campaign ${kind(totals.byKind.campaign)}; sequence sends ${kind(totals.byKind.sequence)}; webinar follow-ups ${kind(totals.byKind.webinar)}; ` +
    `caps-skipped ${totals.capSkipped}, released ${totals.released}; webinar signals ${totals.webinarSignals[0]} (clean replay ${totals.webinarSignals[1]}), score mismatches ${totals.scoreMismatches.length}; ` +
    `promotions ${promotions.recorded}, published ${promotions.delivered} times, unique ${promotions.unique}, unpublished ${promotions.unpublishedLeft}; ` +
    `injected ${JSON.stringify(totals.injected)}; seconds ${JSON.stringify(totals.phases)}`
  );
}

/** An SES event of the fixture's type for one email SES took, placed by the email's own signed tags. */
function sesEvent(name: SesFixtureName, email: { to: string; tags: Record<string, string> }, sesMessageId: string, at: Date, id: string) {
  const event = loadSesFixture(name) as ReturnType<typeof loadSesFixture> & { id: string; detail: Record<string, unknown> & { mail: Record<string, unknown> } };
  event.id = id;
  event.detail.mail = { ...event.detail.mail, messageId: sesMessageId, timestamp: at.toISOString(), destination: [email.to], tags: Object.fromEntries(Object.entries(email.tags).map(([tag, value]) => [tag, [value]])) };
  const detail = event.detail as Record<string, Record<string, unknown> | undefined>;
  if (detail.delivery) detail.delivery = { ...detail.delivery, timestamp: at.toISOString(), recipients: [email.to] };
  if (detail.bounce) detail.bounce = { ...detail.bounce, timestamp: at.toISOString(), bouncedRecipients: [{ emailAddress: email.to, action: 'failed', status: '5.1.1' }] };
  if (detail.complaint) detail.complaint = { ...detail.complaint, timestamp: at.toISOString(), complainedRecipients: [{ emailAddress: email.to }] };
  return event;
}

/** Scores of the faulty run against the clean replay's: same signals, same sums (to float rounding). */
async function compareScores(scope: ScoreScope, ids: readonly string[], faulty: Store, replay: Store): Promise<string[]> {
  const [got, want] = await Promise.all([faulty.scores.getScores(scope, ids), replay.scores.getScores(scope, ids)]);
  const mismatches: string[] = [];
  const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  for (const id of ids) {
    const a: StoredScore | undefined = got.get(id);
    const b: StoredScore | undefined = want.get(id);
    if (!a && !b) continue;
    const signals = new Set([...Object.keys(a?.signals ?? {}), ...Object.keys(b?.signals ?? {})]);
    const equal = !!a && !!b && same(a.scaledSum, b.scaledSum) && [...signals].every((signal) => same(a.signals[signal] ?? 0, b.signals[signal] ?? 0));
    if (!equal) mismatches.push(`${scope} ${id}: ${a?.scaledSum ?? 'none'} vs clean replay ${b?.scaledSum ?? 'none'}`);
  }
  return mismatches;
}

/** Scored webinar signals (registered, attended, no-show) stored for these contacts. */
async function countWebinarSignals(store: Store, contactIds: readonly string[]): Promise<number> {
  const events = await mapBounded(contactIds, 16, (contactId) => store.engagement.listEventsOfContact(contactId));
  return events.flat().filter((event) => event.type.startsWith('webinar-')).length;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}
