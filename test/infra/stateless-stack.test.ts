/**
 * Infra tests for the sending pipeline: the functions and what they may do, the send queue
 * and its dead-letter queue, one schedule per active campaign at the configured time and
 * zone, the SES configuration set, alarms, the bundled code carrying the team config, and
 * cdk-nag over the whole app. The real app is bundled and synthesized once for the file.
 * The tracking side (HTTP API, SES events) has its own assertions in tracking.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GSIS } from '../../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { buildApp, DEFAULT_LINK_BASE_URL, type BuiltApp } from '../../infra/build-app.ts';
import { ESM_REQUIRE_BANNER } from '../../infra/engine-function.ts';
import { SENDER_CONCURRENCY } from '../../infra/stateless-stack.ts';
import { SENDER_SERVICE_NAME, SES_ACCOUNT_LEVEL_ERRORS_METRIC } from '../../lambdas/sender/sender-metrics.ts';
import { IN_MEMORY, REPO_ROOT, SKIP_BUNDLING, loadShippedConfig, makeOutdir, removeOutdir, synthWithNag, type NagOutcome } from './synth-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let config: EngineConfig;
let outdir: string;
let built: BuiltApp;
let nag: NagOutcome;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(async () => {
  config = await loadShippedConfig();
  outdir = makeOutdir();
  // Bundles every function with esbuild (a few seconds each): the only faithful synth in the suite.
  built = buildApp({ config, stage: 'dev', appProps: { outdir, context: { ...IN_MEMORY } } });
  nag = synthWithNag(built.app, outdir);
  const json = JSON.parse(readFileSync(join(outdir, `${built.stateless.stackName}.template.json`), 'utf8')) as { Resources: Record<string, Resource> };
  template = Template.fromJSON(json);
  resources = json.Resources;
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

const FUNCTIONS = ['Dispatcher', 'Sender', 'TrackingApi', 'SesEvents'] as const;

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

  it('runs the dispatcher, sender, HTTP app and SES events functions on Node.js 24, arm64, with the pipeline environment', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    const environment = (service: string, extra: Record<string, unknown> = {}) => ({
      Variables: {
        TABLE_NAME: { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefTable') },
        SEND_QUEUE_URL: { Ref: onlyId('AWS::SQS::Queue', 'SendQueue') },
        LINK_BASE_URL: DEFAULT_LINK_BASE_URL,
        LINK_SECRET_ARN: { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefLinkSigningSecret') },
        SENDER_CONCURRENCY: String(SENDER_CONCURRENCY),
        POWERTOOLS_SERVICE_NAME: service,
        NODE_OPTIONS: '--enable-source-maps',
        ...extra,
      },
    });
    const common = { Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' };
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...common,
      Timeout: 900,
      MemorySize: 1024,
      Environment: environment('nurture-engine-dispatcher'),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...common,
      Timeout: 60,
      MemorySize: 512,
      Environment: environment('nurture-engine-sender'),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...common,
      Timeout: 10,
      MemorySize: 512,
      Environment: environment('nurture-engine-http', {
        INGEST_TOKEN_SECRET_ARN: { 'Fn::ImportValue': Match.stringLikeRegexp('^NurtureEngine-dev-Stateful:ExportsOutputRefIngestTokenSecret') },
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...common,
      Timeout: 30,
      MemorySize: 512,
      Environment: environment('nurture-engine-ses-events'),
    });
  });

  it('caps the sender at SENDER_CONCURRENCY instances, which is also what each instance divides the SES rate by', () => {
    const sender = resources[functionId('Sender')]?.Properties as { ReservedConcurrentExecutions: number; Environment: { Variables: Record<string, unknown> } };
    expect(sender.ReservedConcurrentExecutions).toBe(SENDER_CONCURRENCY);
    expect(sender.Environment.Variables.SENDER_CONCURRENCY).toBe(String(SENDER_CONCURRENCY));
    // The event source never polls for more instances than may run (throttled receives would count towards the DLQ).
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: SENDER_CONCURRENCY } });
  });

  it('feeds the sender from the send queue, 10 at a time, reporting failures per record', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
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

  it.each(FUNCTIONS)('%s bundle carries the exact campaigns/ and templates/ the synth validated', (name) => {
    const dir = bundleDirOf(functionId(name));
    for (const folder of ['campaigns', 'templates']) {
      const shipped = filesUnder(join(REPO_ROOT, folder));
      expect(shipped.length).toBeGreaterThan(0);
      expect(filesUnder(join(dir, folder))).toEqual(shipped);
      for (const file of shipped) expect(readFileSync(join(dir, folder, file), 'utf8')).toBe(readFileSync(join(REPO_ROOT, folder, file), 'utf8'));
    }
  });

  it.each(FUNCTIONS)('%s bundle is ESM with a require shim and stays small enough for quick cold starts', (name) => {
    const file = join(bundleDirOf(functionId(name)), 'index.mjs');
    expect(readFileSync(file, 'utf8').startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    // 4.5 MB today; bundling typescript (cosmiconfig's optional loader) again would add 3.5 MB.
    expect(statSync(file).size).toBeLessThan(6 * 1024 * 1024);
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
    for (const prefix of ['SendDeadLetterQueue', 'ScheduleDeadLetterQueue', 'SesEventsDeadLetterQueue']) {
      expect(resources[onlyId('AWS::SQS::Queue', prefix)]?.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    }
  });

  it('refuses non-TLS access on every queue', () => {
    const queueIds = logicalIdsOf('AWS::SQS::Queue');
    expect(queueIds).toHaveLength(4);
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

  it('grants "*" to the sender for ses:GetAccount alone, and nothing to anyone else', () => {
    const wildcard = logicalIdsOf('AWS::IAM::Policy').flatMap((id) =>
      (resources[id]?.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((statement) => resourcesOf(statement).includes('*')),
    );
    expect(wildcard).toEqual([{ Action: 'ses:GetAccount', Effect: 'Allow', Resource: '*' }]);
    expect(statementsOfRole(roleIdOf(functionId('Sender')))).toContainEqual(wildcard[0]);
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
        ]),
      },
    });
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:') && !['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'].includes(action))).toEqual([]);
  });

  it('gives the sender only the item actions of the send path, on the table alone', () => {
    const dynamo = statementsOfRole(roleIdOf(functionId('Sender'))).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect(actionsOf(dynamo[0]!).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(JSON.stringify(dynamo[0]!.Resource)).not.toContain('/index/');
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

  it('has one schedule per active campaign plus the deferred-send release and the sequence steps', () => {
    expect(activeCampaigns().length).toBeGreaterThan(0);
    template.resourceCountIs('AWS::Scheduler::Schedule', activeCampaigns().length + 2);
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

  it('releases deferred sends every 5 minutes', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ Arn: getAtt(functionId('Dispatcher')), Input: JSON.stringify({ job: 'release-deferred' }) }),
    });
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

  it('alarms on any message in a dead-letter queue and on errors of the queue- and event-driven functions', () => {
    // Plus the tracking API's 5xx and the two SES reputation alarms (tracking.test.ts) and SES account-level refusals (below).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 10);
    for (const prefix of ['SendDeadLetterQueue', 'ScheduleDeadLetterQueue', 'SesEventsDeadLetterQueue']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(onlyId('AWS::SQS::Queue', prefix), 'QueueName') }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
    for (const name of ['Dispatcher', 'Sender', 'SesEvents'] as const) {
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

describe('cdk-nag (AwsSolutions) over the whole app', () => {
  it('passes with no unacknowledged errors or warnings', () => {
    expect(nag.findings).toEqual([]);
    expect(nag.error).toBeUndefined();
  });
});

describe('StatelessStack from other config and context', { timeout: 30_000 }, () => {
  // Unbundled: these look at the template only.
  const build = (overrides: { config?: EngineConfig; context?: Record<string, unknown> } = {}) =>
    buildApp({ config: overrides.config ?? config, stage: 'dev', appProps: { context: { ...IN_MEMORY, ...SKIP_BUNDLING, ...overrides.context } } });

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

  it('takes the link base URL from context and refuses one that is not https', () => {
    const { stateless } = build({ context: { linkBaseUrl: 'https://t.example.org/' } });
    Template.fromStack(stateless).allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LINK_BASE_URL: 'https://t.example.org' }) },
    });
    expect(() => build({ context: { linkBaseUrl: 'http://t.example.org' } })).toThrow(/must use https/);
    expect(() => build({ context: { linkBaseUrl: 'links.example.org' } })).toThrow(/Invalid linkBaseUrl/);
  });
});
