/**
 * Keeps one sender worker within its share of the SES account's send rate (MaxSendRate divided
 * by the number of workers), so all workers together stay within the quota. A token bucket
 * with a burst of one: sends are spaced evenly, which is what SES's per-second limit wants.
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
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.timer.sleep(slot - now);
  }
}
