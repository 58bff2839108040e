/**
 * Local sender workers: N loops that poll the in-process queue like Lambda polls SQS, run the
 * same sender use case, delete what succeeded and let failed records come back (partial batch
 * failure). The workers share one send-rate limiter, so all together stay within the SES rate.
 */
import { processSendBatch, type SenderDeps, type SendOutcome } from '../../core/sending/send-emails.ts';
import { SendRateLimiter, type MonotonicTimer } from '../../core/sending/send-rate-limiter.ts';
import type { InProcessQueue } from './in-process-queue.ts';

export const realTimer: MonotonicTimer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface SenderWorkerOptions {
  workers: number;
  /** Account send rate (emails/s) shared by all workers. */
  maxSendRate: number;
  batchSize?: number;
  /** Delay before a failed record becomes visible again. */
  retryDelayMs?: number;
  timer?: MonotonicTimer;
}

export class SenderWorkers {
  private running = false;
  private loops: Promise<void>[] = [];
  readonly outcomes = new Map<SendOutcome, number>();

  constructor(
    private readonly queue: InProcessQueue,
    private readonly deps: Omit<SenderDeps, 'rateLimiter'>,
    private readonly options: SenderWorkerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const timer = this.options.timer ?? realTimer;
    // One process: all workers share one limiter at the full rate (a small catch-up burst, well inside SES's one second).
    const limiter = new SendRateLimiter(this.options.maxSendRate, timer, 0.2);
    this.loops = Array.from({ length: this.options.workers }, () => this.loop(limiter, timer));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Resolves when the queue is empty (every message sent, skipped, failed for good or dead-lettered). */
  async drain(pollMs = 20): Promise<void> {
    while (this.queue.size > 0) await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  private async loop(rateLimiter: SendRateLimiter, timer: MonotonicTimer): Promise<void> {
    while (this.running) {
      const messages = this.queue.receive(this.options.batchSize ?? 10);
      if (messages.length === 0) {
        await timer.sleep(10);
        continue;
      }
      const result = await processSendBatch(
        messages.map((message) => ({ id: message.id, body: message.body })),
        { ...this.deps, rateLimiter },
      ).catch((error: unknown) => {
        this.deps.log?.({ level: 'ERROR', message: 'send batch failed', error: (error as Error).message });
        return { retryIds: messages.map((message) => message.id), outcomes: new Map<string, SendOutcome>() };
      });
      const retry = new Set(result.retryIds);
      for (const message of messages) {
        if (retry.has(message.id)) this.queue.release(message.id, this.options.retryDelayMs ?? 200);
        else this.queue.delete(message.id);
      }
      for (const outcome of result.outcomes.values()) this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    }
  }
}
