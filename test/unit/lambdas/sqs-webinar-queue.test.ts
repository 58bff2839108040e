/**
 * The webinar queue on a mocked SQSClient: one SendMessage per Zoom delivery, to the configured
 * queue, whose body parses back to the delivery with the raw body byte for byte (the consumer reads
 * it again as Zoom signed it); a refusal reaches the caller, so the webhook answers 500 and Zoom resends.
 */
import { SendMessageCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsWebinarQueue } from '../../../adapters/aws/sqs-webinar-queue.ts';
import { zoomDeliverySchema, type ZoomDelivery } from '../../../core/webinars/zoom-delivery.ts';

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const QUEUE_URL = 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/webinar-events';
// Spacing, escapes and non-ASCII exactly as sent: the signature covers these bytes.
const rawBody = '{"event":"webinar.participant_joined", "payload":{"object":{"id":"81234567890","topic":"入門 \\"ウェビナー\\""}}}';
const delivery: ZoomDelivery = { source: 'zoom', rawBody, receivedAt: '2026-12-10T05:01:13.000Z' };

describe('SqsWebinarQueue', () => {
  it('sends one message per delivery to the queue, the delivery as JSON with the raw body unchanged', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    await new SqsWebinarQueue(new SQSClient({ region: 'ap-northeast-1' }), QUEUE_URL).enqueue(delivery);
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.QueueUrl).toBe(QUEUE_URL);
    const sent = zoomDeliverySchema.parse(JSON.parse(input.MessageBody ?? ''));
    expect(sent).toEqual(delivery);
    expect(sent.rawBody).toBe(rawBody);
  });

  it('lets a refusal reach the caller (the webhook answers 500 and Zoom resends)', async () => {
    sqs.on(SendMessageCommand).rejects(new SQSServiceException({ name: 'QueueDoesNotExist', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'no such queue' }));
    await expect(new SqsWebinarQueue(new SQSClient({ region: 'ap-northeast-1' }), QUEUE_URL).enqueue(delivery)).rejects.toThrow(/no such queue/);
  });
});
