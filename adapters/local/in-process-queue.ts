/**
 * The local stand-in for SQS with the semantics the sender relies on: at-least-once delivery,
 * a visibility timeout after which an unacknowledged message is delivered again, a receive
 * count, and a dead-letter list after too many receives. Workers poll it like Lambda polls SQS
 * and report partial batch failures the same way.
 */
import { randomUUID } from 'node:crypto';
import type { SendQueue } from '../../core/ports.ts';
import type { SendRequest } from '../../core/sending/send-request.ts';

interface QueuedMessage {
  id: string;
  body: string;
  receiveCount: number;
  visibleAt: number;
}

export interface ReceivedMessage {
  id: string;
  body: string;
  receiveCount: number;
}

export interface InProcessQueueOptions {
  visibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  now?: () => number;
}

export class InProcessQueue implements SendQueue {
  private readonly messages = new Map<string, QueuedMessage>();
  readonly deadLetters: ReceivedMessage[] = [];
  private readonly visibilityTimeoutMs: number;
  private readonly maxReceiveCount: number;
  private readonly now: () => number;

  constructor(options: InProcessQueueOptions = {}) {
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 30_000;
    this.maxReceiveCount = options.maxReceiveCount ?? 5;
    this.now = options.now ?? Date.now;
  }

  async enqueue(requests: readonly SendRequest[]): Promise<void> {
    for (const request of requests) this.sendMessage(JSON.stringify(request));
  }

  sendMessage(body: string): string {
    const id = randomUUID();
    this.messages.set(id, { id, body, receiveCount: 0, visibleAt: 0 });
    return id;
  }

  /** Up to `max` visible messages; each becomes invisible for the visibility timeout. */
  receive(max = 10): ReceivedMessage[] {
    const now = this.now();
    const received: ReceivedMessage[] = [];
    for (const message of this.messages.values()) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      if (message.receiveCount >= this.maxReceiveCount) {
        this.messages.delete(message.id);
        this.deadLetters.push({ id: message.id, body: message.body, receiveCount: message.receiveCount });
        continue;
      }
      message.receiveCount++;
      message.visibleAt = now + this.visibilityTimeoutMs;
      received.push({ id: message.id, body: message.body, receiveCount: message.receiveCount });
    }
    return received;
  }

  delete(id: string): void {
    this.messages.delete(id);
  }

  /** Makes a message visible again at once (a failed record, as Lambda's partial failure does after the timeout). */
  release(id: string, delayMs = 0): void {
    const message = this.messages.get(id);
    if (message) message.visibleAt = this.now() + delayMs;
  }

  get size(): number {
    return this.messages.size;
  }

  get inFlight(): number {
    const now = this.now();
    return [...this.messages.values()].filter((message) => message.visibleAt > now).length;
  }
}
