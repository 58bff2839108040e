/**
 * The WebinarEventQueue port on SQS: one SendMessage per Zoom delivery, the delivery as JSON (the
 * raw body stays exactly as Zoom signed it). No retry here: the webhook route answers 500 when
 * the queue refuses, and Zoom resends a webhook it got no 2xx for.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { WebinarEventQueue, ZoomDelivery } from '../../core/webinars/zoom-delivery.ts';

export class SqsWebinarQueue implements WebinarEventQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(delivery: ZoomDelivery): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(delivery) }));
  }
}
