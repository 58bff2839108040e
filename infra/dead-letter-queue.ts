/**
 * A dead-letter queue of the engine: SQS-managed encryption, TLS only, kept 14 days. cdk-nag's
 * AwsSolutions-SQS3 (a queue without a DLQ of its own) is acknowledged with what delivers to it:
 * cdk-nag only recognises DLQs named in an SQS redrive policy, not EventBridge targets, Lambda
 * destinations or stream event sources.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** `deliveredBy`: what parks messages here, as the acknowledgement's reason says it ("the SES events rule target ..."). */
export function deadLetterQueue(scope: Construct, id: string, deliveredBy: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself a dead-letter queue: ${deliveredBy} (cdk-nag only recognises DLQs named in an SQS redrive policy).`,
  });
  return queue;
}
