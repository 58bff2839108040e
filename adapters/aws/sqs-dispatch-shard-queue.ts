/** The DispatchShardQueue port on SQS: one message per (run, shard), consumed by the dispatch-shard function. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DispatchShardTask } from '../../core/campaigns/dispatch-shard.ts';
import type { DispatchShardQueue } from '../../core/ports.ts';
import { sendInBatches } from './sqs-send-queue.ts';

export class SqsDispatchShardQueue implements DispatchShardQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueueShards(tasks: readonly DispatchShardTask[]): Promise<void> {
    await sendInBatches(this.client, this.queueUrl, tasks.map((task) => JSON.stringify(task)), 'dispatch shard task');
  }
}
