/**
 * Local sender workers: N loops that poll the in-process queue like Lambda polls SQS, run the
 * same sender use case, delete what succeeded and let failed records come back (partial batch
 * failure). The workers share one send-rate limiter, so all together stay within the SES rate.
 * When SES refuses the account itself (a batch halts), all workers pause together and back off,
 * then one probes with a single message; the queue keeps every request until SES takes them.
 */
import { processSendBatch, type BatchHalt, type BatchResult, type SenderDeps, type SendOutcome } from '../../core/sending/send-emails.ts';
import { SendRateLimiter, type MonotonicTimer } from '../../core/sending/send-rate-limiter.ts';
import { CLAIM_LEASE_MS } from '../../core/sending/stranded-claims.ts';
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
  /** Pause after SES refused the account: first pause, doubled after each refused probe up to the maximum. */
  haltBackoff?: { initialMs: number; maxMs: number };
}

/** 5 s doubling to 5 min: short enough to notice a fixed account soon, long enough not to hammer a paused one. */
export const DEFAULT_HALT_BACKOFF = { initialMs: 5_000, maxMs: 300_000 } as const;

/** drain() cannot finish while SES refuses the account: it says so instead of waiting forever. */
export class SendingHaltedError extends Error {
  constructor(
    readonly halt: BatchHalt,
    readonly queued: number,
  ) {
    super(
      `SES refused the sending account (${halt.errorName}): the sender workers are paused and ${queued} send request(s) wait in the queue. ` +
        'Fix the account (sending status, sender identities, credentials); the workers retry on their own and the requests go out.',
    );
    this.name = 'SendingHaltedError';
  }
}

interface Pause {
  halt: BatchHalt;
  backoffMs: number;
  /** timer.now() at which the next probe may go. */
  until: number;
  /** A worker is probing with one message; the others keep waiting for its answer. */
  probing: boolean;
}

export class SenderWorkers {
  private running = false;
  private loops: Promise<void>[] = [];
  private pause: Pause | undefined;
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

  /** Why the workers are paused (SES refused the account), or undefined while they work. */
  get halted(): BatchHalt | undefined {
    return this.pause?.halt;
  }

  /**
   * Resolves when the queue is empty (every message sent, skipped, failed for good or dead-lettered).
   * Rejects with a SendingHaltedError while the workers are paused because SES refused the account:
   * the queue cannot empty until someone fixes it, and a caller waiting forever would not say why.
   */
  async drain(pollMs = 20): Promise<void> {
    while (this.queue.size > 0) {
      if (this.pause) throw new SendingHaltedError(this.pause.halt, this.queue.size);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private async loop(rateLimiter: SendRateLimiter, timer: MonotonicTimer): Promise<void> {
    while (this.running) {
      const turn = this.nextTurn(timer);
      if (turn.wait !== undefined) {
        await timer.sleep(turn.wait);
        continue;
      }
      // A probe risks one message's receive count, not a batch's.
      const messages = this.queue.receive(turn.probe ? 1 : (this.options.batchSize ?? 10));
      if (messages.length === 0) {
        if (turn.probe && this.pause) this.pause.probing = false;
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
        // A claim held by another worker is looked at again when its lease is over, as SQS's visibility timeout does in AWS.
        if (retry.has(message.id)) this.queue.release(message.id, result.outcomes.get(message.id) === 'claimed-elsewhere' ? CLAIM_LEASE_MS : (this.options.retryDelayMs ?? 200));
        else this.queue.delete(message.id);
      }
      for (const outcome of result.outcomes.values()) this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
      this.afterBatch(result, turn.probe, timer);
    }
  }

  /** Work, probe (the pause is over: one worker tries one message), or wait this long. */
  private nextTurn(timer: MonotonicTimer): { probe: boolean; wait?: number } {
    const pause = this.pause;
    if (!pause) return { probe: false };
    const left = pause.until - timer.now();
    if (pause.probing || left > 0) return { probe: false, wait: Math.min(Math.max(left, 10), 100) };
    pause.probing = true;
    return { probe: true };
  }

  private afterBatch(result: BatchResult, probe: boolean, timer: MonotonicTimer): void {
    if (result.halted) {
      this.paused(result.halted, probe, timer);
      return;
    }
    if (!this.pause) return;
    if (probe) this.pause.probing = false;
    // Only an accepted email proves the account works again; a probe that was skipped or a duplicate proves nothing.
    if ([...result.outcomes.values()].includes('sent')) {
      this.deps.log?.({ level: 'INFO', message: 'SES accepts email again: sender workers resume', errorName: this.pause.halt.errorName });
      this.pause = undefined;
    }
  }

  private paused(halt: BatchHalt, probe: boolean, timer: MonotonicTimer): void {
    const backoff = this.options.haltBackoff ?? DEFAULT_HALT_BACKOFF;
    let backoffMs: number;
    if (!this.pause) backoffMs = backoff.initialMs;
    else if (probe) backoffMs = Math.min(this.pause.backoffMs * 2, backoff.maxMs);
    // A batch that was already in flight when the pause began: the same outage, not a longer one.
    else return;
    this.pause = { halt, backoffMs, until: timer.now() + backoffMs, probing: false };
    this.deps.log?.({
      level: 'ERROR',
      message: 'SES refused the sending account: sender workers paused, send requests stay queued for retry',
      reason: halt.reason,
      errorName: halt.errorName,
      pauseMs: backoffMs,
      queued: this.queue.size,
    });
  }
}
