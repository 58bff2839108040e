/**
 * The webinar queue locally: what SQS and its consumer function are in AWS. The webhook route
 * enqueues and answers at once; deliveries are processed one after another in the background,
 * each retried a few times (processing is idempotent), and one that keeps failing is kept in
 * `deadLetters` and logged, like a message in the dead-letter queue. `drain()` waits until
 * everything enqueued so far is processed (the demo and tests use it).
 */
import type { WebinarEventQueue, ZoomDelivery } from '../../core/webinars/zoom-delivery.ts';

export interface InProcessWebinarQueueOptions {
  process: (delivery: ZoomDelivery) => Promise<unknown>;
  maxReceiveCount?: number;
  log?: (entry: Record<string, unknown>) => void;
}

export class InProcessWebinarQueue implements WebinarEventQueue {
  readonly deadLetters: Array<{ delivery: ZoomDelivery; error: string }> = [];
  private readonly pending: ZoomDelivery[] = [];
  private running: Promise<void> | undefined;
  processed = 0;

  constructor(private readonly options: InProcessWebinarQueueOptions) {}

  async enqueue(delivery: ZoomDelivery): Promise<void> {
    this.pending.push(delivery);
    this.running ??= this.consume().finally(() => {
      this.running = undefined;
    });
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async consume(): Promise<void> {
    // Yield first, so the webhook's answer is not held up by the processing.
    await new Promise((resolve) => setImmediate(resolve));
    for (let delivery = this.pending.shift(); delivery; delivery = this.pending.shift()) {
      const attempts = this.options.maxReceiveCount ?? 5;
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.process(delivery);
          this.processed++;
          break;
        } catch (error) {
          if (attempt >= attempts) {
            this.deadLetters.push({ delivery, error: (error as Error).message });
            this.options.log?.({ level: 'ERROR', message: 'webinar webhook moved to the dead letters after retries', error: (error as Error).message, attempts });
            break;
          }
        }
      }
    }
  }
}
