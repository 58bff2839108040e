/**
 * Infra tests for a campaign run's fan-out: the dispatch-shard queue (encrypted, TLS only, a
 * dead-letter queue after 3 receives, visible again just after the dispatcher's timeout) feeds the
 * dispatcher one shard task at a time with per-record failures, at most as many instances as a run
 * may have workers (32, or `-c dispatchMaxWorkers`), and the dispatcher is told that bound; the
 * dispatcher may send to that queue (fan-out and continuations) and is told its URL; the DLQ is
 * alarmed; cdk-nag passes. One unbundled synth, and unsynthesized builds for the context setting.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { DEFAULT_DISPATCH_MAX_WORKERS, DISPATCH_SHARD_MAX_RECEIVE_COUNT, DISPATCHER_TIMEOUT } from '../../infra/stateless-stack.ts';
import { IN_MEMORY, loadShippedConfig, removeOutdir, SKIP_BUNDLING, synthStatelessWithNag, type NagOutcome } from './synth-app.ts';
import { actionsOf, getAtt, resourcesOf, templateReading, type Resource } from './template-reading.ts';

let outdir: string;
let nag: NagOutcome;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  ({ outdir, nag, template, resources } = await synthStatelessWithNag());
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

  it('feeds the dispatcher one shard task per invocation, failures per record, at most as many instances as a run may have workers, and tells it that bound', () => {
    expect(DEFAULT_DISPATCH_MAX_WORKERS).toBe(32);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(queueId()),
      FunctionName: { Ref: dispatcherId() },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: DEFAULT_DISPATCH_MAX_WORKERS },
    });
    const variables = (resources[dispatcherId()]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.DISPATCH_MAX_WORKERS).toBe(String(DEFAULT_DISPATCH_MAX_WORKERS));
  });

  it('takes the workers bound from `-c dispatchMaxWorkers` for both the queue\'s concurrency and the dispatcher, and refuses one outside 2 to 256', async () => {
    const config = await loadShippedConfig();
    const build = (dispatchMaxWorkers: unknown) => buildApp({ config, stage: 'dev', appProps: { autoSynth: false, context: { ...IN_MEMORY, ...SKIP_BUNDLING, dispatchMaxWorkers } } });
    const wide = Template.fromStack(build('64').stateless);
    wide.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 64 } });
    wide.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DISPATCH_MAX_WORKERS: '64' }) } });
    for (const wrong of ['1', '257', '12.5', 'many']) expect(() => build(wrong)).toThrow(new RegExp(`Invalid dispatchMaxWorkers "${wrong}"`));
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
