/**
 * Keeps senders within the SES account's send rate. One limiter per process: in Lambda each
 * instance gets MaxSendRate / reserved concurrency; locally all workers share one at the full
 * rate, so a worker busy with the store does not waste the others' slots. Sends are spaced
 * evenly; up to `burstSeconds` of unused slots may be caught up (SES counts per second).
 */

export interface MonotonicTimer {
  /** Milliseconds from an arbitrary origin, never going back. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class SendRateLimiter {
  private nextSlot = 0;

  constructor(
    private readonly perSecond: number,
    private readonly timer: MonotonicTimer,
    private readonly burstSeconds = 0,
  ) {
    if (!(perSecond > 0)) throw new Error(`send rate must be above 0, got ${perSecond}`);
  }

  get ratePerSecond(): number {
    return this.perSecond;
  }

  /** Resolves when this worker may send one more email. */
  async acquire(): Promise<void> {
    const interval = 1000 / this.perSecond;
    const now = this.timer.now();
    const slot = Math.max(now - this.burstSeconds * 1000, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.timer.sleep(slot - now);
  }
}
