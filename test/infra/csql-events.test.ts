/**
 * Infra tests for CSQL events leaving the engine: the stage's event bus (stateful stack, fixed
 * name, an archive of the engine's events, retained in prod); the dispatcher may PutEvents on that
 * bus alone, as the engine's source, and is told its name; a schedule runs the outbox publisher
 * every minute; refused events alarm. Without `-c csqlWebhookUrl` no rule, connection or
 * destination exists; with it, a rule matching promotions sends them to an API destination (API
 * key from a generated or given secret) with retries and an alarmed dead-letter queue, and cdk-nag
 * still passes. Bad context values are refused at synth. Unbundled synths only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { CSQL_EVENT_SOURCE, CSQL_QUALIFIED } from '../../core/qualification/csql-promotion.ts';
import { CHURN_RISK_RAISED } from '../../core/surveys/churn-risk.ts';
import { buildApp, type BuiltApp } from '../../infra/build-app.ts';
import { PUBLISH_EVENTS_EXPRESSION, PUBLISH_EVENTS_INPUT, QUALIFY_ACCOUNTS_EXPRESSION, QUALIFY_ACCOUNTS_INPUT } from '../../infra/campaign-schedules.ts';
import { CRM_WEBHOOK_RATE_PER_SECOND, CRM_WEBHOOK_TARGET_RETRY } from '../../infra/crm-webhook.ts';
import { EVENT_ARCHIVE_RETENTION } from '../../infra/engine-event-bus.ts';
import { FAILED_EVENTS_ALARM } from '../../infra/stateless-stack.ts';
import { PIPELINE_METRICS, SERVICE_NAMES } from '../../lambdas/runtime/pipeline-metrics.ts';
import { IN_MEMORY, SKIP_BUNDLING, loadShippedConfig, makeOutdir, removeOutdir, synthWithNag, type NagOutcome } from './synth-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
type Json = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };

const WEBHOOK_URL = 'https://crm.example.com/hooks/csql';
const CRM_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:crm-webhook-key-AbCdEf';

let config: EngineConfig;
beforeAll(async () => {
  config = await loadShippedConfig();
});

function build(context: Record<string, unknown> = {}, stage = 'dev', outdir?: string): BuiltApp {
  return buildApp({ config, stage, appProps: { autoSynth: false, context: { ...IN_MEMORY, ...SKIP_BUNDLING, ...context }, ...(outdir ? { outdir } : {}) } });
}

/** Both templates of a fully synthesized app (cdk-nag included), read back from the outdir. */
function synthesized(context: Record<string, unknown> = {}): { nag: NagOutcome; stateful: Json; stateless: Json } {
  const outdir = makeOutdir();
  try {
    const built = build(context, 'dev', outdir);
    const nag = synthWithNag(built.app, outdir);
    const read = (name: string) => JSON.parse(readFileSync(join(outdir, `${name}.template.json`), 'utf8')) as Json;
    return { nag, stateful: read(built.stateful.stackName), stateless: read(built.stateless.stackName) };
  } finally {
    removeOutdir(outdir);
  }
}

const idsOf = (json: Json, type: string) => Object.keys(json.Resources).filter((id) => json.Resources[id]?.Type === type);
function onlyId(json: Json, type: string, prefix = ''): string {
  const ids = idsOf(json, type).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} starting with ${prefix}`).toHaveLength(1);
  return ids[0] as string;
}
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const actionsOf = (statement: Statement) => [statement.Action].flat();

function statementsOfRole(json: Json, roleId: string): Statement[] {
  return idsOf(json, 'AWS::IAM::Policy')
    .map((id) => json.Resources[id]?.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } })
    .filter((policy) => policy.Roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => policy.PolicyDocument.Statement);
}

/** The bus name, imported from the stateful stack. */
const busNameImport = { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefEventBus') };

describe('CSQL events without a CRM webhook', { timeout: 60_000 }, () => {
  let synth: ReturnType<typeof synthesized>;
  beforeAll(() => {
    synth = synthesized();
  }, 60_000);

  it('gives the stage one event bus with a fixed name in the stateful stack, named in an output', () => {
    const template = Template.fromJSON(synth.stateful);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'nurture-engine-dev' });
    expect(synth.stateful.Outputs?.EventBusName?.Value).toEqual({ Ref: onlyId(synth.stateful, 'AWS::Events::EventBus') });
    Template.fromJSON(synth.stateless).resourceCountIs('AWS::Events::EventBus', 0);
  });

  it('archives every event of the engine source on that bus, a month outside prod', () => {
    Template.fromJSON(synth.stateful).hasResourceProperties('AWS::Events::Archive', {
      SourceArn: getAtt(onlyId(synth.stateful, 'AWS::Events::EventBus')),
      EventPattern: { source: [CSQL_EVENT_SOURCE] },
      RetentionDays: EVENT_ARCHIVE_RETENTION.other.toDays(),
    });
  });

  it('tells the dispatcher the bus name and lets it PutEvents on that bus only, as the engine source only', () => {
    const dispatcherId = onlyId(synth.stateless, 'AWS::Lambda::Function', 'DispatcherFunction');
    const dispatcher = synth.stateless.Resources[dispatcherId]!.Properties as { Role: { 'Fn::GetAtt': [string] }; Environment: { Variables: Record<string, unknown> } };
    expect(dispatcher.Environment.Variables.EVENT_BUS_NAME).toEqual({ 'Fn::ImportValue': expect.stringMatching(/^NurtureEngine-dev-Stateful:ExportsOutputRefEventBus/) });
    const statements = statementsOfRole(synth.stateless, dispatcher.Role['Fn::GetAtt'][0]);
    const events = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('events:')));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ Action: 'events:PutEvents', Effect: 'Allow', Condition: { StringEquals: { 'events:source': CSQL_EVENT_SOURCE } } });
    expect(JSON.stringify(events[0]!.Resource)).toMatch(/ExportsOutputFnGetAttEventBus.*Arn/);
  });

  it('gives no other role any events: action', () => {
    const dispatcherRole = (synth.stateless.Resources[onlyId(synth.stateless, 'AWS::Lambda::Function', 'DispatcherFunction')]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    for (const roleId of idsOf(synth.stateless, 'AWS::IAM::Role').filter((id) => id !== dispatcherRole)) {
      expect(statementsOfRole(synth.stateless, roleId).flatMap(actionsOf).filter((action) => action.startsWith('events:')), roleId).toEqual([]);
    }
  });

  it('runs the outbox publisher every minute through the dispatcher, with retries and the schedule dead-letter queue', () => {
    const dispatcherId = onlyId(synth.stateless, 'AWS::Lambda::Function', 'DispatcherFunction');
    Template.fromJSON(synth.stateless).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: PUBLISH_EVENTS_EXPRESSION,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      GroupName: 'nurture-engine-dev',
      Target: {
        Arn: getAtt(dispatcherId),
        RoleArn: getAtt(onlyId(synth.stateless, 'AWS::IAM::Role', 'SchedulesRole')),
        Input: PUBLISH_EVENTS_INPUT,
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: getAtt(onlyId(synth.stateless, 'AWS::SQS::Queue', 'ScheduleDeadLetterQueue')) },
      },
    });
    expect(PUBLISH_EVENTS_EXPRESSION).toBe('rate(1 minute)');
    expect(JSON.parse(PUBLISH_EVENTS_INPUT)).toEqual({ job: 'publish-events' });
  });

  it('evaluates every account against the CSQL rules every 15 minutes through the dispatcher', () => {
    Template.fromJSON(synth.stateless).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: QUALIFY_ACCOUNTS_EXPRESSION,
      State: 'ENABLED',
      Target: { Arn: getAtt(onlyId(synth.stateless, 'AWS::Lambda::Function', 'DispatcherFunction')), Input: QUALIFY_ACCOUNTS_INPUT, DeadLetterConfig: Match.objectLike({}) },
    });
    expect(JSON.parse(QUALIFY_ACCOUNTS_INPUT)).toEqual({ job: 'qualify' });
  });

  it('alarms when the bus keeps refusing outbox events, on the metric the dispatcher writes', () => {
    Template.fromJSON(synth.stateless).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'NurtureEngine/dev',
      MetricName: PIPELINE_METRICS.csqlEventsFailed,
      Dimensions: [{ Name: 'service', Value: SERVICE_NAMES.dispatcher }],
      Statistic: 'Sum',
      Period: FAILED_EVENTS_ALARM.period.toSeconds(),
      EvaluationPeriods: FAILED_EVENTS_ALARM.evaluationPeriods,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('routes nothing anywhere: no connection, no API destination, no rule on the engine bus, no generated CRM key', () => {
    const template = Template.fromJSON(synth.stateless);
    template.resourceCountIs('AWS::Events::Connection', 0);
    template.resourceCountIs('AWS::Events::ApiDestination', 0);
    const rules = idsOf(synth.stateless, 'AWS::Events::Rule').map((id) => synth.stateless.Resources[id]!.Properties);
    // The one rule on the engine bus takes product usage in (usage-events.test.ts), not promotions out.
    expect(rules.filter((rule) => rule.EventBusName !== undefined).map((rule) => rule.EventPattern)).toEqual([{ 'detail-type': ['ProductUsageReported'] }]);
    expect(idsOf(synth.stateful, 'AWS::SecretsManager::Secret').filter((id) => id.startsWith('CrmWebhook'))).toEqual([]);
  });

  it('passes cdk-nag', () => {
    expect(synth.nag.findings).toEqual([]);
    expect(synth.nag.error).toBeUndefined();
  });

  it('retains the bus and its archive in prod, and keeps the archive a year', () => {
    const prod = Template.fromStack(build({}, 'prod').stateful);
    prod.hasResource('AWS::Events::EventBus', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Name: 'nurture-engine-prod' }) });
    prod.hasResource('AWS::Events::Archive', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ RetentionDays: EVENT_ARCHIVE_RETENTION.prod.toDays() }) });
    const dev = Template.fromJSON(synth.stateful);
    dev.hasResource('AWS::Events::EventBus', { DeletionPolicy: 'Delete' });
  });
});

describe('CSQL events with a CRM webhook (-c csqlWebhookUrl)', { timeout: 60_000 }, () => {
  let synth: ReturnType<typeof synthesized>;
  beforeAll(() => {
    synth = synthesized({ csqlWebhookUrl: WEBHOOK_URL });
  }, 60_000);

  it('generates the API key in the stateful stack and names its secret in an output', () => {
    const secretId = onlyId(synth.stateful, 'AWS::SecretsManager::Secret', 'CrmWebhookApiKeySecret');
    expect(synth.stateful.Resources[secretId]!.Properties).toMatchObject({ GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false } });
    expect(synth.stateful.Outputs?.CrmWebhookApiKeySecretArn?.Value).toEqual({ Ref: secretId });
  });

  it('authenticates the connection with that key in x-api-key, resolved from Secrets Manager (never in the template)', () => {
    const connection = synth.stateless.Resources[onlyId(synth.stateless, 'AWS::Events::Connection')]!.Properties as {
      AuthorizationType: string;
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: string; ApiKeyValue: unknown } };
    };
    expect(connection.AuthorizationType).toBe('API_KEY');
    expect(connection.AuthParameters.ApiKeyAuthParameters.ApiKeyName).toBe('x-api-key');
    const value = JSON.stringify(connection.AuthParameters.ApiKeyAuthParameters.ApiKeyValue);
    expect(value).toContain('{{resolve:secretsmanager:');
    expect(value).toMatch(/ExportsOutputRefCrmWebhookApiKeySecret/);
  });

  it('POSTs to the webhook URL through an API destination on that connection, rate-limited', () => {
    Template.fromJSON(synth.stateless).hasResourceProperties('AWS::Events::ApiDestination', {
      ConnectionArn: getAtt(onlyId(synth.stateless, 'AWS::Events::Connection')),
      InvocationEndpoint: WEBHOOK_URL,
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: CRM_WEBHOOK_RATE_PER_SECOND,
    });
  });

  it('sends promotions and churn risks (not demotions), from the engine bus, with a day of retries and a dead-letter queue', () => {
    const destinationId = onlyId(synth.stateless, 'AWS::Events::ApiDestination');
    const deadLetterId = onlyId(synth.stateless, 'AWS::SQS::Queue', 'CrmWebhookDeadLetterQueue');
    Template.fromJSON(synth.stateless).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: busNameImport,
      EventPattern: { source: [CSQL_EVENT_SOURCE], 'detail-type': [CSQL_QUALIFIED, CHURN_RISK_RAISED] },
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: getAtt(destinationId),
          RetryPolicy: { MaximumRetryAttempts: CRM_WEBHOOK_TARGET_RETRY.retryAttempts, MaximumEventAgeInSeconds: CRM_WEBHOOK_TARGET_RETRY.maxEventAge.toSeconds() },
          DeadLetterConfig: { Arn: getAtt(deadLetterId) },
        }),
      ],
    });
    expect(CRM_WEBHOOK_TARGET_RETRY.maxEventAge.toHours()).toBe(24);
  });

  it('lets the rule’s role invoke that destination and nothing else, and only that rule put into the dead-letter queue', () => {
    const rule = synth.stateless.Resources[onlyId(synth.stateless, 'AWS::Events::Rule', 'CrmWebhookRule')]!.Properties as { Targets: Array<{ RoleArn: { 'Fn::GetAtt': [string] } }> };
    expect(statementsOfRole(synth.stateless, rule.Targets[0]!.RoleArn['Fn::GetAtt'][0])).toEqual([
      { Action: 'events:InvokeApiDestination', Effect: 'Allow', Resource: getAtt(onlyId(synth.stateless, 'AWS::Events::ApiDestination')) },
    ]);
    Template.fromJSON(synth.stateless).hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: onlyId(synth.stateless, 'AWS::SQS::Queue', 'CrmWebhookDeadLetterQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': getAtt(onlyId(synth.stateless, 'AWS::Events::Rule', 'CrmWebhookRule')) } } }),
        ]),
      },
    });
  });

  it('alarms on any event in the webhook dead-letter queue, to the alarm topic', () => {
    const queueId = onlyId(synth.stateless, 'AWS::SQS::Queue', 'CrmWebhookDeadLetterQueue');
    Template.fromJSON(synth.stateless).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: onlyId(synth.stateless, 'AWS::SNS::Topic', 'AlarmNotificationsTopic') }],
    });
  });

  it('passes cdk-nag with the webhook resources, and leaves no CDK warning or error annotation', () => {
    expect(synth.nag.findings).toEqual([]);
    expect(synth.nag.error).toBeUndefined();
    const built = build({ csqlWebhookUrl: WEBHOOK_URL });
    for (const stack of [built.stateful, built.stateless]) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });
});

describe('CRM webhook context', { timeout: 30_000 }, () => {
  it('uses the CRM’s own key when -c csqlWebhookSecretArn is given, and the header -c csqlWebhookApiKeyHeader names', () => {
    const built = build({ csqlWebhookUrl: WEBHOOK_URL, csqlWebhookSecretArn: CRM_SECRET_ARN, csqlWebhookApiKeyHeader: 'X-Crm-Token' });
    expect(Object.keys(Template.fromStack(built.stateful).findResources('AWS::SecretsManager::Secret')).filter((id) => id.startsWith('CrmWebhook'))).toEqual([]);
    Template.fromStack(built.stateless).hasResourceProperties('AWS::Events::Connection', {
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-Crm-Token', ApiKeyValue: `{{resolve:secretsmanager:${CRM_SECRET_ARN}:SecretString:::}}` } },
    });
  });

  it('refuses a webhook URL that is not https, a malformed secret ARN or header, and a secret without a URL', () => {
    expect(() => build({ csqlWebhookUrl: 'http://crm.example.com/hooks' })).toThrow(/https endpoints only/);
    expect(() => build({ csqlWebhookUrl: 'crm.example.com/hooks' })).toThrow(/Invalid csqlWebhookUrl/);
    expect(() => build({ csqlWebhookUrl: WEBHOOK_URL, csqlWebhookSecretArn: 'crm-webhook-key' })).toThrow(/Invalid csqlWebhookSecretArn/);
    expect(() => build({ csqlWebhookUrl: WEBHOOK_URL, csqlWebhookApiKeyHeader: 'x api key' })).toThrow(/Invalid csqlWebhookApiKeyHeader/);
    expect(() => build({ csqlWebhookSecretArn: CRM_SECRET_ARN })).toThrow(/without csqlWebhookUrl/);
  });
});
