/**
 * Infra tests for the webinar side: `POST /webhooks/zoom` on the HTTP API goes to a Zoom webhook
 * function that may only send to the webinar queue and read the Zoom token (no table at all); the
 * webinar queue (encrypted, TLS only) parks what keeps failing in its dead-letter queue; the webinar
 * events function drains it with per-record failure reports and may only use the webinar use cases'
 * item actions, each held to its partitions; both functions and the dead-letter queue alarm; the
 * webhook URL and the token's secret are outputs for ops; cdk-nag passes. One unbundled synth.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
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

const webhookFunctionId = () => onlyId('AWS::Lambda::Function', 'WebinarsZoomWebhookFunction');
const eventsFunctionId = () => onlyId('AWS::Lambda::Function', 'WebinarsEventsFunction');
const queueId = () => onlyId('AWS::SQS::Queue', 'WebinarsQueue');
const deadLetterQueueId = () => onlyId('AWS::SQS::Queue', 'WebinarsDeadLetterQueue');
const tableArnImport = '"Fn::ImportValue":"NurtureEngine-dev-Stateful:ExportsOutputFnGetAttTable';

describe('Zoom webhook route', () => {
  it('routes POST /webhooks/zoom (and nothing else) to the Zoom webhook function, payload 2.0, no authorizer (Zoom signs each request)', () => {
    const routes = logicalIdsOf('AWS::ApiGatewayV2::Route').map((id) => resources[id]?.Properties as { RouteKey: string; Target: unknown; AuthorizationType?: string });
    const zoom = routes.filter((route) => route.RouteKey.includes('/webhooks/'));
    expect(zoom.map((route) => route.RouteKey)).toEqual(['POST /webhooks/zoom']);
    expect(zoom[0]?.AuthorizationType).toBe('NONE');
    const integrationId = (zoom[0]?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
    expect(resources[integrationId]?.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', IntegrationUri: getAtt(webhookFunctionId()) });
  });

  it('lets only the HTTP API invoke the webhook function, on that route', () => {
    const permissions = logicalIdsOf('AWS::Lambda::Permission')
      .map((id) => resources[id]?.Properties as { FunctionName: unknown; Principal: string; SourceArn: unknown })
      .filter((permission) => JSON.stringify(permission.FunctionName) === JSON.stringify(getAtt(webhookFunctionId())));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.Principal).toBe('apigateway.amazonaws.com');
    const sourceArn = JSON.stringify(permissions[0]?.SourceArn);
    expect(sourceArn).toContain(`{"Ref":"${onlyId('AWS::ApiGatewayV2::Api', 'TrackingApi')}"}`);
    expect(sourceArn).toContain('/webhooks/zoom');
  });

  it('outputs the URL to give Zoom', () => {
    template.hasOutput('ZoomWebhookUrl', {
      Value: { 'Fn::Join': ['', [getAtt(onlyId('AWS::ApiGatewayV2::Api', 'TrackingApi'), 'ApiEndpoint'), '/webhooks/zoom']] },
    });
  });
});

describe('Zoom webhook function permissions', () => {
  it('may send to the webinar queue and read the Zoom token, and nothing else (no DynamoDB action at all)', () => {
    const statements = statementsOfRole(roleIdOf(webhookFunctionId()));
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
    expect([...new Set(actions)].sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'sqs:SendMessage']);
    const send = statements.filter((statement) => actionsOf(statement).includes('sqs:SendMessage'));
    expect(send).toEqual([{ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: getAtt(queueId()) }]);
    const secret = statements.find((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(secret?.Resource)).toContain('ExportsOutputRefZoomWebhookSecret');
  });
});

describe('Webinar queue', () => {
  it('redrives to its dead-letter queue after 5 receives, waits out 6 consumer timeouts, takes 1 MiB messages, and encrypts at rest', () => {
    const queue = resources[queueId()]?.Properties as Record<string, unknown>;
    expect(queue).toMatchObject({
      RedrivePolicy: { deadLetterTargetArn: getAtt(deadLetterQueueId()), maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
      MaximumMessageSize: 1024 * 1024,
    });
    const timeout = resources[eventsFunctionId()]?.Properties.Timeout as number;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(resources[deadLetterQueueId()]?.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
  });

  it('refuses non-TLS access on both queues', () => {
    for (const id of [queueId(), deadLetterQueueId()]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  it('feeds the webinar events function 10 at a time, reporting failures per record, at most 2 instances', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(queueId()),
      FunctionName: { Ref: eventsFunctionId() },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });
});

describe('Webinar events function permissions', () => {
  const dynamoStatements = () => statementsOfRole(roleIdOf(eventsFunctionId())).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
  const leadingKeysOf = (statement: Statement) => [...(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [])].sort();
  const grantOf = (action: string) => {
    const found = dynamoStatements().filter((statement) => actionsOf(statement).includes(action));
    expect(found, action).toHaveLength(1);
    return found[0]!;
  };

  it('gets only the webinar use cases\' item actions on the table, no index, every statement held to its partitions', () => {
    const statements = dynamoStatements();
    expect(statements.flatMap(actionsOf).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    for (const statement of statements) {
      expect(resourcesOf(statement)).toHaveLength(1);
      expect(JSON.stringify(statement.Resource)).toContain(tableArnImport);
      expect(JSON.stringify(statement.Resource)).not.toContain('/index/');
      expect(leadingKeysOf(statement).length).toBeGreaterThan(0);
    }
  });

  it('reads sessions, registrants, email look-ups and contacts; writes sessions, registrants and events, never a profile, a suppression or a campaign\'s send', () => {
    // SCORE#: the engagement path (score moves in the event's transaction, rebasing once per era).
    expect(leadingKeysOf(grantOf('dynamodb:GetItem'))).toEqual(['CONTACT#*', 'EMAIL#*', 'SCORE#*', 'WEBINAR#*']);
    expect(actionsOf(grantOf('dynamodb:GetItem')).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(leadingKeysOf(grantOf('dynamodb:PutItem'))).toEqual(['EVENTS#*', 'SCORE#*', 'WEBINAR#*']);
    expect(leadingKeysOf(grantOf('dynamodb:UpdateItem'))).toEqual(['SCORE#*', 'WEBINAR#*']);
    // Attendance marks, watch-time summaries, and the parked emails of the configured webinars' own runs.
    const webinarRuns = config.webinars.map((webinar) => `RUN#${webinar.id}#*`);
    expect(webinarRuns.length).toBeGreaterThan(0);
    expect(leadingKeysOf(grantOf('dynamodb:BatchWriteItem'))).toEqual(['ATTENDANCE#*#*', 'WEBINAR#*', ...webinarRuns].sort());
    expect(leadingKeysOf(grantOf('dynamodb:Query'))).toEqual(['ATTENDANCE#*#*', 'WEBINAR#*']);
  });

  it('receives from the webinar queue alone, and may not send email, read a secret, or delete an item', () => {
    const statements = statementsOfRole(roleIdOf(eventsFunctionId()));
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => /^(ses|secretsmanager|kms):|Delete|Transact|PartiQL|Scan/.test(action) && action !== 'sqs:DeleteMessage')).toEqual([]);
    for (const statement of statements.filter((candidate) => actionsOf(candidate).some((action) => action.startsWith('sqs:')))) {
      expect(statement.Resource).toEqual(getAtt(queueId()));
    }
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
    expect(actions).not.toContain('sqs:SendMessage');
  });
});

describe('Webinar alarms', () => {
  it('alarms on any message in the webinar dead-letter queue, and on errors of both functions', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(deadLetterQueueId(), 'QueueName') }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    for (const fnId of [webhookFunctionId(), eventsFunctionId()]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: [{ Ref: onlyId('AWS::SNS::Topic', 'AlarmNotificationsTopic') }],
      });
    }
  });
});

describe('cdk-nag (AwsSolutions) with the webinar side', () => {
  it('passes the whole app with no unacknowledged errors or warnings', () => {
    expect(nag.findings).toEqual([]);
    expect(nag.error).toBeUndefined();
  });
});
