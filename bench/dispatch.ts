/**
 * Bench `dispatch`: one campaign run fanned out over dispatch workers (run shards), on DynamoDB
 * Local (started here), with the shipped guardrails' frequency caps (one send-history query per
 * contact) and no timing rules, so everyone is queued. The send queue counts the SQS calls the SQS
 * adapter would make (SendMessageBatch of 10) instead of calling SQS. The run picks its worker count
 * from the estimated contacts (core/sending/run-fan-out.ts); here one worker per 2,500 contacts, so
 * 20,000 contacts fan out as 800,000 would with the shipped 100,000 a worker.
 *
 * Measured, each on its own run of the same contacts:
 * - baseline: the shards one after another in one worker (what one invocation walking every
 *   shard does), which gives the per-shard rate;
 * - fan-out: every shard's worker at once (one Lambda invocation each in AWS);
 * - resume: one shard's worker killed after a few pages (between queueing a page and saving its
 *   checkpoint, the worst place), then the run resumed: contacts queued twice are the ones redone.
 * Then the extrapolation to 1,000,000 contacts: the worker count the shipped setting gives them, and
 * the per-shard rate, against Lambda's 15 minutes and the dispatcher's SQS-fed concurrency.
 * Loading the customers is setup (plain BatchWrite of the items the store would write), not measured.
 */
import { fileURLToPath } from 'node:url';
import { DynamoTable } from '../adapters/aws/dynamo/dynamo-table.ts';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { CONTACT_LIST_PARTITIONS } from '../adapters/aws/dynamo/table-design.ts';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import type { Campaign } from '../core/config/schema/messages.ts';
import type { DispatchProgressStore, SendQueue } from '../core/ports.ts';
import { beginRunDispatch } from '../core/sending/dispatch-campaign.ts';
import { DEFAULT_FAN_OUT, dispatchWorkersFor, type FanOutPolicy } from '../core/sending/run-fan-out.ts';
import { DISPATCH_PAGE_SIZE, DISPATCH_TIME_RESERVE_MS, dispatchRunShard, type DispatchShardDeps } from '../core/sending/dispatch-run-shard.ts';
import type { SendRequest } from '../core/sending/send-request.ts';
import { generateDemoCustomers } from '../local/demo-customers.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import type { Figures } from './bench.ts';
import { DynamoRequestCounter } from './dynamodb-request-counter.ts';
import { round1, round3 } from './figure-math.ts';
import { formatNumber, formatTable } from './figure-table.ts';
import { everyoneReachable, loadCustomers } from './send.ts';

export const name = 'dispatch';

const ACCOUNTS = 2_000;
const CONTACTS = 20_000;
const TABLE_NAME = 'bench-dispatch';
const BENCH_CAMPAIGN_ID = 'bench-dispatch-newsletter';
/** Pages the killed worker saves before it dies. */
const KILL_AFTER_PAGES = 2;
const TARGET_CONTACTS = 1_000_000;
/** The bench's fan-out: 20,000 contacts get 8 workers (the shipped DEFAULT_FAN_OUT gives 1,000,000 contacts 10). */
const BENCH_FAN_OUT: FanOutPolicy = { ...DEFAULT_FAN_OUT, contactsPerWorker: 2_500 };
const LAMBDA_LIMIT_SECONDS = 15 * 60;

/** The run did not do what the bench relies on, so its figures would measure something else. */
export class DispatchBenchError extends Error {
  constructor(message: string) {
    super(`bench dispatch: ${message}`);
    this.name = 'DispatchBenchError';
  }
}

/** Records who was queued and counts the SendMessageBatch calls the SQS adapter would make for it. */
class CountingQueue implements SendQueue {
  readonly contactIds: string[] = [];
  batchCalls = 0;
  async enqueue(requests: readonly SendRequest[]): Promise<void> {
    this.batchCalls += Math.ceil(requests.length / 10);
    for (const request of requests) this.contactIds.push(request.contactId);
  }
}

interface RunOutcome {
  seconds: number;
  shards: number;
  estimatedContacts: number;
  queue: CountingQueue;
  dynamoCommands: number;
  counts: Record<string, number>;
}

export async function run(): Promise<Figures> {
  const config = await benchConfig();
  const campaign = config.campaigns.find((candidate) => candidate.id === BENCH_CAMPAIGN_ID) as Campaign;
  const customers = everyoneReachable(generateDemoCustomers({ accounts: ACCOUNTS, contacts: CONTACTS }));
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = localDynamoClient(dynamo.endpoint);
  try {
    console.log(`DynamoDB Local on ${dynamo.endpoint}; ${formatNumber(CONTACTS)} contacts in ${formatNumber(ACCOUNTS)} accounts; ${CONTACT_LIST_PARTITIONS} list partitions; a worker per ${formatNumber(BENCH_FAN_OUT.contactsPerWorker)} contacts; pages of ${DISPATCH_PAGE_SIZE}`);
    await ensureTable(client, TABLE_NAME);
    const store = createDynamoStore(client, TABLE_NAME);
    const loadStarted = performance.now();
    await loadCustomers(new DynamoTable(client, TABLE_NAME), store.customers, customers);
    console.log(`setup: loaded ${formatNumber(ACCOUNTS + CONTACTS)} items in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s (not measured)`);
    const counter = DynamoRequestCounter.attach(client);
    const depsWith = (queue: SendQueue, dispatchProgress: DispatchProgressStore = store.dispatchProgress): DispatchShardDeps & { fanOut: FanOutPolicy } => ({ ...store, runs: store.campaignRuns, config, queue, clock: systemClock, dispatchProgress, fanOut: BENCH_FAN_OUT });

    /** One run: begin, then the shard workers `together` at once or one after another. */
    const measureRun = async (scheduledFor: Date, together: boolean, dispatchProgress?: DispatchProgressStore): Promise<RunOutcome> => {
      const queue = new CountingQueue();
      const deps = depsWith(queue, dispatchProgress);
      const before = counter.snapshot();
      const started = performance.now();
      const begun = await beginRunDispatch(campaign, scheduledFor, deps);
      if (begun.outcome !== 'fan-out') throw new DispatchBenchError(`the run answered '${begun.outcome}', expected a fan-out`);
      if (together) await Promise.all(begun.tasks.map((task) => dispatchRunShard(campaign, task, deps)));
      else for (const task of begun.tasks) await dispatchRunShard(campaign, task, deps);
      const seconds = (performance.now() - started) / 1000;
      const run = await store.campaignRuns.getRun(campaign.id, begun.runId);
      if (run?.state !== 'dispatched') throw new DispatchBenchError(`run ${begun.runId} is ${run?.state ?? 'missing'} after every shard finished`);
      if (run.counts.queued !== CONTACTS || queue.contactIds.length !== CONTACTS) throw new DispatchBenchError(`expected all ${CONTACTS} contacts queued once, got counts ${JSON.stringify(run.counts)} and ${queue.contactIds.length} queued`);
      return { seconds, shards: begun.tasks.length, estimatedContacts: begun.estimatedContacts ?? 0, queue, dynamoCommands: counter.since(before).commands, counts: run.counts };
    };

    const sequential = await measureRun(new Date('2026-12-01T00:00:00Z'), false);
    const sequentialRate = CONTACTS / sequential.seconds;
    console.log(`baseline, shards one after another: ${formatNumber(CONTACTS)} contacts in ${sequential.seconds.toFixed(1)} s = ${formatNumber(sequentialRate)}/s (the per-shard rate)`);
    const fanned = await measureRun(new Date('2026-12-01T01:00:00Z'), true);
    const fannedRate = CONTACTS / fanned.seconds;
    const shards = fanned.shards;
    console.log(`the run estimated ${formatNumber(fanned.estimatedContacts)} contacts (${formatNumber(CONTACTS)} loaded) and took ${shards} workers of ${partitionsEach(shards)} list partitions each`);
    console.log(`fan-out, ${shards} shard workers at once: ${fanned.seconds.toFixed(1)} s = ${formatNumber(fannedRate)}/s = ${(fannedRate / sequentialRate).toFixed(2)} x the baseline (on 2 cores shared with DynamoDB Local)`);

    const resume = await measureResume(campaign, store.dispatchProgress, depsWith);
    const requestsPerContact = (fanned.dynamoCommands + fanned.queue.batchCalls + shards) / CONTACTS;
    console.log(`\nrequests per contact (fan-out run): DynamoDB ${formatNumber(fanned.dynamoCommands / CONTACTS)}, SQS SendMessageBatch ${formatNumber(fanned.queue.batchCalls / CONTACTS)}, shard tasks ${formatNumber(shards / CONTACTS)}: ${formatNumber(requestsPerContact)} in all`);
    const workers1m = dispatchWorkersFor(TARGET_CONTACTS, DEFAULT_FAN_OUT, CONTACT_LIST_PARTITIONS);
    printExtrapolation(sequentialRate, workers1m);

    const perShardSeconds = TARGET_CONTACTS / workers1m / sequentialRate;
    return {
      'dispatch.contacts': CONTACTS,
      'dispatch.shards': shards,
      'dispatch.page_size': DISPATCH_PAGE_SIZE,
      'dispatch.contacts_per_second': round1(fannedRate),
      'dispatch.contacts_per_second_per_shard': round1(sequentialRate),
      'dispatch.fanout_over_one_worker': round3(fannedRate / sequentialRate),
      'dispatch.requests_per_contact': round3(requestsPerContact),
      'dispatch.dynamodb_requests_per_contact': round3(fanned.dynamoCommands / CONTACTS),
      'dispatch.sqs_requests_per_contact': round3((fanned.queue.batchCalls + shards) / CONTACTS),
      'dispatch.resume_restarts_from': resume.redone,
      'dispatch.resume_counts_exact': resume.countsExact ? 1 : 0,
      'dispatch.workers_1m': workers1m,
      'dispatch.minutes_1m_contacts_at_local_rate': round1(perShardSeconds / 60),
      'dispatch.invocations_per_shard_1m_contacts': Math.ceil(perShardSeconds / (LAMBDA_LIMIT_SECONDS - DISPATCH_TIME_RESERVE_MS / 1000)),
    };
  } finally {
    client.destroy();
    await dynamo.stop();
  }

  /** Shard 0's worker dies after KILL_AFTER_PAGES pages, the others finish; then the run is resumed. */
  async function measureResume(campaign: Campaign, progress: DispatchProgressStore, depsWith: (queue: SendQueue, progress?: DispatchProgressStore) => DispatchShardDeps & { fanOut: FanOutPolicy }): Promise<{ redone: number; countsExact: boolean }> {
    const queue = new CountingQueue();
    let saved = 0;
    const dying: DispatchProgressStore = {
      shardProgress: (...args) => progress.shardProgress(...args),
      listShardProgress: (...args) => progress.listShardProgress(...args),
      savePage: async (next) => {
        if (next.shard === 0 && saved++ >= KILL_AFTER_PAGES) throw new DispatchBenchError('killed (injected)');
        return progress.savePage(next);
      },
    };
    const scheduledFor = new Date('2026-12-01T02:00:00Z');
    const begun = await beginRunDispatch(campaign, scheduledFor, depsWith(queue));
    if (begun.outcome !== 'fan-out') throw new DispatchBenchError(`the resume run answered '${begun.outcome}'`);
    const first = await Promise.allSettled(begun.tasks.map((task) => dispatchRunShard(campaign, task, depsWith(queue, dying))));
    const killed = first.filter((outcome) => outcome.status === 'rejected').length;
    if (killed !== 1) throw new DispatchBenchError(`expected exactly shard 0's worker to die, ${killed} did`);
    // The shard task comes back (SQS redelivers it after the visibility timeout) and resumes from the checkpoint.
    const [shardZero] = begun.tasks;
    if (!shardZero) throw new DispatchBenchError('no shard 0 task');
    await dispatchRunShard(campaign, shardZero, depsWith(queue));
    const run = await depsWith(queue).runs.getRun(campaign.id, begun.runId);
    const distinct = new Set(queue.contactIds).size;
    const redone = queue.contactIds.length - distinct;
    const countsExact = run?.state === 'dispatched' && run.counts.queued === CONTACTS && run.counts.audience === CONTACTS && distinct === CONTACTS;
    console.log(
      `resume: shard 0's worker killed after ${KILL_AFTER_PAGES} pages, between queueing page ${KILL_AFTER_PAGES + 1} and its checkpoint; resumed from the checkpoint: ` +
        `${formatNumber(redone)} contacts queued twice (a page is ${DISPATCH_PAGE_SIZE}); every contact queued: ${distinct === CONTACTS ? 'yes' : 'NO'}; run counts exact: ${countsExact ? 'yes' : 'NO'} ${JSON.stringify(run?.counts)}`,
    );
    return { redone, countsExact };
  }
}

/** 1,000,000 contacts at the measured per-shard rate, over the workers the shipped fan-out gives them. */
function printExtrapolation(perShardRate: number, workers: number): void {
  const perShard = TARGET_CONTACTS / workers;
  const shardSeconds = perShard / perShardRate;
  const budget = LAMBDA_LIMIT_SECONDS - DISPATCH_TIME_RESERVE_MS / 1000;
  const invocations = Math.ceil(shardSeconds / budget);
  console.log(`\nextrapolation to ${formatNumber(TARGET_CONTACTS)} contacts (DynamoDB Local's per-shard rate; DynamoDB itself is faster per partition):`);
  for (const line of formatTable(
    ['step', 'arithmetic', 'result'],
    [
      ['workers (run shards)', `clamp(ceil(${formatNumber(TARGET_CONTACTS)} / ${formatNumber(DEFAULT_FAN_OUT.contactsPerWorker)} a worker), 1, min(${DEFAULT_FAN_OUT.maxWorkers} max workers, ${CONTACT_LIST_PARTITIONS} partitions))`, String(workers)],
      ['contacts per shard', `${formatNumber(TARGET_CONTACTS)} / ${workers} shards (${partitionsEach(workers)} list partitions each)`, formatNumber(perShard)],
      ['one shard worker', `${formatNumber(perShard)} / ${formatNumber(perShardRate)} contacts/s`, `${formatNumber(shardSeconds)} s = ${formatNumber(shardSeconds / 60)} min`],
      ['invocations per shard', `ceil(${formatNumber(shardSeconds)} s / ${budget} s budget (15 min less the reserve))`, String(invocations)],
      ['whole run (shards at once)', `max over shards, ${workers} concurrent dispatcher instances (of the event source's ${DEFAULT_FAN_OUT.maxWorkers})`, `${formatNumber(shardSeconds / 60)} min`],
      ['one invocation, no fan-out', `${formatNumber(TARGET_CONTACTS)} / ${formatNumber(perShardRate)} contacts/s`, `${formatNumber(TARGET_CONTACTS / perShardRate / 60)} min (the old design's one 15-min invocation: ${formatNumber(perShardRate * LAMBDA_LIMIT_SECONDS)} contacts)`],
      ['SQS send requests', `${formatNumber(TARGET_CONTACTS)} / 10 per SendMessageBatch, ${workers} x 10 calls in flight`, `${formatNumber(TARGET_CONTACTS / 10)} calls`],
      ['largest run in one invocation per shard', `${DEFAULT_FAN_OUT.maxWorkers} workers x ${formatNumber(perShardRate)} contacts/s x ${budget} s`, formatNumber(DEFAULT_FAN_OUT.maxWorkers * perShardRate * budget)],
    ],
  )) {
    console.log(`  ${line}`);
  }
  console.log(
    `  every invocation stays under 15 min (a worker stops ${DISPATCH_TIME_RESERVE_MS / 1000} s before and queues its continuation); ` +
      `more contacts mean more workers up to ${DEFAULT_FAN_OUT.maxWorkers} (-c dispatchMaxWorkers), then continuations per worker (docs/sending.md).`,
  );
}

/** How many list partitions each of `workers` workers reads: "28-29" when they do not divide evenly. */
function partitionsEach(workers: number): string {
  const fewest = Math.floor(CONTACT_LIST_PARTITIONS / workers);
  return CONTACT_LIST_PARTITIONS % workers === 0 ? String(fewest) : `${fewest}-${fewest + 1}`;
}

/** The shipped config plus a copy of monthly-newsletter to everyone, with the frequency caps but no timing rules, so every contact is queued at once. */
async function benchConfig(): Promise<EngineConfig> {
  const shipped = await loadConfigOrThrow(defaultConfigLocation(fileURLToPath(new URL('..', import.meta.url))));
  const newsletter = shipped.campaigns.find((campaign) => campaign.id === 'monthly-newsletter');
  if (!newsletter) throw new DispatchBenchError('the shipped config has no campaign monthly-newsletter to copy');
  const campaign: Campaign = { ...newsletter, id: BENCH_CAMPAIGN_ID, name: 'Dispatch bench newsletter', status: 'active', audience: {} };
  const { sendWindow: _sendWindow, ...guardrails } = shipped.guardrails;
  return { ...shipped, campaigns: [...shipped.campaigns, campaign], guardrails: { ...guardrails, quietHours: { start: '00:00', end: '00:00' }, holidays: [] } };
}
