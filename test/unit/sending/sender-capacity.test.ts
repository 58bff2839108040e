/**
 * The sender sizing model: instances grow with the quota and SES's latency, each instance's share
 * times the instances is the quota, and the Lambda concurrency limit caps it (and says so).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { senderCapacity, type SenderCapacityInputs } from '../../../core/sending/sender-capacity.ts';

const base: SenderCapacityInputs = { maxSendRate: 1000, sesLatencyMs: 80, storeMsPerEmail: 20, batchOverheadMs: 30, batchSize: 10, lambdaConcurrencyAvailable: 300 };

describe('sender capacity', () => {
  it('sizes 1,000 emails/s with SES at 80 ms: 29 instances (a probe email, then 9 together, per batch of 10), each paced to 1/29 of the quota', () => {
    const plan = senderCapacity(base);
    expect(plan).toMatchObject({ concurrency: 29, batchMs: 230, expectedRate: 1000, limitedBy: 'ses-quota' });
    expect(plan.perInstanceRate * plan.concurrency).toBeCloseTo(1000);
    expect(plan.arithmetic.join('\n')).toContain('instances = ceil(quota 1000/s x headroom 1.25 / 43.48) = 29');
  });

  it('never plans less than the quota needs, and never more than Lambda allows (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 5, max: 2_000 }), fc.integer({ min: 1, max: 1_000 }), (quota, latency, lambda) => {
        const plan = senderCapacity({ ...base, maxSendRate: quota, sesLatencyMs: latency, lambdaConcurrencyAvailable: lambda });
        expect(plan.concurrency).toBeLessThanOrEqual(lambda);
        if (plan.limitedBy === 'ses-quota') expect(plan.concurrency * plan.instanceCapacity).toBeGreaterThanOrEqual(quota);
        else expect(plan.expectedRate).toBeLessThan(quota);
        expect(plan.burstSeconds).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('says when the Lambda limit binds, and honours the platform minimum', () => {
    expect(senderCapacity({ ...base, maxSendRate: 50_000, lambdaConcurrencyAvailable: 100 })).toMatchObject({ concurrency: 100, limitedBy: 'lambda-concurrency' });
    expect(senderCapacity({ ...base, maxSendRate: 14, minConcurrency: 2 })).toMatchObject({ concurrency: 2, perInstanceRate: 7 });
  });

  it('refuses inputs that are not numbers', () => {
    expect(() => senderCapacity({ ...base, sesLatencyMs: Number.NaN })).toThrow(/sesLatencyMs must be a number >= 0/);
    expect(() => senderCapacity({ ...base, batchSize: 0 })).toThrow(/must be positive/);
  });
});
