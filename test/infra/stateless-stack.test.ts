/**
 * Infra tests for the sending pipeline: the functions and what they may do, the send queue
 * and its dead-letter queue, one schedule per active campaign at the configured time and
 * zone, the SES configuration set, alarms, the bundled code carrying the team config, and
 * cdk-nag over the whole app. The real app is bundled and synthesized once for the file.
 * The tracking side (HTTP API, SES events) has its own assertions in tracking.test.ts, the
 * webinar side (Zoom webhook, webinar queue and its consumer) in webinars.test.ts.
 */
import { CHART_JS_FILE } from '../../adapters/fs/chart-library.ts';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GSIS } from '../../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { buildApp, type BuiltApp } from '../../infra/build-app.ts';
import { NON_RENDERING_BUNDLE_BUDGET_BYTES } from '../../infra/bundling-options.ts';
import { ESM_REQUIRE_BANNER } from '../../infra/engine-function.ts';
import { DEFAULT_SENDER_SIZING, FAILED_SENDS_ALARM } from '../../infra/stateless-stack.ts';
import { senderCapacity } from '../../core/sending/sender-capacity.ts';
import { BUNDLED_CONFIG_FILE, parseBundledConfig, serializeConfig, type ConfigPart } from '../../lambdas/runtime/bundled-config.ts';
import {
  DISPATCHER_CONFIG_PARTS,
  DASHBOARD_CONFIG_PARTS,
  INGEST_CONFIG_PARTS,
  KPI_STREAM_CONFIG_PARTS,
  SENDER_CONFIG_PARTS,
  SES_EVENTS_CONFIG_PARTS,
  TRACKING_CONFIG_PARTS,
  WEBINAR_EVENTS_CONFIG_PARTS,
  ZOOM_WEBHOOK_CONFIG_PARTS,
} from '../../lambdas/runtime/function-config-parts.ts';
import { PIPELINE_METRICS } from '../../lambdas/runtime/pipeline-metrics.ts';
import { SENDER_SERVICE_NAME, SES_ACCOUNT_LEVEL_ERRORS_METRIC } from '../../lambdas/sender/sender-metrics.ts';
import { IN_MEMORY, SKIP_BUNDLING, removeOutdir, type NagOutcome, synthStatelessWithNag } from './synth-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let config: EngineConfig;
let outdir: string;
let built: BuiltApp;
let nag: NagOutcome;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  // Bundles every function with esbuild (a few seconds each): the only faithful synth in the suite.
  ({ config, outdir, built, nag, template, resources } = await synthStatelessWithNag({ bundle: true }));
}, 120_000);

afterAll(() => removeOutdir(outdir));

function logicalIdsOf(type: string): string[] {
  return Object.keys(resources).filter((id) => resources[id]?.Type === type);
}

function onlyId(type: string, prefix: string): string {
  const ids = logicalIdsOf(type).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} starting with ${prefix}`).toHaveLength(1);
  return ids[0] as string;
}

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

/** Every statement of the inline policies attached to a role. */
function statementsOfRole(roleId: string): Statement[] {
  return logicalIdsOf('AWS::IAM::Policy')
    .map((id) => resources[id]?.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } })
    .filter((policy) => policy.Roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => policy.PolicyDocument.Statement);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();
const resourcesOf = (statement: Statement) => [statement.Resource].flat();

const FUNCTIONS = ['Dispatcher', 'Sender', 'TrackingApi', 'TrackingApiIngest', 'TrackingApiDashboard', 'SesEvents', 'WebinarsZoomWebhook', 'WebinarsEvents', 'KpiCounters'] as const;

function functionId(prefix: (typeof FUNCTIONS)[number]): string {
  return onlyId('AWS::Lambda::Function', `${prefix}Function`);
}

function roleIdOf(fnId: string): string {
  const role = (resources[fnId]?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return role;
}

describe('StatelessStack functions', () => {
  it('is its own stack, named per stage', () => {
    expect(built.stateless.stackName).toBe('NurtureEngine-dev-Stateless');
  });

  it('runs the dispatcher, sender, tracking, ingest, dashboard, SES events, Zoom webhook, webinar events and KPI counters functions on Node.js 24, arm64, each with only the environment it reads', () => {
    // The tenth is the usage events function (usage-events.test.ts); the KPI counters function is in kpi-counters.test.ts.
    template.resourceCountIs('AWS::Lambda::Function', 10);
    const tableName = { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefTable') };
    const linkSecret = { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefLinkSigningSecret') };
    const powertools = (service: string) => ({ POWERTOOLS_SERVICE_NAME: service, POWERTOOLS_METRICS_NAMESPACE: 'NurtureEngine/dev', NODE_OPTIONS: '--enable-source-maps' });
    const common = { Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' };
    const expectFunction = (name: (typeof FUNCTIONS)[number], properties: Record<string, unknown>, variables: Record<string, unknown>) => {
      expect(resources[functionId(name)]?.Properties).toMatchObject({ ...common, ...properties });
      // Exactly these variables: a function is not told about secrets, queues or URLs it does not use.
      template.hasResourceProperties('AWS::Lambda::Function', { ...common, ...properties, Environment: { Variables: variables } });
      expect(Object.keys((resources[functionId(name)]?.Properties.Environment as { Variables: object }).Variables).sort()).toEqual(Object.keys(variables).sort());
    };
    expectFunction('Dispatcher', { Timeout: 900, MemorySize: 1024 }, {
      TABLE_NAME: tableName,
      SEND_QUEUE_URL: { Ref: onlyId('AWS::SQS::Queue', 'SendQueue') },
      // A campaign run's fan-out (dispatch-fanout.test.ts).
      DISPATCH_SHARD_QUEUE_URL: { Ref: onlyId('AWS::SQS::Queue', 'DispatchShardQueue') },
      DISPATCH_MAX_WORKERS: '32',
      // The outbox publisher's bus (stateful stack; csql-events.test.ts).
      EVENT_BUS_NAME: { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefEventBus') },
      ...powertools('nurture-engine-dispatcher'),
    });
    expectFunction('Sender', { Timeout: 60, MemorySize: 512 }, {
      TABLE_NAME: tableName,
      // The tracking API's own endpoint when no linkBaseUrl is given.
      LINK_BASE_URL: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrackingApi'), 'ApiEndpoint'] },
      LINK_SECRET_ARN: linkSecret,
      SENDER_CONCURRENCY: '2',
      SENDER_BURST_SECONDS: '1',
      ...powertools('nurture-engine-sender'),
    });
    expectFunction('TrackingApi', { Timeout: 10, MemorySize: 512 }, {
      TABLE_NAME: tableName,
      LINK_SECRET_ARN: linkSecret,
      // The registration page links its calendar file.
      LINK_BASE_URL: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrackingApi'), 'ApiEndpoint'] },
      ...powertools('nurture-engine-tracking'),
    });
    expectFunction('TrackingApiIngest', { Timeout: 29, MemorySize: 512 }, {
      TABLE_NAME: tableName,
      INGEST_TOKEN_SECRET_ARN: { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefIngestTokenSecret') },
      POWERTOOLS_SERVICE_NAME: 'nurture-engine-ingest',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expectFunction('TrackingApiDashboard', { Timeout: 29, MemorySize: 512 }, {
      TABLE_NAME: tableName,
      DASHBOARD_SECRET_ARN: { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefDashboardSecret') },
      POWERTOOLS_SERVICE_NAME: 'nurture-engine-dashboard',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expectFunction('SesEvents', { Timeout: 30, MemorySize: 512 }, { TABLE_NAME: tableName, LINK_SECRET_ARN: linkSecret, ...powertools('nurture-engine-ses-events') });
    // No table, no link secret: the secret token and the queue alone.
    expectFunction('WebinarsZoomWebhook', { Timeout: 10, MemorySize: 512 }, {
      ZOOM_SECRET_ARN: { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefZoomWebhookSecret') },
      WEBINAR_QUEUE_URL: { Ref: onlyId('AWS::SQS::Queue', 'WebinarsQueue') },
      POWERTOOLS_SERVICE_NAME: 'nurture-engine-zoom-webhook',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expectFunction('WebinarsEvents', { Timeout: 120, MemorySize: 512 }, { TABLE_NAME: tableName, ...powertools('nurture-engine-webinar-events') });
    expectFunction('KpiCounters', { Timeout: 120, MemorySize: 512 }, { TABLE_NAME: tableName, ...powertools('nurture-engine-kpi-counters') });
  });

  it('sizes the sender from the SES quota it was given: instances, which is also what each instance divides the SES rate by', () => {
    // The default quota (14/s) needs one instance; SQS event sources run at least two.
    expect(senderCapacity(DEFAULT_SENDER_SIZING).concurrency).toBe(1);
    const sender = resources[functionId('Sender')]?.Properties as { ReservedConcurrentExecutions: number; Environment: { Variables: Record<string, unknown> } };
    expect(sender.ReservedConcurrentExecutions).toBe(2);
    expect(sender.Environment.Variables.SENDER_CONCURRENCY).toBe('2');
    // The event source never polls for more instances than may run (throttled receives would count towards the DLQ).
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 2 } });
  });

  it('feeds the sender from the send queue, 10 at a time, reporting failures per record', () => {
    // The others feed the webinar events function (webinars.test.ts), the dispatcher's shard tasks (dispatch-fanout.test.ts)
    // and the KPI counters from the table's stream (kpi-counters.test.ts).
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 4);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(onlyId('AWS::SQS::Queue', 'SendQueue')),
      FunctionName: { Ref: functionId('Sender') },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('logs each function to its own log group, in JSON, with no managed policies on any role', () => {
    for (const fnId of FUNCTIONS.map(functionId)) {
      const logging = resources[fnId]?.Properties.LoggingConfig as { LogFormat: string; LogGroup: { Ref: string } };
      expect(logging.LogFormat).toBe('JSON');
      expect(resources[logging.LogGroup.Ref]?.Type).toBe('AWS::Logs::LogGroup');
      expect(statementsOfRole(roleIdOf(fnId))).toContainEqual({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: getAtt(logging.LogGroup.Ref),
      });
    }
    for (const roleId of logicalIdsOf('AWS::IAM::Role')) expect(resources[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('sends a dispatcher run that fails after Lambda retries to the schedule dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId('Dispatcher') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: getAtt(onlyId('AWS::SQS::Queue', 'ScheduleDeadLetterQueue')) } },
    });
  });
});

describe('StatelessStack bundles', () => {
  function bundleDirOf(fnId: string): string {
    const key = (resources[fnId]?.Properties.Code as { S3Key: string }).S3Key;
    return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
  }

  function filesUnder(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((path) => statSync(join(dir, path)).isFile())
      .map((path) => relative(dir, join(dir, path)))
      .sort();
  }

  const CONFIG_PARTS_OF: Record<(typeof FUNCTIONS)[number], readonly ConfigPart[]> = {
    Dispatcher: DISPATCHER_CONFIG_PARTS,
    Sender: SENDER_CONFIG_PARTS,
    TrackingApi: TRACKING_CONFIG_PARTS,
    TrackingApiIngest: INGEST_CONFIG_PARTS,
    TrackingApiDashboard: DASHBOARD_CONFIG_PARTS,
    SesEvents: SES_EVENTS_CONFIG_PARTS,
    WebinarsZoomWebhook: ZOOM_WEBHOOK_CONFIG_PARTS,
    WebinarsEvents: WEBINAR_EVENTS_CONFIG_PARTS,
    KpiCounters: KPI_STREAM_CONFIG_PARTS,
  };

  it.each(FUNCTIONS)('%s bundle carries the validated config as JSON, only the parts its handler reads, and no YAML or template files', (name) => {
    const dir = bundleDirOf(functionId(name));
    // The dashboard also serves Chart.js's browser build, copied next to its handler.
    expect(filesUnder(dir)).toEqual([BUNDLED_CONFIG_FILE, 'index.mjs', 'index.mjs.map', ...(name === 'TrackingApiDashboard' ? [CHART_JS_FILE] : [])].sort());
    const text = readFileSync(join(dir, BUNDLED_CONFIG_FILE), 'utf8');
    expect(text).toBe(serializeConfig(config, CONFIG_PARTS_OF[name]));
    expect(Object.keys((JSON.parse(text) as { parts: object }).parts).sort()).toEqual([...CONFIG_PARTS_OF[name]].sort());
    // What the handler reads back is the config the synth validated.
    expect(parseBundledConfig(text, CONFIG_PARTS_OF[name])).toEqual(Object.fromEntries(CONFIG_PARTS_OF[name].map((part) => [part, config[part]])));
  });

  it.each(FUNCTIONS)('%s bundle is ESM with a require shim and stays small enough for quick cold starts', (name) => {
    const file = join(bundleDirOf(functionId(name)), 'index.mjs');
    expect(readFileSync(file, 'utf8').startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    // The renderer's bundle is about 4.5 MB; bundling typescript (cosmiconfig's optional loader) again would add 3.5 MB.
    // The others' 1 MB budget is checked by bundle-size.test.ts, on the same esbuild options.
    expect(statSync(file).size).toBeLessThan(name === 'Sender' ? 6 * 1024 * 1024 : NON_RENDERING_BUNDLE_BUDGET_BYTES);
  });
});

describe('StatelessStack send queue', () => {
  it('redrives to a dead-letter queue after 5 receives, waits out 6 sender timeouts, and encrypts at rest', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: getAtt(onlyId('AWS::SQS::Queue', 'SendDeadLetterQueue')), maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
    const queue = resources[onlyId('AWS::SQS::Queue', 'SendQueue')]?.Properties as { VisibilityTimeout: number };
    const senderTimeout = resources[functionId('Sender')]?.Properties.Timeout as number;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * senderTimeout);
  });

  it('keeps dead letters 14 days, encrypted', () => {
    for (const prefix of ['SendDeadLetterQueue', 'ScheduleDeadLetterQueue', 'SesEventsDeadLetterQueue', 'WebinarsDeadLetterQueue']) {
      expect(resources[onlyId('AWS::SQS::Queue', prefix)]?.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    }
  });

  it('refuses non-TLS access on every queue', () => {
    const queueIds = logicalIdsOf('AWS::SQS::Queue');
    expect(queueIds).toHaveLength(10);
    for (const queueId of queueIds) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('StatelessStack permissions', () => {
  const tableArn = { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputFnGetAttTable') };

  it('lets the sender call ses:SendEmail only on the configured identities and configuration set', () => {
    const statements = statementsOfRole(roleIdOf(functionId('Sender')));
    const send = statements.filter((statement) => actionsOf(statement).includes('ses:SendEmail'));
    expect(send).toHaveLength(1);
    expect(actionsOf(send[0]!)).toEqual(['ses:SendEmail']);
    const arns = resourcesOf(send[0]!).map((arn) => JSON.stringify(arn));
    const expected = [
      'identity/news@mail.example.com',
      'identity/mail.example.com',
      'identity/events@mail.example.com',
      'configuration-set/nurture-engine',
    ];
    expect(arns).toHaveLength(expected.length);
    for (const suffix of expected) expect(arns.some((arn) => arn.includes(`:${suffix}"`))).toBe(true);
    for (const arn of arns) expect(arn).toContain('":ses:"');
  });

  it('grants "*" to the sender and the dashboard for ses:GetAccount alone, to the KPI counters for dynamodb:ListStreams alone, and nothing to anyone else', () => {
    const wildcard = logicalIdsOf('AWS::IAM::Policy').flatMap((id) =>
      (resources[id]?.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((statement) => resourcesOf(statement).includes('*')),
    );
    const getAccount = { Action: 'ses:GetAccount', Effect: 'Allow', Resource: '*' };
    // Both account-level actions: IAM has no resource type to hold them to.
    const listStreams = { Action: 'dynamodb:ListStreams', Effect: 'Allow', Resource: '*' };
    expect(wildcard).toEqual(expect.arrayContaining([getAccount, getAccount, listStreams]));
    expect(wildcard).toHaveLength(3);
    expect(statementsOfRole(roleIdOf(functionId('Sender')))).toContainEqual(getAccount);
    expect(statementsOfRole(roleIdOf(functionId('TrackingApiDashboard')))).toContainEqual(getAccount);
    expect(statementsOfRole(roleIdOf(functionId('KpiCounters')))).toContainEqual(listStreams);
    // No action wildcards either.
    for (const id of logicalIdsOf('AWS::IAM::Policy')) {
      for (const statement of (resources[id]?.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      }
    }
  });

  it('lets the sender read the link-signing secret, and the dispatcher neither SES nor the secret', () => {
    const senderActions = statementsOfRole(roleIdOf(functionId('Sender'))).flatMap(actionsOf);
    expect(senderActions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
    const dispatcherActions = statementsOfRole(roleIdOf(functionId('Dispatcher'))).flatMap(actionsOf);
    expect(dispatcherActions.filter((action) => action.startsWith('ses:') || action.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('gives the dispatcher item actions on the table, Query on each index by name, and SendMessage on the queue', () => {
    const statements = statementsOfRole(roleIdOf(functionId('Dispatcher')));
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleIdOf(functionId('Dispatcher')) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
            Effect: 'Allow',
            Resource: tableArn,
          },
          {
            Action: 'dynamodb:Query',
            Effect: 'Allow',
            Resource: GSIS.map((gsi) => ({ 'Fn::Join': ['', [tableArn, `/index/${gsi.indexName}`]] })),
          },
          { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: getAtt(onlyId('AWS::SQS::Queue', 'SendQueue')) },
          { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: getAtt(onlyId('AWS::SQS::Queue', 'DispatchShardQueue')) },
        ]),
      },
    });
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:') && !['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'].includes(action))).toEqual([]);
  });

  it('gives the sender only the item actions of the send path, on the table alone', () => {
    const dynamo = statementsOfRole(roleIdOf(functionId('Sender'))).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(3);
    const only = (action: string) => {
      const found = dynamo.filter((statement) => actionsOf(statement).includes(action));
      expect(found, action).toHaveLength(1);
      return found[0]!;
    };
    const items = only('dynamodb:PutItem');
    expect(actionsOf(items).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(JSON.stringify(items.Resource)).not.toContain('/index/');
    // The pause switch: Query on the pause partition only (no index, no other partition).
    const pauses = only('dynamodb:Query');
    expect(actionsOf(pauses)).toEqual(['dynamodb:Query']);
    expect(JSON.stringify(pauses.Resource)).not.toContain('/index/');
    expect((pauses as { Condition?: unknown }).Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['CONTROL'] } });
    // A webinar email's session and registrant, read at send time: GetItem on the webinar partitions only.
    const webinar = only('dynamodb:GetItem');
    expect(actionsOf(webinar)).toEqual(['dynamodb:GetItem']);
    expect(JSON.stringify(webinar.Resource)).not.toContain('/index/');
    expect((webinar as { Condition?: unknown }).Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WEBINAR#*'] } });
  });
});

describe('StatelessStack schedules', () => {
  const activeCampaigns = () => config.campaigns.filter((campaign) => campaign.status === 'active');

  function scheduleFor(campaignId: string): Record<string, unknown> {
    const found = logicalIdsOf('AWS::Scheduler::Schedule')
      .map((id) => resources[id]?.Properties as { Target: { Input: string } })
      .filter((schedule) => (JSON.parse(schedule.Target.Input) as { campaignId?: string }).campaignId === campaignId);
    expect(found, `schedules for ${campaignId}`).toHaveLength(1);
    return found[0] as Record<string, unknown>;
  }

  it('has one schedule per active campaign plus the deferred-send release, the sequence steps, the webinar sweep, the event publisher and the CSQL qualification', () => {
    expect(activeCampaigns().length).toBeGreaterThan(0);
    template.resourceCountIs('AWS::Scheduler::Schedule', activeCampaigns().length + 5);
  });

  it('qualifies accounts for CSQL every 15 minutes (promotions, demotions and expiry reach the outbox; the publisher sends them)', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: getAtt(functionId('Dispatcher')), Input: JSON.stringify({ job: 'qualify' }) }),
    });
  });

  it('sweeps webinars every 5 minutes (joins registrants imported since, finalizes sessions that never said they ended)', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: getAtt(functionId('Dispatcher')),
        Input: JSON.stringify({ job: 'webinars' }),
        DeadLetterConfig: { Arn: getAtt(onlyId('AWS::SQS::Queue', 'ScheduleDeadLetterQueue')) },
      }),
    });
  });

  it('advances nurture sequences every 5 minutes', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({ Arn: getAtt(functionId('Dispatcher')), Input: JSON.stringify({ job: 'sequences' }) }),
    });
  });

  it('fires the monthly newsletter on the 2nd at 10:00 Tokyo time', () => {
    expect(scheduleFor('monthly-newsletter')).toMatchObject({ ScheduleExpression: 'cron(0 10 2 * ? *)', ScheduleExpressionTimezone: 'Asia/Tokyo' });
  });

  it('fires the one-off analytics launch once, at its local time in Tokyo', () => {
    expect(scheduleFor('analytics-launch')).toMatchObject({ ScheduleExpression: 'at(2026-12-08T11:00:00)', ScheduleExpressionTimezone: 'Asia/Tokyo' });
  });

  it('invokes the dispatcher with a campaign job stamped with the scheduled time, on time, with retries and a DLQ', () => {
    for (const campaign of activeCampaigns()) {
      const schedule = scheduleFor(campaign.id) as { Target: { Input: string } };
      expect(JSON.parse(schedule.Target.Input)).toEqual({ job: 'campaign', campaignId: campaign.id, scheduledFor: '<aws.scheduler.scheduled-time>' });
      expect(schedule).toMatchObject({
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        GroupName: 'nurture-engine-dev',
        Target: {
          Arn: getAtt(functionId('Dispatcher')),
          RoleArn: getAtt(onlyId('AWS::IAM::Role', 'SchedulesRole')),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: getAtt(onlyId('AWS::SQS::Queue', 'ScheduleDeadLetterQueue')) },
        },
      });
    }
  });

  it('releases deferred sends every minute, so a webinar reminder goes out within 5 minutes of its time', () => {
    const release = Object.values(template.findResources('AWS::Scheduler::Schedule')).filter(
      (schedule) => (schedule.Properties as { Target: { Input: string } }).Target.Input === JSON.stringify({ job: 'release-deferred' }),
    );
    expect(release).toHaveLength(1);
    expect(release[0]?.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: getAtt(functionId('Dispatcher')) } });
  });

  it('uses a role that Scheduler of this group can assume and that can only invoke the dispatcher (and dead-letter)', () => {
    const roleId = onlyId('AWS::IAM::Role', 'SchedulesRole');
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': Match.anyValue() } },
          }),
        ],
      },
    });
    expect(JSON.stringify(resources[roleId]?.Properties.AssumeRolePolicyDocument)).toContain(':schedule-group/nurture-engine-dev');
    expect(statementsOfRole(roleId)).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: getAtt(functionId('Dispatcher')) },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: getAtt(onlyId('AWS::SQS::Queue', 'ScheduleDeadLetterQueue')) },
    ]);
  });
});

describe('StatelessStack SES and alarms', () => {
  it('creates the configured configuration set once, with reputation metrics, sending on, bounces and complaints suppressed', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'nurture-engine',
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('alarms on any message in a dead-letter queue and on errors of every function', () => {
    // Plus the tracking API's 5xx and the two SES reputation alarms (tracking.test.ts), SES account-level refusals, failed sends and the send queue's age (below),
    // events the bus refuses (csql-events.test.ts), the usage events DLQ and errors (usage-events.test.ts), the reputation auto-pause and stranded sends (below),
    // the KPI counters' DLQ, errors and iterator age (kpi-counters.test.ts).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 27);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'SendingAutoPaused', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'EmailsStranded', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    for (const prefix of ['SendDeadLetterQueue', 'DispatchShardDeadLetterQueue', 'ScheduleDeadLetterQueue', 'SesEventsDeadLetterQueue', 'WebinarsDeadLetterQueue']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(onlyId('AWS::SQS::Queue', prefix), 'QueueName') }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
    for (const name of FUNCTIONS) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(name) } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
  });

  it('alarms on the first batch halted because SES refused the account, on the metric the sender writes', () => {
    const sender = resources[functionId('Sender')]?.Properties as { Environment: { Variables: Record<string, string> } };
    expect(sender.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: SENDER_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE: 'NurtureEngine/dev' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'NurtureEngine/dev',
      MetricName: SES_ACCOUNT_LEVEL_ERRORS_METRIC,
      // Powertools Metrics adds the service dimension to every metric: the alarm must name it too, or it watches nothing.
      Dimensions: [{ Name: 'service', Value: SENDER_SERVICE_NAME }],
      Statistic: 'Sum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('StatelessStack alarm notifications and metrics', () => {
  const topicId = () => onlyId('AWS::SNS::Topic', 'AlarmNotificationsTopic');

  it('sends every alarm, entering ALARM and back to OK, to the alarm topic', () => {
    const alarms = logicalIdsOf('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const id of alarms) {
      const properties = resources[id]?.Properties as { AlarmActions?: unknown[]; OKActions?: unknown[] };
      expect(properties.AlarmActions, id).toEqual([{ Ref: topicId() }]);
      expect(properties.OKActions, id).toEqual([{ Ref: topicId() }]);
    }
  });

  it('encrypts the alarm topic with a rotated customer-managed key CloudWatch may use, refuses non-TLS publishers, and has no subscriber without alarmEmail', () => {
    const topic = resources[topicId()]?.Properties as { KmsMasterKeyId: unknown };
    const keyId = onlyId('AWS::KMS::Key', 'AlarmNotificationsKey');
    expect(topic.KmsMasterKeyId).toEqual(getAtt(keyId));
    expect(resources[keyId]?.Properties).toMatchObject({ EnableKeyRotation: true });
    expect(JSON.stringify(resources[keyId]?.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('alarms when more than a few emails fail for good, and when a send request waits in the queue for over an hour', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'NurtureEngine/dev',
      MetricName: PIPELINE_METRICS.emailsFailed,
      Dimensions: [{ Name: 'service', Value: SENDER_SERVICE_NAME }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: FAILED_SENDS_ALARM.threshold,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(onlyId('AWS::SQS::Queue', 'SendQueue'), 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('draws the pipeline metrics the handlers write on a dashboard', () => {
    const dashboards = logicalIdsOf('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(resources[dashboards[0]!]?.Properties.DashboardBody);
    for (const metricName of Object.values(PIPELINE_METRICS)) expect(body, metricName).toContain(metricName);
    expect(body).toContain('ApproximateAgeOfOldestMessage');
    expect(body).toContain('NurtureEngine/dev');
  });
});

describe('cdk-nag (AwsSolutions) over the whole app', () => {
  it('passes with no unacknowledged errors or warnings', () => {
    expect(nag.findings).toEqual([]);
    expect(nag.error).toBeUndefined();
  });
});

describe('StatelessStack from other config and context', { timeout: 30_000 }, () => {
  // Unbundled: these look at the template only.
  const build = (overrides: { config?: EngineConfig; context?: Record<string, unknown> } = {}) =>
    buildApp({ config: overrides.config ?? config, stage: 'dev', appProps: { autoSynth: false, context: { ...IN_MEMORY, ...SKIP_BUNDLING, ...overrides.context } } });

  it('leaves no CDK warning or error annotations (e.g. an unset cross-stack reference strength)', () => {
    const annotations = Annotations.fromStack(build().stateless);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  it('schedules no paused or draft campaign', () => {
    const campaigns = config.campaigns.map((campaign) => (campaign.id === 'analytics-launch' ? { ...campaign, status: 'paused' as const } : campaign));
    const { stateless } = build({ config: { ...config, campaigns } });
    const inputs = Object.values(Template.fromStack(stateless).findResources('AWS::Scheduler::Schedule')).map(
      (schedule) => JSON.parse((schedule.Properties as { Target: { Input: string } }).Target.Input) as { campaignId?: string },
    );
    expect(inputs.map((input) => input.campaignId).filter(Boolean).sort()).toEqual(campaigns.filter((c) => c.status === 'active').map((c) => c.id).sort());
  });

  it('sizes the sender for the SES quota and latency given as context, and refuses a quota that is not a number', () => {
    const { stateless } = build({ context: { sesMaxSendRate: '1000', sesLatencyMs: '80', senderLambdaConcurrency: '300' } });
    const expected = senderCapacity({ ...DEFAULT_SENDER_SIZING, maxSendRate: 1000, sesLatencyMs: 80, lambdaConcurrencyAvailable: 300 });
    // 10 emails per 230 ms batch (a probe email, then the rest) is ~43/s an instance: 1,000/s x 1.25 needs 29.
    expect(expected.concurrency).toBe(29);
    expect(stateless.senderCapacity.concurrency).toBe(29);
    const sized = Template.fromStack(stateless);
    sized.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 29 } });
    sized.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 29, Environment: { Variables: Match.objectLike({ SENDER_CONCURRENCY: '29' }) } });
    expect(() => build({ context: { sesMaxSendRate: 'lots' } })).toThrow(/Invalid sesMaxSendRate "lots"/);
  });

  it('subscribes the alarmEmail from context to the alarm topic, and refuses one that is not an address', () => {
    const { stateless } = build({ context: { alarmEmail: 'ops@example.com' } });
    const subscribed = Template.fromStack(stateless);
    subscribed.resourceCountIs('AWS::SNS::Subscription', 1);
    subscribed.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    expect(() => build({ context: { alarmEmail: 'ops.example.com' } })).toThrow(/Invalid alarmEmail/);
  });

  it('takes the link base URL from context and refuses one that is not https', () => {
    const { stateless } = build({ context: { linkBaseUrl: 'https://t.example.org/' } });
    // The sender writes links; the tracking function links the calendar file from the registration page.
    for (const service of ['nurture-engine-sender', 'nurture-engine-tracking']) {
      Template.fromStack(stateless).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ LINK_BASE_URL: 'https://t.example.org', POWERTOOLS_SERVICE_NAME: service }) },
      });
    }
    expect(() => build({ context: { linkBaseUrl: 'http://t.example.org' } })).toThrow(/must use https/);
    expect(() => build({ context: { linkBaseUrl: 'links.example.org' } })).toThrow(/Invalid linkBaseUrl/);
  });

  it('without a link base URL, links use the deployed API’s own endpoint: no placeholder reaches a customer', () => {
    const template = Template.fromStack(build().stateless);
    const sender = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (resource) => (resource as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'nurture-engine-sender',
    ) as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    expect(sender.Properties.Environment.Variables.LINK_BASE_URL).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TrackingApi/), 'ApiEndpoint'] });
    expect(JSON.stringify(template.toJSON())).not.toContain('links.example.com');
  });

  it('stage prod refuses an example domain for the links in customers’ email', () => {
    const prod = (linkBaseUrl: string) => buildApp({ config, stage: 'prod', appProps: { autoSynth: false, context: { ...IN_MEMORY, ...SKIP_BUNDLING, linkBaseUrl } } });
    expect(() => prod('https://links.example.com')).toThrow(/for stage prod: an example domain/);
    expect(() => prod('https://links.nurture-customer.co.jp')).not.toThrow();
  });
});
