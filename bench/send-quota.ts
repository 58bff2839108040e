/**
 * Bench `send-quota`: does the sender reach a large SES quota? One campaign's send requests
 * (12,000) go through the real sender use case (rendering, tags, claims, rate limiter, partial
 * batch failure) run as N Lambda-like instances: each takes 10 requests at a time from the queue
 * and paces itself to quota / N, as in AWS. SES is a stand-in with SES-like latency (lognormal,
 * median 60 ms, p95 about 110 ms) that throttles above 1,000 emails/s (a token bucket with one
 * second of burst, as SES allows); the store is the in-memory one with 5 ms per DynamoDB call, so
 * the bench measures the sender's pacing and concurrency, not DynamoDB Local on 2 cores (the
 * `send` bench does that at 100/s).
 *
 * N comes from the sizing model (core/sending/sender-capacity.ts) fed with the latencies above;
 * the baseline, in the same run, is the fixed 5 instances without catch-up the sender had before.
 *
 * Time runs 4x slower here (quota 250/s, every latency x4): in AWS each instance has a CPU of its
 * own, while here all of them share one Node process on a 2-core machine, and rendering an email
 * costs a few ms of CPU (printed). Rates over the quota are the same at any time scale when CPU is
 * not the bottleneck, which the slower clock makes sure of.
 * Figures: `send.rate_over_quota_1000` (accepted emails per second between the first and the
 * last, over the quota), the same for the baseline, the model's concurrency, and duplicates and
 * lost emails (both must be 0).
 */
import { InProcessQueue } from '../adapters/local/in-process-queue.ts';
import { realTimer } from '../adapters/local/sender-workers.ts';
import { MailerError, type Mailer, type OutgoingEmail, type Store } from '../core/ports.ts';
import { processSendBatch, type SenderDeps } from '../core/sending/send-emails.ts';
import { SendRateLimiter } from '../core/sending/send-rate-limiter.ts';
import { senderCapacity, type SenderCapacityInputs } from '../core/sending/sender-capacity.ts';
import type { SendRequest } from '../core/sending/send-request.ts';
import { generateDemoCustomers } from '../local/demo-customers.ts';
import { createMemoryStore } from '../test/support/memory-store.ts';
import { senderDeps } from '../test/support/sending-fixtures.ts';
import type { Figures } from './bench.ts';
import { round3 } from './figure-math.ts';
import { BENCH_CAMPAIGN_ID, benchConfig, everyoneReachable } from './send.ts';
import { TokenBucket } from './throttling-ses.ts';

export const name = 'send-quota';
export const figurePrefixes = ['send'] as const;

const QUOTA = 1_000;
const TIME_SCALE = 4;
const EMAILS = 12_000;
/** The baseline is slow (that is the point): fewer emails keep the bench within minutes. */
const BASELINE_EMAILS = 3_000;
const BATCH_SIZE = 10;
const STORE_MS = 5;
/** SQS's hand-over of a batch to an instance (poll, invoke), before the sender's own reads. */
const SQS_HANDOVER_MS = 10;
const SES_MEDIAN_MS = 60;
const SES_SIGMA = 0.35;
const FIXED_BEFORE = 5;

/** What the model is told: the latencies this bench's stand-ins have. */
const SIZING: SenderCapacityInputs = {
  maxSendRate: QUOTA,
  sesLatencyMs: Math.round(SES_MEDIAN_MS * Math.exp(1.645 * SES_SIGMA)),
  // The claim and the sent write.
  storeMsPerEmail: 2 * STORE_MS,
  // Contacts, accounts, suppressions and the pause switch are read before the first email.
  batchOverheadMs: SQS_HANDOVER_MS + 4 * STORE_MS,
  batchSize: BATCH_SIZE,
  lambdaConcurrencyAvailable: 1_000,
};

export async function run(): Promise<Figures> {
  const model = senderCapacity(SIZING);
  console.log(`send-quota: sizing model for an SES quota of ${QUOTA}/s`);
  for (const line of model.arithmetic) console.log(`  ${line}`);
  const sized = await measure({ instances: model.concurrency, burstSeconds: model.burstSeconds }, EMAILS);
  const fixed = await measure({ instances: FIXED_BEFORE, burstSeconds: 0 }, BASELINE_EMAILS);
  console.log(`send-quota: CPU ${sized.cpuMsPerEmail.toFixed(2)} ms per email in this process (time runs ${TIME_SCALE}x slower, so ${((QUOTA / TIME_SCALE) * sized.cpuMsPerEmail / 10).toFixed(0)} % of one core)`);
  const ratio = sized.rate / fixed.rate;
  console.log(`send-quota: ${model.concurrency} instances (model): ${sized.rate.toFixed(0)} emails/s = ${(sized.rate / QUOTA).toFixed(3)} of the quota; ${FIXED_BEFORE} fixed (before): ${fixed.rate.toFixed(0)}/s = ${(fixed.rate / QUOTA).toFixed(3)}; ${ratio.toFixed(2)}x`);
  console.log(`send-quota: throttled by SES ${sized.throttled} (model) / ${fixed.throttled} (fixed); duplicates ${sized.duplicates + fixed.duplicates}, lost ${sized.lost + fixed.lost}`);
  return {
    'send.rate_over_quota_1000': round3(sized.rate / QUOTA),
    'send.rate_over_quota_1000_fixed5': round3(fixed.rate / QUOTA),
    'send.quota_1000_concurrency': model.concurrency,
    'send.quota_1000_duplicates': sized.duplicates + fixed.duplicates,
    'send.quota_1000_lost': sized.lost + fixed.lost,
  };
}

interface Measured {
  /** Emails per second on the bench's slowed clock, scaled back to real time. */
  rate: number;
  cpuMsPerEmail: number;
  throttled: number;
  duplicates: number;
  lost: number;
}

async function measure(fleet: { instances: number; burstSeconds: number }, emails: number): Promise<Measured> {
  const config = await benchConfig();
  const memory = createMemoryStore();
  const customers = everyoneReachable(generateDemoCustomers({ accounts: 1_000, contacts: emails }));
  for (const account of customers.accounts) await memory.customers.upsertAccount(account, new Date());
  for (const contact of customers.contacts) await memory.customers.upsertContact(contact, new Date());
  const store = withStoreLatency(memory);
  const ses = new LatentSes(QUOTA / TIME_SCALE);
  const queue = new InProcessQueue({ visibilityTimeoutMs: 30_000 });
  const requests: SendRequest[] = customers.contacts.map((contact) => ({ source: { kind: 'campaign', campaignId: BENCH_CAMPAIGN_ID }, runId: 'bench-quota', contactId: contact.contactId, accountId: contact.accountId }));
  await queue.enqueue(requests);
  // The tests' sender wiring over this store and SES; the bench sets its own pacing and real back-off sleeps.
  const deps: Omit<SenderDeps, 'rateLimiter'> = { ...senderDeps(store, config, ses, { now: () => new Date() }), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
  const instance = async () => {
    const limiter = new SendRateLimiter(QUOTA / TIME_SCALE / fleet.instances, realTimer, fleet.burstSeconds * TIME_SCALE);
    for (;;) {
      const messages = queue.receive(BATCH_SIZE);
      if (messages.length === 0) {
        if (queue.size === 0) return;
        await realTimer.sleep(20);
        continue;
      }
      await realTimer.sleep(SQS_HANDOVER_MS * TIME_SCALE);
      const result = await processSendBatch(messages.map((message) => ({ id: message.id, body: message.body })), { ...deps, rateLimiter: limiter });
      const retry = new Set(result.retryIds);
      for (const message of messages) {
        if (retry.has(message.id)) queue.release(message.id, 0);
        else queue.delete(message.id);
      }
    }
  };
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: fleet.instances }, instance));
  const cpu = process.cpuUsage(cpuBefore);
  const perRecipient = new Map<string, number>();
  for (const email of ses.accepted) perRecipient.set(email.to, (perRecipient.get(email.to) ?? 0) + 1);
  const first = ses.acceptedAt[0] ?? 0;
  const last = ses.acceptedAt[ses.acceptedAt.length - 1] ?? first;
  return {
    rate: (((ses.accepted.length - 1) * 1000) / Math.max(1, last - first)) * TIME_SCALE,
    cpuMsPerEmail: (cpu.user + cpu.system) / 1000 / Math.max(1, ses.accepted.length),
    throttled: ses.throttled,
    duplicates: [...perRecipient.values()].filter((count) => count > 1).length,
    // Every request ends accepted by SES (none is failed or skipped here): any other end is a loss.
    lost: emails - perRecipient.size,
  };
}

/** SES with latency: takes a token on arrival (throttled when the second's tokens are spent), answers after a lognormal delay. */
class LatentSes implements Mailer {
  readonly accepted: OutgoingEmail[] = [];
  readonly acceptedAt: number[] = [];
  throttled = 0;
  private readonly bucket: TokenBucket;
  private next = 0;

  constructor(private readonly quota: number) {
    this.bucket = new TokenBucket(quota, quota, () => performance.now());
  }

  async maxSendRate(): Promise<number> {
    return this.quota;
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const took = this.bucket.take();
    await realTimer.sleep(lognormal(SES_MEDIAN_MS, SES_SIGMA) * TIME_SCALE);
    if (!took) {
      this.throttled += 1;
      throw new MailerError('throttled', 'Maximum sending rate exceeded.');
    }
    this.accepted.push(email);
    this.acceptedAt.push(performance.now());
    return { messageId: `ses-${++this.next}` };
  }
}

function lognormal(median: number, sigma: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  return median * Math.exp(sigma * normal);
}

/** The in-memory store, each call taking what a DynamoDB request takes from Lambda. */
function withStoreLatency(store: Store): Store {
  const slowed = <T extends object>(part: T): T =>
    new Proxy(part, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await realTimer.sleep(STORE_MS * TIME_SCALE);
          return (value as (...inner: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return Object.fromEntries(Object.entries(store).map(([key, part]) => [key, slowed(part as object)])) as unknown as Store;
}
