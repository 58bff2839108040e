/** The SendQueue port on SQS: SendMessageBatch, ten requests a call, failed entries retried. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SendQueue } from '../../core/ports.ts';
import type { SendRequest } from '../../core/sending/send-request.ts';

export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(requests: readonly SendRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += 10) {
      let entries = requests.slice(start, start + 10).map((request, index) => ({ Id: String(index), MessageBody: JSON.stringify(request) }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt)));
        if (attempt > 6) throw new Error(`SQS refused ${entries.length} send request(s) after ${attempt} attempts`);
        const result = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
    }
  }
}
