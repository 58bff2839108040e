/**
 * The fault scenario, shared by the fault suite (test/faults/) and `npm run bench -- faults`: one
 * campaign run to a few thousand contacts on DynamoDB Local, with faults injected from a seeded
 * random source everywhere they happen in AWS:
 *
 * - DynamoDB: requests throttled before the table saw them, and answers lost after it applied them;
 * - SES: throttling, 5xx, timeouts after accepting, a stretch where the account is refused;
 * - the send queue: duplicate deliveries processed concurrently (conditional-write races),
 *   shuffled receive order, workers killed mid-batch before and after SES accepted;
 * - the dispatcher: killed mid-run between queueing a page and its checkpoint, then resumed;
 * - SES events (Delivery, Bounce, Complaint) and opens ingested duplicated, reordered and retried.
 *
 * Then it settles as ops would (clock past the claim lease, drain, `sends stranded --resolve`
 * with SES's Send events for what it took, the release job, drain again) and reads back, without
 * faults, what happened to each intended email, the run's counters and the scores, and the scores
 * of a clean replay of the same distinct events into a second table.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { firstImportItemsOf } from '../../adapters/aws/dynamo/customer-store.ts';
import { ensureTable } from '../../adapters/aws/dynamo/create-table.ts';
import { batchWrite, DynamoTable } from '../../adapters/aws/dynamo/dynamo-table.ts';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { InProcessQueue, type ReceivedMessage } from '../../adapters/local/in-process-queue.ts';
import { mapBounded } from '../../core/bounded-parallel.ts';
import type { Account } from '../../core/customers/account.ts';
import type { Contact } from '../../core/customers/contact.ts';
import type { DispatchProgressStore, Store } from '../../core/ports.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';
import type { ScoreScope, StoredScore } from '../../core/scoring/score.ts';
import { dispatchCampaignRun, type DispatchOutcome } from '../../core/sending/dispatch-campaign.ts';
import { frequencyCaps } from '../../core/sending/guardrails.ts';
import { releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { CLAIM_LEASE_MS, reviewStrandedClaims } from '../../core/sending/stranded-claims.ts';
import { signToken } from '../../core/tracking/link-token.ts';
import { recordOpen } from '../../core/tracking/record-open.ts';
import { ingestSesEvent } from '../../core/tracking/ses-events/record-ses-event.ts';
import { SEND_MAX_RECEIVE_COUNT, SENDER_TIMEOUT } from '../../infra/stateless-stack.ts';
import { localDynamoClient } from '../../local/dynamodb-local.ts';
import { seededRandom } from '../../local/demo-customers.ts';
import { loadSesFixture, type SesFixtureName } from '../fixtures/ses/index.ts';
import { openConfig, senderDeps, TEST_TOKEN_SECRET } from '../support/sending-fixtures.ts';
import { faultyDynamoClient } from './faulty-dynamo.ts';
import { FaultySes } from './faulty-ses.ts';

export interface FaultScenarioOptions {
  /** DynamoDB Local's endpoint; the scenario creates its two tables there. */
  endpoint: string;
  tablePrefix: string;
  contacts: number;
  seed: number;
}

export interface FaultTotals {
  intended: number;
  sent: number;
  skipped: number;
  /** Failed sends, each with its reason (SES 5xx or timeout: never sent twice). */
  failed: number;
  /** Intended emails whose only trace is a request in the dead-letter queue (where ops look). */
  deadLetters: number;
  /** Requests in the dead-letter queue, copies of emails that ended otherwise included. */
  deadLetterMessages: number;
  strandedResolved: number;
  /** Stranded sends still waiting for ops after the settle (listed by `npm run sends -- stranded`). */
  strandedLeft: number;
  /** Recipients SES accepted more than once in the run. */
  duplicates: number;
  /** Intended emails with no sent, skipped, failed or dead-letter trace. */
  lost: number;
  /** Emails SES accepted that the engine recorded as failed (a timeout after SES took it): visible, never resent. */
  failedButAccepted: number;
  /** The run's `sent` counter, send items in state sent, and SES's accepted emails that are recorded sent. */
  counters: { sentCounter: number; sentItems: number; acceptedAndSent: number };
  /** The run's SES-event counters against the distinct events ingested. */
  sesCounters: { delivered: [number, number]; bounced: [number, number]; complained: [number, number]; openers: [number, number] };
  /** Contacts and accounts whose score differs from the clean replay's. */
  scoreMismatches: string[];
  scoresCompared: number;
  dispatcherRestarts: number;
  injected: { dynamoBefore: number; dynamoAfterWrite: number; duplicateDeliveries: number; workersKilled: number; eventDuplicates: number; eventRetries: number } & FaultySes['injected'];
}

const START = Date.parse('2026-12-02T01:00:00Z');
/** As infra: the send queue's visibility timeout (six function timeouts plus the batch window). */
const VISIBILITY_MS = (6 * SENDER_TIMEOUT.toSeconds() + 1) * 1000;
const WORKERS = 4;
const BATCH = 10;
const PAGE = 100;

export async function runFaultScenario(options: FaultScenarioOptions): Promise<FaultTotals> {
  const random = seededRandom(options.seed);
  const chance = (share: number) => random() < share;
  const cleanClient = localDynamoClient(options.endpoint);
  const faulty = faultyDynamoClient(options.endpoint, { throttledBefore: 0.01, lostAfterWrite: 0.004 }, seededRandom(options.seed + 1));
  const tableName = `${options.tablePrefix}-faulty`;
  const replayName = `${options.tablePrefix}-replay`;
  try {
    await ensureTable(cleanClient, tableName);
    await ensureTable(cleanClient, replayName);
    const { config, campaign } = await openConfig();
    const contacts = await seedContacts(cleanClient, tableName, options.contacts);
    const emailOf = new Map(contacts.map((contact) => [contact.contactId, contact.email]));
    const store = createDynamoStore(faulty.client, tableName);
    const truth = createDynamoStore(cleanClient, tableName);

    let now = START;
    const clock = { now: () => new Date(now) };
    const queue = new InProcessQueue({ visibilityTimeoutMs: VISIBILITY_MS, maxReceiveCount: SEND_MAX_RECEIVE_COUNT, now: () => now });
    const ses = new FaultySes({ throttled: 0.06, serverError: 0.005, timeout: 0.005, accountRefused: { from: 400, to: 430 } }, seededRandom(options.seed + 2));
    const injected = { duplicateDeliveries: 0, workersKilled: 0, eventDuplicates: 0, eventRetries: 0 };
    faulty.faulty = true;

    // The dispatcher: killed once between queueing a page and its checkpoint, and again by any DynamoDB fault; each time invoked again.
    let pagesSaved = 0;
    const dying: DispatchProgressStore = {
      ...store.dispatchProgress,
      shardProgress: (...args) => store.dispatchProgress.shardProgress(...args),
      listShardProgress: (...args) => store.dispatchProgress.listShardProgress(...args),
      savePage: async (next) => {
        if (++pagesSaved === 5) throw new Error('dispatcher killed after queueing a page, before its checkpoint');
        return store.dispatchProgress.savePage(next);
      },
    };
    let dispatched: DispatchOutcome | undefined;
    let dispatcherRestarts = 0;
    for (; dispatcherRestarts < 100 && !dispatched; ) {
      try {
        dispatched = await dispatchCampaignRun(campaign, clock.now(), { ...store, runs: store.campaignRuns, config, queue, clock, dispatchProgress: dying }, { pageSize: PAGE });
      } catch {
        dispatcherRestarts++;
      }
    }
    if (dispatched?.outcome !== 'dispatched') throw new Error(`faults scenario: the run was not dispatched after ${dispatcherRestarts} restarts`);
    const runId = dispatched.runId;

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
            const killed = chance(0.02);
            const mailer = ses.workerMailer(killed ? { atCall: Math.floor(random() * batch.length), sesTookIt: chance(0.5) } : undefined);
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

    // Settle as ops would: past the lease, drain what came back, resolve stranded claims with SES's Send events, release, drain.
    let strandedResolved = 0;
    const sesEventDeps = (target: Store, reads: Store) => ({
      sends: reads.sends,
      engagement: withEngagementPath(target, config.scoring, clock).engagement,
      suppressions: target.suppressions,
      customers: target.customers,
      topics: { kind: 'topics' as const, topics: [] },
      tagSecret: TEST_TOKEN_SECRET,
    });
    const sendEventsIngested = new Set<string>();
    for (let pass = 0; pass < 10; pass++) {
      now += CLAIM_LEASE_MS + VISIBILITY_MS;
      await drain();
      const stranded = await retrying(() => truth.strandedClaims.listStranded());
      if (stranded.length === 0 && queue.size === 0) break;
      for (const send of stranded) {
        const took = ses.accepted.find((accepted) => accepted.email.to === emailOf.get(send.contactId));
        if (!took || sendEventsIngested.has(took.sesMessageId)) continue;
        await retrying(() => ingestSesEvent(sesEvent('send', took.email, took.sesMessageId, new Date(now), `send-${took.sesMessageId}`), sesEventDeps(store, store)));
        sendEventsIngested.add(took.sesMessageId);
      }
      now += 2 * 3_600_000;
      const reports = await retrying(() => reviewStrandedClaims({ resolve: true, giveUp: false, olderThanMs: 3_600_000 }, { strandedClaims: store.strandedClaims, sends: store.sends, clock }));
      strandedResolved += reports.filter((report) => report.resolution === 'marked-sent' || report.resolution === 'resent').length;
      await retrying(() => releaseDeferredSends({ ...store, queue, clock, caps: frequencyCaps(config.guardrails) }));
    }

    // SES events and opens for what was sent, ingested with faults, duplicates, reordering and retries.
    const sends = await truth.sends.listSendsOfRun(campaign.id, runId);
    const sent = sends.filter((send) => send.state === 'sent');
    const acceptedById = new Map(ses.accepted.map((accepted) => [accepted.sesMessageId, accepted]));
    const events: Array<{ key: string; ingest: (target: Store, reads: Store) => Promise<unknown> }> = [];
    const expected = { delivered: 0, bounced: 0, complained: 0, openers: 0 };
    for (const send of sent) {
      const took = send.messageId ? acceptedById.get(send.messageId) : undefined;
      if (!took) continue;
      const at = new Date(START + 3_600_000 + events.length * 1_000);
      const roll = random();
      const kind: SesFixtureName = roll < 0.05 ? 'bounce-permanent' : 'delivery';
      const delivery = sesEvent(kind, took.email, took.sesMessageId, at, `${kind}-${took.sesMessageId}`);
      events.push({ key: `${kind}-${send.contactId}`, ingest: (target, reads) => ingestSesEvent(delivery, sesEventDeps(target, reads)) });
      if (kind === 'bounce-permanent') {
        expected.bounced++;
        continue;
      }
      expected.delivered++;
      if (chance(0.03)) {
        const complaint = sesEvent('complaint', took.email, took.sesMessageId, new Date(at.getTime() + 60_000), `complaint-${took.sesMessageId}`);
        events.push({ key: `complaint-${send.contactId}`, ingest: (target, reads) => ingestSesEvent(complaint, sesEventDeps(target, reads)) });
        expected.complained++;
      }
      if (chance(0.3)) {
        expected.openers++;
        const token = signToken({ purpose: 'open', messageId: campaign.id, runId, contactId: send.contactId }, TEST_TOKEN_SECRET);
        for (let open = 0; open < 1 + Math.floor(random() * 3); open++) {
          const openedAt = new Date(at.getTime() + (open + 1) * 3_600_000);
          events.push({
            key: `open-${send.contactId}-${open}`,
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
      await mapBounded(pending, 8, async (event) => {
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
    faulty.faulty = false;

    // The clean replay: each distinct event once, no faults, into a second table (sends read from the first).
    const replay = createDynamoStore(cleanClient, replayName);
    await mapBounded(events, 8, (event) => event.ingest(replay, truth));

    // What happened to each intended email.
    const skips = await truth.sends.listSkipsOfRun(campaign.id, runId);
    const deadContacts = new Set(queue.deadLetters.map((message) => (JSON.parse(message.body) as { contactId: string }).contactId));
    const sendOf = new Map(sends.map((send) => [send.contactId, send]));
    const skipped = new Set(skips.filter((skip) => skip.reason).map((skip) => skip.contactId));
    let lost = 0;
    let deadOnly = 0;
    for (const contact of contacts) {
      const send = sendOf.get(contact.contactId);
      const ended = send?.state === 'sent' || (send?.state === 'failed' && !!send.reason) || send?.state === 'stranded' || skipped.has(contact.contactId);
      if (!ended && deadContacts.has(contact.contactId)) deadOnly++;
      else if (!ended) lost++;
    }
    const acceptedTimes = new Map<string, number>();
    for (const accepted of ses.accepted) acceptedTimes.set(accepted.email.to, (acceptedTimes.get(accepted.email.to) ?? 0) + 1);
    const duplicates = [...acceptedTimes.values()].filter((times) => times > 1).length;
    const failed = sends.filter((send) => send.state === 'failed');
    const sentMessageIds = new Set(sent.map((send) => send.messageId));
    const counters = await truth.kpis.runCounters(campaign.id, runId);
    const touched = [...new Set(sent.map((send) => send.contactId))];
    const scoreMismatches = [
      ...(await compareScores('contact', touched, truth, replay)),
      ...(await compareScores('account', [...new Set(sent.map((send) => send.accountId))], truth, replay)),
    ];
    return {
      intended: contacts.length,
      sent: sent.length,
      skipped: skipped.size,
      failed: failed.length,
      deadLetters: deadOnly,
      deadLetterMessages: queue.deadLetters.length,
      strandedResolved,
      strandedLeft: sends.filter((send) => send.state === 'stranded').length,
      duplicates,
      lost,
      failedButAccepted: failed.filter((send) => acceptedTimes.has(emailOf.get(send.contactId) ?? '')).length,
      counters: { sentCounter: counters?.totals.sent ?? 0, sentItems: sent.length, acceptedAndSent: ses.accepted.filter((accepted) => sentMessageIds.has(accepted.sesMessageId)).length },
      sesCounters: {
        delivered: [counters?.totals.delivered ?? 0, expected.delivered],
        bounced: [counters?.totals.bounced ?? 0, expected.bounced],
        complained: [counters?.totals.complained ?? 0, expected.complained],
        openers: [counters?.totals.openers ?? 0, expected.openers],
      },
      scoreMismatches,
      scoresCompared: touched.length,
      dispatcherRestarts,
      injected: { dynamoBefore: faulty.injected.before, dynamoAfterWrite: faulty.injected.after, ...injected, ...ses.injected },
    };
  } finally {
    faulty.client.destroy();
    cleanClient.destroy();
  }
}

/** The one line the suite and the bench print. */
export function faultsLine(totals: FaultTotals): string {
  return `faults: intended ${totals.intended}, sent ${totals.sent}, skipped ${totals.skipped}, failed ${totals.failed} (visible), dead letters ${totals.deadLetters} (${totals.deadLetterMessages} requests), stranded-resolved ${totals.strandedResolved}, duplicates ${totals.duplicates}, lost ${totals.lost}; injected ${JSON.stringify(totals.injected)}`;
}

/** The contacts the run goes to: most may be emailed, some suppressed, some without consent. */
async function seedContacts(client: DynamoDBClient, tableName: string, count: number): Promise<Contact[]> {
  const accounts: Account[] = Array.from({ length: 40 }, (_, index) => ({ accountId: `fa${index}`, name: `Account ${index}`, tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }));
  const contacts: Contact[] = Array.from({ length: count }, (_, index) => ({
    contactId: `fc${String(index).padStart(5, '0')}`,
    accountId: `fa${index % accounts.length}`,
    email: `fc${index}@example.com`,
    firstName: 'A',
    lastName: 'B',
    locale: index % 3 === 0 ? 'ja' : 'en',
    timeZone: 'Asia/Tokyo',
    consent: index % 41 === 7 ? 'withdrawn' : 'granted',
    topicsOptedOut: [],
  }));
  const items = firstImportItemsOf({ accounts, contacts }, new Date(START));
  const writer = new DynamoTable(client, tableName);
  const chunks: (typeof items)[] = [];
  for (let start = 0; start < items.length; start += 250) chunks.push(items.slice(start, start + 250));
  await mapBounded(chunks, 4, (chunk) => batchWrite(writer, chunk.map((Item) => ({ PutRequest: { Item } }))));
  const store = createDynamoStore(client, tableName);
  for (let index = 0; index < count; index += 89) await store.suppressions.suppress({ email: `fc${index}@example.com`, reason: 'hard-bounce', suppressedAt: new Date(START).toISOString(), source: 'test' });
  return contacts;
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

/** Runs an ops step again until it gets through the injected faults (as someone rerunning a command would). */
async function retrying<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= 20) throw error;
    }
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}
