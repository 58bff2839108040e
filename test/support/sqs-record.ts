/** An SQS record as Lambda hands it to a queue consumer (first receive), for handler tests. */
import type { SQSRecord } from 'aws-lambda';

export const sqsRecord = (messageId: string, body: string, queueName = 'webinar-events'): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1796878872345', SenderId: 'AROA', ApproximateFirstReceiveTimestamp: '1796878872400' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:ap-northeast-1:123456789012:${queueName}`,
  awsRegion: 'ap-northeast-1',
});
