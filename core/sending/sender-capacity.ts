/**
 * How many sender instances an SES quota needs, and each one's share of the rate (Little's law
 * over one SQS batch). An instance works one batch at a time: it reads the batch's contacts,
 * sends the first email alone (batch-send-gate.ts: one call tells whether SES refuses the account),
 * then the rest in parallel, each taking a send-rate slot, a claim, SES's answer and the "sent"
 * write; the next batch starts when the slowest email of this one is done. So an instance
 * moves at most `batchSize` emails per batch time, and the account's quota needs
 * quota x batch time / batchSize instances (plus headroom for SES's slow answers). Each instance
 * paces itself to quota / instances, and may catch up one batch's worth of unused slots, so a
 * batch is not spread over the time it spent waiting for SES. The Lambda account's concurrency
 * bounds it; when it does, the expected rate says so.
 */

export interface SenderCapacityInputs {
  /** The SES account's MaxSendRate, emails per second. */
  maxSendRate: number;
  /** SES SendEmail latency to plan for (a high percentile, e.g. p95), ms. */
  sesLatencyMs: number;
  /** DynamoDB time on one email's path besides SES (the claim, then the sent write), ms. */
  storeMsPerEmail: number;
  /** Per batch, before the first email: the batch's contact, account and suppression reads, and SQS's hand-over, ms. */
  batchOverheadMs: number;
  /** Emails per SQS batch (the event source's batch size): the emails one instance has in flight. */
  batchSize: number;
  /** Lambda concurrency the sender may reserve (the account's limit less what other functions need). */
  lambdaConcurrencyAvailable: number;
  /** Spare capacity over the computed need (default 1.25). */
  headroom?: number;
  /** Fewest instances the platform runs (an SQS event source scales to at least 2), default 1. */
  minConcurrency?: number;
}

export interface SenderCapacity {
  /** Sender instances: reserved concurrency and the event source's maximum concurrency. */
  concurrency: number;
  /** Each instance's share of the quota, emails per second. */
  perInstanceRate: number;
  /** Unused send slots an instance may catch up, seconds (one batch's worth, at most 1 s). */
  burstSeconds: number;
  /** One batch, end to end, ms. */
  batchMs: number;
  /** What one instance can move, unpaced, emails per second. */
  instanceCapacity: number;
  /** The rate the fleet reaches: the quota, or less when Lambda's limit binds. */
  expectedRate: number;
  limitedBy: 'ses-quota' | 'lambda-concurrency';
  /** The computation, one line per step, for the model's printout. */
  arithmetic: string[];
}

export function senderCapacity(inputs: SenderCapacityInputs): SenderCapacity {
  const headroom = inputs.headroom ?? 1.25;
  for (const [name, value] of Object.entries({ ...inputs, headroom })) {
    if (!(Number.isFinite(value) && value >= 0)) throw new Error(`sender capacity: ${name} must be a number >= 0, got ${String(value)}`);
  }
  if (inputs.maxSendRate <= 0 || inputs.batchSize < 1 || inputs.lambdaConcurrencyAvailable < 1) throw new Error('sender capacity: maxSendRate, batchSize and lambdaConcurrencyAvailable must be positive');
  // The probe email, then the rest together: two email round trips per batch.
  const emailMs = inputs.sesLatencyMs + inputs.storeMsPerEmail;
  const batchMs = inputs.batchOverheadMs + 2 * emailMs;
  const instanceCapacity = (inputs.batchSize * 1000) / batchMs;
  const needed = Math.max(1, Math.ceil((inputs.maxSendRate * headroom) / instanceCapacity));
  const concurrency = Math.max(inputs.minConcurrency ?? 1, Math.min(needed, Math.floor(inputs.lambdaConcurrencyAvailable)));
  const perInstanceRate = inputs.maxSendRate / concurrency;
  const expectedRate = Math.min(inputs.maxSendRate, concurrency * instanceCapacity);
  const burstSeconds = Math.min(1, inputs.batchSize / perInstanceRate);
  // Capped below the headroom but still above the quota: the quota binds, with less to spare.
  const limitedBy = expectedRate < inputs.maxSendRate ? 'lambda-concurrency' : 'ses-quota';
  const f = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));
  return {
    concurrency,
    perInstanceRate,
    burstSeconds,
    batchMs,
    instanceCapacity,
    expectedRate,
    limitedBy,
    arithmetic: [
      `batch time = overhead ${f(inputs.batchOverheadMs)} ms + 2 x (SES ${f(inputs.sesLatencyMs)} ms + store ${f(inputs.storeMsPerEmail)} ms: the probe email, then the rest together) = ${f(batchMs)} ms`,
      `one instance moves batch ${inputs.batchSize} / ${f(batchMs / 1000)} s = ${f(instanceCapacity)} emails/s`,
      `instances = ceil(quota ${f(inputs.maxSendRate)}/s x headroom ${f(headroom)} / ${f(instanceCapacity)}) = ${needed}` +
        (concurrency < needed ? `, capped at the ${concurrency} Lambda allows` : ` (within the ${Math.floor(inputs.lambdaConcurrencyAvailable)} Lambda allows)`) +
        (concurrency > needed ? `, raised to the platform's minimum of ${concurrency}` : ''),
      `each instance paces to ${f(inputs.maxSendRate)} / ${concurrency} = ${f(perInstanceRate)} emails/s, catching up at most ${f(burstSeconds)} s of slots`,
      `expected rate = min(quota ${f(inputs.maxSendRate)}, ${concurrency} x ${f(instanceCapacity)}) = ${f(expectedRate)} emails/s (${limitedBy === 'ses-quota' ? 'the SES quota binds' : 'Lambda concurrency binds: ask for a higher limit'})`,
    ],
  };
}
