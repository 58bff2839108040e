/**
 * Bench `send`: one campaign run to 20,000 recipients through the real pipeline (dispatcher,
 * in-process queue, 4 sender workers, SES mailer adapter, DynamoDB store on DynamoDB Local,
 * started here) against an SES stand-in that enforces MaxSendRate and answers throttles above
 * it (`throttling-ses.ts`). The baseline is the quota itself: `send.rate_over_quota` is the
 * accepted emails per second over MaxSendRate, between the first and the last accepted email.
 * Also counted: duplicates (an address that received more than one), lost recipients (queued,
 * never accepted, not recorded as failed), throttled answers, and DynamoDB requests per email.
 * Loading the customers is setup (plain BatchWrite of the items the store would write), not measured.
 */
import { round3, round4 } from './figure-math.ts';
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoTable, batchWrite } from '../adapters/aws/dynamo/dynamo-table.ts';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { firstImportItemsOf } from '../adapters/aws/dynamo/customer-store.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { keys } from '../adapters/aws/dynamo/table-design.ts';
import { SesMailer } from '../adapters/aws/ses-mailer.ts';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { InProcessQueue } from '../adapters/local/in-process-queue.ts';
import { SenderWorkers } from '../adapters/local/sender-workers.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { mapBounded } from '../core/bounded-parallel.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import type { Campaign } from '../core/config/schema/messages.ts';
import type { Account } from '../core/customers/account.ts';
import type { Contact } from '../core/customers/contact.ts';
import type { SendQueue } from '../core/ports.ts';
import { TemplateCompiler } from '../core/rendering/template-compiler.ts';
import { dispatchCampaignRun } from '../core/sending/dispatch-campaign.ts';
import { decodeTagValue } from '../core/sending/email-tags.ts';
import type { SendRequest } from '../core/sending/send-request.ts';
import { generateDemoCustomers } from '../local/demo-customers.ts';
import { LOCAL_AWS, localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import type { Figures } from './bench.ts';
import { DynamoRequestCounter, type DynamoRequestCounts } from './dynamodb-request-counter.ts';
import { formatNumber, formatTable } from './figure-table.ts';
import { StepLatencies } from './step-latencies.ts';
import { ThrottlingSes } from './throttling-ses.ts';

export const name = 'send';

const ACCOUNTS = 2_000;
const CONTACTS = 20_000;
/** Emails/s the SES stand-in allows; small enough that DynamoDB Local on 2 cores is not the bottleneck. */
const MAX_SEND_RATE = 100;
const SENDER_WORKERS = 4;
const TABLE_NAME = 'bench-send';
export const BENCH_CAMPAIGN_ID = 'bench-send-newsletter';
const LOAD_CONCURRENCY = 16;
/** Kinds always reported (0 when unused), so the results file keeps the same figures run to run. */
const REPORTED_COMMANDS = ['PutItem', 'UpdateItem', 'Query', 'BatchGetItem', 'BatchWriteItem'];
const PROGRESS_EVERY_MS = 20_000;
const LOOP_DELAY_RESOLUTION_MS = 10;

/** The pipeline did not do what the bench relies on, so its figures would measure something else. */
export class SendBenchError extends Error {
  constructor(message: string) {
    super(`bench send: ${message}`);
    this.name = 'SendBenchError';
  }
}

export interface SendBenchOptions {
  accounts: number;
  contacts: number;
  maxSendRate: number;
  workers: number;
}

export function run(): Promise<Figures> {
  return measureSend({ accounts: ACCOUNTS, contacts: CONTACTS, maxSendRate: MAX_SEND_RATE, workers: SENDER_WORKERS });
}

/** The bench with other sizes, for exploring (e.g. how the rate depends on the number of workers). */
export async function measureSend(options: SendBenchOptions): Promise<Figures> {
  const config = await benchConfig();
  const campaign = config.campaigns.find((candidate) => candidate.id === BENCH_CAMPAIGN_ID) as Campaign;
  const customers = everyoneReachable(generateDemoCustomers({ accounts: options.accounts, contacts: options.contacts }));

  const ses = await ThrottlingSes.start({ maxSendRate: options.maxSendRate });
  const dynamo = await startDynamoDbLocal({ port: await freePort() }).catch(async (error: unknown) => {
    await ses.stop();
    throw error;
  });
  const client = localDynamoClient(dynamo.endpoint);
  const sesClient = new SESv2Client({ ...LOCAL_AWS, endpoint: ses.endpoint, maxAttempts: 1 });
  try {
    console.log(
      `DynamoDB Local on ${dynamo.endpoint}; throttling SES on ${ses.endpoint} (MaxSendRate ${options.maxSendRate}/s, burst ${options.maxSendRate}); ` +
        `${formatNumber(customers.contacts.length)} contacts in ${formatNumber(customers.accounts.length)} accounts; ${options.workers} sender workers`,
    );
    await ensureTable(client, TABLE_NAME);
    const store = createDynamoStore(client, TABLE_NAME);
    const loadStarted = performance.now();
    await loadCustomers(new DynamoTable(client, TABLE_NAME), store.customers, customers);
    console.log(`setup: loaded ${formatNumber(customers.accounts.length + customers.contacts.length)} items in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s (not measured)`);

    const counter = DynamoRequestCounter.attach(client, { capacity: true });
    const mailer = new SesMailer(sesClient);
    const maxSendRate = await mailer.maxSendRate();
    if (maxSendRate !== options.maxSendRate) throw new SendBenchError(`SesMailer.maxSendRate() read ${maxSendRate}/s from the SES stand-in, expected ${options.maxSendRate}`);

    const queue = new InProcessQueue({ visibilityTimeoutMs: 30_000, maxReceiveCount: 5 });
    const queued: SendRequest[] = [];
    const recordingQueue: SendQueue = {
      async enqueue(requests) {
        queued.push(...requests);
        await queue.enqueue(requests);
      },
    };
    const workerErrors: string[] = [];
    // Timed views of what the sender calls, to explain where the time between two sends goes.
    const latencies = new StepLatencies();
    const workers = new SenderWorkers(
      queue,
      {
        config,
        customers: latencies.watch('customers', store.customers, ['getContacts', 'getAccounts']),
        sends: latencies.watch('sends', store.sends, ['claimSendOrGetHolder', 'markSent', 'markFailed', 'releaseClaim']),
        strandedClaims: store.strandedClaims,
        suppressions: latencies.watch('suppressions', store.suppressions, ['suppressedAmong']),
        pauses: store.pauses,
        webinars: store.webinars,
        mailer: latencies.watch('mailer', mailer, ['send']),
        compiler: new TemplateCompiler(config.templates),
        clock: systemClock,
        links: { baseUrl: 'https://mail.example.com', tokenSecret: 'bench-send-token-secret' },
        newClaimToken: randomUUID,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        log: (entry) => {
          if (entry.level === 'ERROR') workerErrors.push(`${String(entry.message)}: ${String(entry.error ?? '')}`);
        },
      },
      { workers: options.workers, maxSendRate },
    );

    const before = counter.snapshot();
    const started = performance.now();
    const progress = setInterval(() => {
      const counts = ses.counts();
      console.log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${formatNumber(counts.accepted)} accepted, ${counts.throttled} throttled, ${formatNumber(queue.size)} in the queue`);
    }, PROGRESS_EVERY_MS);
    // Event-loop delay: the SES stand-in, the dispatcher and the workers share this process.
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    let dispatched;
    let dispatchedAt = 0;
    try {
      workers.start();
      const scheduledFor = new Date();
      dispatched = await dispatchCampaignRun(campaign, scheduledFor, { ...store, runs: store.campaignRuns, config, queue: recordingQueue, clock: systemClock });
      dispatchedAt = performance.now();
      if (dispatched.outcome !== 'dispatched') throw new SendBenchError(`dispatch answered '${dispatched.outcome}', expected 'dispatched'`);
      console.log(`dispatched run ${dispatched.runId} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(dispatched.counts)}`);
      await drainWithin(workers, queue, (queued.length / maxSendRate) * 3 + 300);
    } finally {
      clearInterval(progress);
      await workers.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const requests = counter.since(before);
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    console.log(
      `this process (workers, dispatcher, SES stand-in): ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)} % of one core over the run; ` +
        `event-loop delay (sampled every ${LOOP_DELAY_RESOLUTION_MS} ms, interval included) p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
    );

    const sends = await store.sends.listSendsOfRun(campaign.id, dispatched.runId);
    console.log('\nsender steps (calls the workers made while the run was sent):');
    for (const line of latencies.table()) console.log(`  ${line}`);
    return figuresOf({ customers: customers.contacts, queued, ses, sends, requests, seconds, maxSendRate, queue, workers, workerErrors, dispatchedAt });
  } finally {
    sesClient.destroy();
    client.destroy();
    await ses.stop();
    await dynamo.stop();
  }
}

/** The shipped config plus a copy of monthly-newsletter to everyone, with no timing guardrails or caps, so every contact is queued at once. */
export async function benchConfig(): Promise<EngineConfig> {
  const shipped = await loadConfigOrThrow(defaultConfigLocation(fileURLToPath(new URL('..', import.meta.url))));
  const newsletter = shipped.campaigns.find((campaign) => campaign.id === 'monthly-newsletter');
  if (!newsletter) throw new SendBenchError('the shipped config has no campaign monthly-newsletter to copy');
  const campaign: Campaign = { ...newsletter, id: BENCH_CAMPAIGN_ID, name: 'Send bench newsletter', status: 'active', audience: {} };
  const { sendWindow: _sendWindow, ...guardrails } = shipped.guardrails;
  return {
    ...shipped,
    campaigns: [...shipped.campaigns, campaign],
    // Quiet hours from 00:00 to 00:00 are empty: nobody is deferred.
    guardrails: { ...guardrails, frequencyCaps: [], quietHours: { start: '00:00', end: '00:00' }, holidays: [] },
  };
}

export function everyoneReachable(customers: { accounts: Account[]; contacts: Contact[] }): { accounts: Account[]; contacts: Contact[] } {
  return { accounts: customers.accounts, contacts: customers.contacts.map((contact) => ({ ...contact, consent: 'granted', topicsOptedOut: [] })) };
}

/**
 * BatchWrites the items the customer store would write. Checks the shape first: the first account
 * and contact go through the store's own upsert, and the items built here must match what it stored.
 */
export async function loadCustomers(table: DynamoTable, store: ReturnType<typeof createDynamoStore>['customers'], customers: { accounts: Account[]; contacts: Contact[] }): Promise<void> {
  const at = new Date();
  const items = firstImportItemsOf(customers, at);
  const [firstAccount, firstContact] = [customers.accounts[0], customers.contacts[0]];
  if (!firstAccount || !firstContact) throw new SendBenchError('no demo customers generated');
  await store.upsertAccount(firstAccount, at);
  await store.upsertContact(firstContact, at);
  const built = new Map(firstImportItemsOf({ accounts: [firstAccount], contacts: [firstContact] }, at).map((item) => [`${String(item.PK)}|${String(item.SK)}`, item]));
  for (const key of [keys.account(firstAccount.accountId), keys.contact(firstContact.contactId), keys.contactByEmail(firstContact.email)]) {
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: key }));
    const expected = built.get(`${key.PK}|${key.SK}`) ?? {};
    if (JSON.stringify(sortedKeys(Item ?? {})) !== JSON.stringify(sortedKeys(expected))) {
      throw new SendBenchError(`the item built for ${key.PK} differs from what the customer store writes:\n  store: ${JSON.stringify(sortedKeys(Item ?? {}))}\n  bench: ${JSON.stringify(sortedKeys(expected))}`);
    }
  }
  const chunks: (typeof items)[] = [];
  for (let start = 0; start < items.length; start += 250) chunks.push(items.slice(start, start + 250));
  await mapBounded(chunks, LOAD_CONCURRENCY, (chunk) => batchWrite(table, chunk.map((Item) => ({ PutRequest: { Item } }))));
}

function sortedKeys(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)));
}

async function drainWithin(workers: SenderWorkers, queue: InProcessQueue, seconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendBenchError(`the queue did not drain within ${seconds.toFixed(0)} s (${queue.size} messages left)`)), seconds * 1000);
  });
  try {
    await Promise.race([workers.drain(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface Outcome {
  customers: readonly Contact[];
  queued: readonly SendRequest[];
  ses: ThrottlingSes;
  sends: Awaited<ReturnType<ReturnType<typeof createDynamoStore>['sends']['listSendsOfRun']>>;
  requests: DynamoRequestCounts;
  seconds: number;
  maxSendRate: number;
  queue: InProcessQueue;
  workers: SenderWorkers;
  workerErrors: readonly string[];
  /** When dispatch returned, on the SES stand-in's clock (`performance.now()`). */
  dispatchedAt: number;
}

function figuresOf(outcome: Outcome): Figures {
  const { ses, sends, requests, seconds, maxSendRate, queue } = outcome;
  const counts = ses.counts();
  const emailOf = new Map(outcome.customers.map((contact) => [contact.contactId, contact.email.toLowerCase()]));

  // Recipients are told apart by address; the contact tag must name the same contact.
  const contactOfEmail = new Map(outcome.customers.map((contact) => [contact.email.toLowerCase(), contact.contactId]));
  const mismatchedTags = ses.accepted.filter((email) => email.to.some((address) => contactOfEmail.get(address) !== decodeTagValue(email.tags.contact ?? ''))).length;
  const duplicates = [...ses.perRecipient.values()].filter((count) => count > 1).length;
  const queuedContacts = new Set(outcome.queued.map((request) => request.contactId));
  const failedContacts = new Set(sends.filter((send) => send.state === 'failed').map((send) => send.contactId));
  // Failed for an unknown outcome, yet SES did take it: recorded failed, but the recipient got it.
  const failedButAccepted = [...failedContacts].filter((contactId) => ses.perRecipient.has(emailOf.get(contactId) ?? '')).length;
  const lost = [...queuedContacts].filter((contactId) => !ses.perRecipient.has(emailOf.get(contactId) ?? '') && !failedContacts.has(contactId)).length;
  const storeStates: Record<string, number> = {};
  for (const send of sends) storeStates[send.state] = (storeStates[send.state] ?? 0) + 1;
  const storeSent = storeStates.sent ?? 0;

  const spanSeconds = counts.firstAcceptedAt !== undefined && counts.lastAcceptedAt !== undefined ? (counts.lastAcceptedAt - counts.firstAcceptedAt) / 1000 : 0;
  const acceptedPerSecond = spanSeconds > 0 ? counts.accepted / spanSeconds : 0;
  const rateOverQuota = acceptedPerSecond / maxSendRate;
  const perEmail = (count: number) => (counts.accepted > 0 ? count / counts.accepted : 0);
  // The same rate once dispatch no longer competes with the senders for the CPU and the table.
  const afterDispatch = ses.accepted.filter((email) => email.acceptedAt >= outcome.dispatchedAt);
  const afterDispatchSeconds = afterDispatch.length > 1 ? ((afterDispatch.at(-1)?.acceptedAt ?? 0) - (afterDispatch[0]?.acceptedAt ?? 0)) / 1000 : 0;
  const afterDispatchRate = afterDispatchSeconds > 0 ? (afterDispatch.length - 1) / afterDispatchSeconds : 0;
  const byCommand: Record<string, number> = {};
  // The SDK names commands `PutItemCommand`; the figures use the API operation name (`PutItem`).
  for (const [command, count] of Object.entries(requests.byCommand)) byCommand[command.replace(/Command$/, '')] = count;
  const failureReasons: Record<string, number> = {};
  for (const send of sends) if (send.state === 'failed') failureReasons[send.reason ?? 'no reason'] = (failureReasons[send.reason ?? 'no reason'] ?? 0) + 1;

  console.log('');
  for (const line of formatTable(
    ['DynamoDB command', 'requests', 'per email'],
    Object.entries(byCommand)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([command, count]) => [command, formatNumber(count), formatNumber(perEmail(count))]),
  )) {
    console.log(`  ${line}`);
  }
  if (requests.attempts > requests.commands) console.log(`  the SDK retried some DynamoDB requests: ${requests.attempts} HTTP attempts for ${requests.commands} commands`);
  console.log(`\nworker outcomes ${JSON.stringify(Object.fromEntries(outcome.workers.outcomes))}; store send states ${JSON.stringify(storeStates)}; dead letters ${queue.deadLetters.length}`);
  if (Object.keys(failureReasons).length > 0) console.log(`failed sends by reason: ${JSON.stringify(failureReasons)}`);
  if (outcome.workerErrors.length > 0) console.log(`worker errors: ${outcome.workerErrors.length}, first: ${outcome.workerErrors[0]}`);
  if (mismatchedTags > 0) console.log(`WARNING: ${mismatchedTags} accepted emails carry a contact tag that does not match their address`);
  console.log(
    storeSent === counts.accepted
      ? `store check: ${formatNumber(storeSent)} sends in state 'sent' = ${formatNumber(counts.accepted)} emails SES accepted`
      : `STORE MISMATCH: ${formatNumber(storeSent)} sends in state 'sent', but SES accepted ${formatNumber(counts.accepted)} emails`,
  );
  console.log(
    `\n${formatNumber(counts.accepted)} emails accepted in ${spanSeconds.toFixed(1)} s (first to last) = ${formatNumber(acceptedPerSecond)}/s = ` +
      `${rateOverQuota.toFixed(3)} x the quota (${maxSendRate}/s, the baseline); ${counts.throttled} throttled answers, ${duplicates} duplicates, ${lost} lost; ` +
      `${seconds.toFixed(1)} s from dispatch to drained; ${formatNumber(perEmail(requests.commands))} DynamoDB requests per email`,
  );
  console.log(
    `after dispatch returned: ${formatNumber(afterDispatch.length)} emails in ${afterDispatchSeconds.toFixed(1)} s = ${formatNumber(afterDispatchRate)}/s = ${(afterDispatchRate / maxSendRate).toFixed(3)} x the quota`,
  );

  const figures: Figures = {
    'send.recipients': queuedContacts.size,
    'send.accepted': counts.accepted,
    'send.max_send_rate': maxSendRate,
    'send.emails_per_second': round3(acceptedPerSecond),
    'send.rate_over_quota': round4(rateOverQuota),
    'send.rate_over_quota_after_dispatch': round4(afterDispatchRate / maxSendRate),
    'send.duplicates': duplicates,
    'send.lost': lost,
    'send.failed': failedContacts.size,
    'send.failed_but_accepted': failedButAccepted,
    'send.dead_letters': queue.deadLetters.length,
    'send.throttled_responses': counts.throttled,
    'send.seconds': round3(seconds),
    'send.store_sent_minus_accepted': storeSent - counts.accepted,
    'send.dynamodb_requests_per_email': round4(perEmail(requests.commands)),
    // Request units as DynamoDB bills them (on-demand), dispatcher and sender together: the cost bench prices them.
    'send.dynamodb_wru_per_email': round4(perEmail(requests.writeUnits)),
    'send.dynamodb_rru_per_email': round4(perEmail(requests.readUnits)),
  };
  for (const command of new Set([...REPORTED_COMMANDS, ...Object.keys(byCommand)])) {
    figures[`send.dynamodb_requests_per_email.${command}`] = round4(perEmail(byCommand[command] ?? 0));
  }
  return figures;
}

