/**
 * Infra tests for the KPI counters from the table's stream: the event source reads the stateful
 * table's stream in order per shard, 1,000 records or 5 seconds a batch, retries a failed batch
 * whole (no bisect, no partial-batch responses) until its records expire, then parks its position
 * in a dead-letter queue; its filters pass new engagement events and sends becoming sent, and
 * nothing else; the function may only count (KPI#, KPI_FIRST#, KPI_BATCH#, a run's link counts)
 * and run the reputation guard, each action held to its partitions; its DLQ, errors and iterator
 * age alarm to the topic; cdk-nag passes. One unbundled synth.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { reputationGuardOf } from '../../core/sending/reputation-guard.ts';
import { carriedConfig, KPI_STREAM_CONFIG_PARTS } from '../../lambdas/runtime/function-config-parts.ts';
import { removeOutdir, type NagOutcome, synthStatelessWithNag } from './synth-app.ts';
import { actionsOf, getAtt, resourcesOf, templateReading, type Resource, type Statement } from './template-reading.ts';

let config: EngineConfig;
let outdir: string;
let nag: NagOutcome;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  ({ config, outdir, nag, template, resources } = await synthStatelessWithNag());
}, 60_000);

afterAll(() => removeOutdir(outdir));

const { logicalIdsOf, onlyId, roleIdOf, statementsOfRole } = templateReading(() => resources);

const functionId = () => onlyId('AWS::Lambda::Function', 'KpiCountersFunction');
const deadLetterQueueId = () => onlyId('AWS::SQS::Queue', 'KpiCountersDeadLetterQueue');
const mappingId = () => onlyId('AWS::Lambda::EventSourceMapping', 'KpiCountersFunction');
const mapping = () => resources[mappingId()]?.Properties as Record<string, unknown>;
const tableArnImport = '"Fn::ImportValue":"NurtureEngine-dev-Stateful:ExportsOutputFnGetAttTable';
const streamArnImport = { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputFnGetAttTable.*StreamArn') };

/**
 * Lambda event filtering over one stream record, for the pattern operators the filters use
 * (a list of exact values, `anything-but`): any one pattern matching lets the record through.
 * An operator it does not know fails the test rather than passing a record by accident.
 */
function passes(record: unknown): boolean {
  const filters = (mapping().FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters;
  return filters.some((filter) => matches(JSON.parse(filter.Pattern) as Record<string, unknown>, record));
}

function matches(pattern: Record<string, unknown>, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern).every(([field, rule]) => {
    const actual = (value as Record<string, unknown>)[field];
    if (!Array.isArray(rule)) return matches(rule as Record<string, unknown>, actual);
    if (actual === undefined) return false;
    return rule.some((option: unknown) => {
      if (typeof option !== 'object' || option === null) return actual === option;
      const operators = Object.keys(option as object);
      if (operators.length === 1 && operators[0] === 'anything-but') return !((option as { 'anything-but': unknown[] })['anything-but']).includes(actual);
      throw new Error(`filter operator the test cannot evaluate: ${JSON.stringify(option)}`);
    });
  });
}

/** A stream record as Lambda and GetRecords give it (AttributeValue maps). */
function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', images: { newImage?: Record<string, string | boolean>; oldImage?: Record<string, string | boolean> }) {
  const wire = (image: Record<string, string | boolean>) => Object.fromEntries(Object.entries(image).map(([name, value]) => [name, typeof value === 'boolean' ? { BOOL: value } : { S: value }]));
  return {
    eventID: '1',
    eventName,
    dynamodb: {
      Keys: { PK: { S: 'X' }, SK: { S: 'Y' } },
      ...(images.newImage ? { NewImage: wire(images.newImage) } : {}),
      ...(images.oldImage ? { OldImage: wire(images.oldImage) } : {}),
      SequenceNumber: '100',
    },
  };
}

describe('KPI counters event source', () => {
  it("reads the stateful table's stream from the oldest record, 1,000 records or 5 seconds a batch, one batch per shard at a time", () => {
    expect(mapping()).toMatchObject({ FunctionName: { Ref: functionId() }, StartingPosition: 'TRIM_HORIZON', BatchSize: 1000, MaximumBatchingWindowInSeconds: 5, ParallelizationFactor: 1 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: functionId() }, EventSourceArn: streamArnImport });
  });

  it('retries a failed batch whole, from the same first record, until its records expire; then parks its position in the dead-letter queue', () => {
    // The per-batch idempotency item is keyed by the batch's first record: bisecting or reporting item failures would move it.
    expect(mapping().BisectBatchOnFunctionError ?? false).toBe(false);
    expect(mapping().FunctionResponseTypes).toBeUndefined();
    expect(mapping().MaximumRetryAttempts).toBe(-1);
    // Absent is CloudFormation's -1: no age limit short of the stream's own 24 hours.
    expect(mapping().MaximumRecordAgeInSeconds).toBeUndefined();
    expect(mapping().TumblingWindowInSeconds).toBeUndefined();
    expect(mapping().DestinationConfig).toEqual({ OnFailure: { Destination: getAtt(deadLetterQueueId()) } });
  });

  it('is invoked for new engagement events and for sends that become sent, and for nothing else the table writes', () => {
    const event = { entity: 'engagement-event', contactId: 'c1', type: 'open', countedFromStream: true };
    expect(passes(record('INSERT', { newImage: event }))).toBe(true);
    // Written before the stream counted (an upgraded table): its own transaction counted it.
    const { countedFromStream: _counted, ...older } = event;
    expect(passes(record('INSERT', { newImage: older }))).toBe(false);
    // TTL expiring an event, or anything rewriting one, is no new engagement.
    expect(passes(record('REMOVE', { oldImage: event }))).toBe(false);
    expect(passes(record('MODIFY', { newImage: event, oldImage: event }))).toBe(false);

    const send = (state: string) => ({ entity: 'send', state, contactId: 'c1', ...(state === 'sent' ? { countedFromStream: true } : {}) });
    expect(passes(record('MODIFY', { oldImage: send('claimed'), newImage: send('sent') }))).toBe(true);
    expect(passes(record('MODIFY', { oldImage: send('stranded'), newImage: send('sent') }))).toBe(true);
    expect(passes(record('INSERT', { newImage: send('sent') }))).toBe(true);
    // Claims, failures, and a send already sent written again are not counted.
    expect(passes(record('INSERT', { newImage: send('claimed') }))).toBe(false);
    expect(passes(record('MODIFY', { oldImage: send('claimed'), newImage: send('failed') }))).toBe(false);
    expect(passes(record('MODIFY', { oldImage: send('sent'), newImage: send('sent') }))).toBe(false);
    expect(passes(record('REMOVE', { oldImage: send('sent') }))).toBe(false);

    // Its own writes (counters, markers) and everything else in the table never invoke it.
    for (const entity of ['kpi-run', 'kpi-first', 'contact', 'sending-pause', 'outbox']) expect(passes(record('INSERT', { newImage: { entity, state: 'sent', countedFromStream: true } }))).toBe(false);
  });
});

describe('KPI counters dead letters and alarms', () => {
  it('keeps dead letters 14 days, encrypted, TLS only, and only the event source writes there', () => {
    expect(resources[deadLetterQueueId()]?.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: deadLetterQueueId() }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    for (const statement of statementsOfRole(roleIdOf(functionId())).filter((candidate) => actionsOf(candidate).some((action) => action.startsWith('sqs:')))) {
      expect(resourcesOf(statement)).toEqual([getAtt(deadLetterQueueId())]);
    }
  });

  const alarmOf = (metricName: string, dimensions: unknown) =>
    logicalIdsOf('AWS::CloudWatch::Alarm')
      .map((id) => resources[id]?.Properties as Record<string, unknown>)
      .filter((alarm) => alarm.MetricName === metricName && JSON.stringify(alarm.Dimensions) === JSON.stringify(dimensions));
  const topic = () => ({ Ref: onlyId('AWS::SNS::Topic', 'AlarmNotificationsTopic') });

  it('alarms on any dead letter, on any error, and on counters more than 5 minutes behind the stream, each to the alarm topic', () => {
    const deadLetters = alarmOf('ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: getAtt(deadLetterQueueId(), 'QueueName') }]);
    const errors = alarmOf('Errors', [{ Name: 'FunctionName', Value: { Ref: functionId() } }]);
    const lag = alarmOf('IteratorAge', [{ Name: 'FunctionName', Value: { Ref: functionId() } }]);
    for (const found of [deadLetters, errors, lag]) {
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [topic()], OKActions: [topic()], TreatMissingData: 'notBreaching' });
    }
    expect(deadLetters[0]).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 0 });
    expect(errors[0]).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 0 });
    expect(lag[0]).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Maximum', Threshold: 5 * 60 * 1000 });
  });
});

describe('KPI counters function', () => {
  it('is told only the table name and its metrics service and namespace', () => {
    const variables = (resources[functionId()]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME']);
    expect(variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'nurture-engine-kpi-counters', POWERTOOLS_METRICS_NAMESPACE: 'NurtureEngine/dev' });
  });

  it('carries the config parts the reputation guard reads', () => {
    const parts = Object.fromEntries(KPI_STREAM_CONFIG_PARTS.map((part) => [part, config[part]])) as Pick<EngineConfig, (typeof KPI_STREAM_CONFIG_PARTS)[number]>;
    const carried = carriedConfig(parts, 'KPI counters');
    // carriedConfig throws on a part the function does not carry.
    const guard = reputationGuardOf({ kpis: { runCounters: () => Promise.resolve(undefined), runCountersOf: () => Promise.resolve([]) }, pauses: { pauseOnce: () => Promise.resolve(false), listPauses: () => Promise.resolve([]) } }, carried, { now: () => new Date(0) });
    expect(guard.messageIds.length).toBe(config.campaigns.length + config.sequences.length + config.webinars.length);
    expect(guard.limits).toEqual(config.guardrails.reputation);
  });

  const dynamoStatements = () => statementsOfRole(roleIdOf(functionId())).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
  const tableStatements = () => dynamoStatements().filter((statement) => JSON.stringify(statement.Resource).includes(tableArnImport) && !JSON.stringify(statement.Resource).includes('StreamArn'));
  const leadingKeysOf = (statement: Statement) => [...(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [])].sort();
  const grantOf = (action: string) => {
    const found = tableStatements().filter((statement) => actionsOf(statement).includes(action));
    expect(found, action).toHaveLength(1);
    return found[0]!;
  };

  it('counts and guards through item actions on the table, no index, every statement held to its partitions', () => {
    const statements = tableStatements();
    expect(statements.flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:UpdateItem']);
    for (const statement of statements) {
      expect(resourcesOf(statement)).toHaveLength(1);
      expect(JSON.stringify(statement.Resource)).not.toContain('/index/');
      expect(leadingKeysOf(statement).length).toBeGreaterThan(0);
    }
  });

  it('moves counters, markers, link counts and per-batch records, and pauses with an outbox event, and nothing else', () => {
    expect(leadingKeysOf(grantOf('dynamodb:GetItem'))).toEqual(['KPI#*']);
    expect(leadingKeysOf(grantOf('dynamodb:Query'))).toEqual(['CONTROL', 'KPI#*', 'KPI_BATCH#*']);
    expect(leadingKeysOf(grantOf('dynamodb:PutItem'))).toEqual(['CONTROL', 'KPI_BATCH#*', 'KPI_FIRST#*', 'OUTBOX#*']);
    // Each counter's own attributes alone. A run's link counters live in its partition (RUN#<message>#<run>, LINKS#<set>), with its sends.
    const updates = tableStatements().filter((statement) => actionsOf(statement).includes('dynamodb:UpdateItem'));
    const attributesOn = (partition: string) => updates.find((statement) => leadingKeysOf(statement).includes(partition))?.Condition?.['ForAllValues:StringLike']?.['dynamodb:Attributes'];
    expect(updates.map(leadingKeysOf)).toEqual([['KPI#*'], ['RUN#*#*']]);
    expect(attributesOn('KPI#*')).toEqual(expect.arrayContaining(['PK', 'SK', 'sent', 'openers', 'tier_*', 'locale_*', 'firstAt']));
    expect(attributesOn('KPI#*')).not.toContain('state');
    expect(attributesOn('RUN#*#*')).toEqual(['PK', 'SK', 'clicks_*', 'machineClicks_*']);
  });

  it('holds the reputation guard alone: the SES events function no longer reads counters or pauses', () => {
    const sesEvents = onlyId('AWS::Lambda::Function', 'SesEventsFunction');
    const sesQuery = statementsOfRole(roleIdOf(sesEvents)).filter((statement) => actionsOf(statement).includes('dynamodb:Query') && statement.Condition !== undefined);
    expect(sesQuery).toEqual([]);
  });

  it("reads only the table's stream, and may not delete, scan, write in batches, send email, publish or read a secret", () => {
    const streamReads = dynamoStatements().filter((statement) => actionsOf(statement).some((action) => ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream'].includes(action)));
    expect(streamReads).toHaveLength(1);
    expect(JSON.stringify(streamReads[0]!.Resource)).toMatch(/ExportsOutputFnGetAttTable.*StreamArn/);
    // ListStreams is account-level (no resource type): the one "*", acknowledged to cdk-nag with that reason.
    const anywhere = statementsOfRole(roleIdOf(functionId())).filter((statement) => resourcesOf(statement).includes('*'));
    expect(anywhere.flatMap(actionsOf)).toEqual(['dynamodb:ListStreams']);
    const actions = statementsOfRole(roleIdOf(functionId())).flatMap(actionsOf);
    expect(actions.filter((action) => /^(ses|secretsmanager|kms|events):|Delete|Scan|PartiQL|BatchWrite|BatchGet/.test(action))).toEqual([]);
  });
});

describe('cdk-nag (AwsSolutions) with the KPI counters', () => {
  it('passes', () => {
    expect(nag.findings).toEqual([]);
    expect(nag.error).toBeUndefined();
  });
});
