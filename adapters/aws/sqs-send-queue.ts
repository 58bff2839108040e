/**
 * The SendQueue port on SQS: SendMessageBatch, ten requests a call, several calls in flight
 * (one after another capped a dispatch page at SQS's round trip), failed entries retried.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { mapBounded } from '../../core/bounded-parallel.ts';
import type { SendQueue } from '../../core/ports.ts';
import type { SendRequest } from '../../core/sending/send-request.ts';

/** SendMessageBatch calls in flight per enqueue: a 500-contact page is 50 calls, so 5 rounds. */
export const SQS_BATCHES_IN_FLIGHT = 10;

export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(requests: readonly SendRequest[]): Promise<void> {
    await sendInBatches(this.client, this.queueUrl, requests.map((request) => JSON.stringify(request)), 'send request');
  }
}

/** Message bodies in SendMessageBatch calls of ten, bounded in parallel; entries SQS refused are retried with backoff. */
export async function sendInBatches(client: SQSClient, queueUrl: string, bodies: readonly string[], what: string): Promise<void> {
  const batches: string[][] = [];
  for (let start = 0; start < bodies.length; start += 10) batches.push(bodies.slice(start, start + 10));
  await mapBounded(batches, SQS_BATCHES_IN_FLIGHT, async (batch) => {
    let entries = batch.map((body, index) => ({ Id: String(index), MessageBody: body }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt)));
      if (attempt > 6) throw new Error(`SQS refused ${entries.length} ${what}(s) after ${attempt} attempts`);
      const result = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
    }
  });
}
