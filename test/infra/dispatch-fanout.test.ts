/**
 * Infra tests for a campaign run's fan-out: the dispatch-shard queue (encrypted, TLS only, a
 * dead-letter queue after 3 receives, visible again just after the dispatcher's timeout) feeds the
 * dispatcher one shard task at a time with per-record failures, at most one instance per
 * contact-list shard; the dispatcher may send to that queue (fan-out and continuations) and is told
 * its URL; the DLQ is alarmed; cdk-nag passes. One unbundled synth.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT_LIST_SHARDS } from '../../adapters/aws/dynamo/table-design.ts';
import { DISPATCH_SHARD_MAX_RECEIVE_COUNT, DISPATCHER_TIMEOUT } from '../../infra/stateless-stack.ts';
import { removeOutdir, synthStatelessWithNag, type NagOutcome } from './synth-app.ts';
import { actionsOf, getAtt, resourcesOf, templateReading, type Resource } from './template-reading.ts';

let outdir: string;
let nag: NagOutcome;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  ({ outdir, nag, resources } = await synthStatelessWithNag());
  template = Template.fromJSON({ Resources: resources });
}, 120_000);

afterAll(() => removeOutdir(outdir));

const { onlyId, roleIdOf, statementsOfRole } = templateReading(() => resources);
const queueId = () => onlyId('AWS::SQS::Queue', 'DispatchShardQueue');
const deadLetterId = () => onlyId('AWS::SQS::Queue', 'DispatchShardDeadLetterQueue');
const dispatcherId = () => onlyId('AWS::Lambda::Function', 'DispatcherFunction');

describe('Dispatch-shard queue', () => {
  it('parks a shard task after 3 receives in an encrypted dead-letter queue kept 14 days, and shows it again just after the dispatcher timeout', () => {
    const queue = resources[queueId()]?.Properties as Record<string, unknown>;
    expect(queue).toMatchObject({ RedrivePolicy: { deadLetterTargetArn: getAtt(deadLetterId()), maxReceiveCount: DISPATCH_SHARD_MAX_RECEIVE_COUNT }, SqsManagedSseEnabled: true });
    expect(queue.VisibilityTimeout).toBeGreaterThan(DISPATCHER_TIMEOUT.toSeconds());
    expect(queue.VisibilityTimeout).toBeLessThanOrEqual(DISPATCHER_TIMEOUT.toSeconds() + 120);
    expect(resources[deadLetterId()]?.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
  });

  it('feeds the dispatcher one shard task per invocation, failures per record, one instance per list shard at most', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(queueId()),
      FunctionName: { Ref: dispatcherId() },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: CONTACT_LIST_SHARDS },
    });
  });

  it('tells the dispatcher the queue URL and lets it send to the queue, and nothing else new', () => {
    const variables = (resources[dispatcherId()]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.DISPATCH_SHARD_QUEUE_URL).toEqual({ Ref: queueId() });
    const statements = statementsOfRole(roleIdOf(dispatcherId()));
    const onQueue = statements.filter((statement) => JSON.stringify(resourcesOf(statement)).includes(queueId()));
    // SendMessage (fan-out, continuations) by the dispatcher's policy; receive and delete by the event source mapping's grant.
    expect(onQueue.flatMap(actionsOf).sort()).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'].sort());
    for (const statement of onQueue) expect(resourcesOf(statement)).toEqual([getAtt(queueId())]);
  });

  it('alarms on any message in its dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(deadLetterId(), 'QueueName') }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('passes cdk-nag', () => {
    expect(nag.findings).toEqual([]);
    expect(nag.error).toBeUndefined();
  });
});
