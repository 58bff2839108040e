/**
 * Infra tests for product usage over EventBridge: a rule on the engine's own bus matching
 * `detail-type: ProductUsageReported` targets the usage events function with retries and a
 * dead-letter queue (encrypted, TLS only), which also takes the function's failed invocations;
 * the function may only use the usage path's item actions, each held to its partitions, with no
 * index and no delete; its DLQ and errors alarm; cdk-nag passes. One unbundled synth.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeOutdir, type NagOutcome, synthStatelessWithNag } from './synth-app.ts';
import { actionsOf, getAtt, resourcesOf, templateReading, type Resource, type Statement } from './template-reading.ts';


let outdir: string;
let nag: NagOutcome;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  ({ outdir, nag, template, resources } = await synthStatelessWithNag());
}, 60_000);

afterAll(() => removeOutdir(outdir));

const { logicalIdsOf, onlyId, roleIdOf, statementsOfRole } = templateReading(() => resources);

const functionId = () => onlyId('AWS::Lambda::Function', 'UsageEventsFunction');
const deadLetterQueueId = () => onlyId('AWS::SQS::Queue', 'UsageEventsDeadLetterQueue');
const ruleId = () => onlyId('AWS::Events::Rule', 'UsageEventsRule');
const tableArnImport = '"Fn::ImportValue":"NurtureEngine-dev-Stateful:ExportsOutputFnGetAttTable';

describe('Usage events rule', () => {
  it('matches ProductUsageReported, and only that, on the engine bus (stateful stack)', () => {
    const rule = resources[ruleId()]?.Properties as { EventBusName: unknown; EventPattern: unknown };
    expect(rule.EventPattern).toEqual({ 'detail-type': ['ProductUsageReported'] });
    expect(JSON.stringify(rule.EventBusName)).toMatch(/NurtureEngine-dev-Stateful:ExportsOutputRefEventBus/);
  });

  it('targets the usage events function with retries, then the dead-letter queue; only this rule may invoke it', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: getAtt(functionId()),
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: { Arn: getAtt(deadLetterQueueId()) },
        }),
      ],
    });
    const permissions = logicalIdsOf('AWS::Lambda::Permission')
      .map((id) => resources[id]?.Properties as { FunctionName: unknown; Principal: string; SourceArn: unknown })
      .filter((permission) => JSON.stringify(permission.FunctionName) === JSON.stringify(getAtt(functionId())));
    expect(permissions).toEqual([expect.objectContaining({ Principal: 'events.amazonaws.com', SourceArn: getAtt(ruleId()) })]);
  });

  it('keeps dead letters 14 days, encrypted, TLS only, and sends failed invocations there too', () => {
    expect(resources[deadLetterQueueId()]?.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: deadLetterQueueId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ruleId()) } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId() },
      DestinationConfig: { OnFailure: { Destination: getAtt(deadLetterQueueId()) } },
    });
  });

  it('alarms on any dead letter and on function errors', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(deadLetterQueueId(), 'QueueName') }],
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId() } }],
      Threshold: 0,
    });
  });
});

describe('Usage events function', () => {
  it('is told only the table name and its service', () => {
    const variables = (resources[functionId()]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME']);
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe('nurture-engine-usage-events');
  });

  const dynamoStatements = () => statementsOfRole(roleIdOf(functionId())).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
  const leadingKeysOf = (statement: Statement) => [...(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [])].sort();
  const grantOf = (action: string) => {
    const found = dynamoStatements().filter((statement) => actionsOf(statement).includes(action));
    expect(found, action).toHaveLength(1);
    return found[0]!;
  };

  it('gets only the usage path\'s item actions on the table, no index, every statement held to its partitions', () => {
    const statements = dynamoStatements();
    expect(statements.flatMap(actionsOf).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    for (const statement of statements) {
      expect(resourcesOf(statement)).toHaveLength(1);
      expect(JSON.stringify(statement.Resource)).toContain(tableArnImport);
      expect(JSON.stringify(statement.Resource)).not.toContain('/index/');
      expect(leadingKeysOf(statement).length).toBeGreaterThan(0);
    }
  });

  it('checks accounts and contacts, writes usage records, latest values, events and scores, and nothing else', () => {
    expect(leadingKeysOf(grantOf('dynamodb:BatchGetItem'))).toEqual(['ACCOUNT#*', 'CONTACT#*']);
    expect(leadingKeysOf(grantOf('dynamodb:GetItem'))).toEqual(['ACCOUNT#*', 'SCORE#*']);
    expect(leadingKeysOf(grantOf('dynamodb:PutItem'))).toEqual(['EVENTS#*', 'SCORE#*', 'USAGE#*']);
    expect(leadingKeysOf(grantOf('dynamodb:UpdateItem'))).toEqual(['ACCOUNT#*', 'SCORE#*']);
  });

  it('may not delete, query, scan, send email or read a secret; it sends only its failed invocations to its own dead-letter queue', () => {
    const statements = statementsOfRole(roleIdOf(functionId()));
    expect(statements.flatMap(actionsOf).filter((action) => /^(ses|secretsmanager|kms|events):|Delete|Query|Scan|PartiQL|BatchWrite/.test(action))).toEqual([]);
    for (const statement of statements.filter((candidate) => actionsOf(candidate).some((action) => action.startsWith('sqs:')))) {
      expect(resourcesOf(statement)).toEqual([getAtt(deadLetterQueueId())]);
    }
  });
});

describe('cdk-nag (AwsSolutions) with the usage events side', () => {
  it('passes', () => {
    expect(nag.findings).toEqual([]);
    expect(nag.error).toBeUndefined();
  });
});
