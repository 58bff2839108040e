/**
 * Infra tests for the tracking side: the public HTTP API in front of the HTTP app (one `$default`
 * route, throttled, access-logged without tokens or addresses), what the HTTP function may read
 * and write (email links and webinar registration),
 * the SES event destinations on the default bus, the rule that feeds the SES events function
 * (retries, dead-letter queue), least-privilege grants, the secrets' readers, the SES reputation
 * alarms, and cdk-nag. One unbundled synth for the file: these tests read templates, not bundles.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { buildApp } from '../../infra/build-app.ts';
import { IN_MEMORY, SKIP_BUNDLING, removeOutdir, type NagOutcome, synthStatelessWithNag } from './synth-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Principal?: unknown; Condition?: unknown };

/** What the engine's SES event parser ingests (core/tracking/ses-events/ses-event.ts), spelled out independently. */
const EXPECTED_EVENT_TYPES = ['bounce', 'complaint', 'delivery', 'deliveryDelay', 'reject', 'renderingFailure', 'subscription'];
const EXPECTED_DETAIL_TYPES = [
  'Email Bounced',
  'Email Complaint Received',
  'Email Delivered',
  'Email Delivery Delayed',
  'Email Rejected',
  'Email Rendering Failed',
  'Email Sent',
  'Email Subscribed',
];

let config: EngineConfig;
let outdir: string;
let nag: NagOutcome;
let template: Template;
let resources: Record<string, Resource>;

const build = (overrides: { config?: EngineConfig; outdir?: string } = {}) =>
  buildApp({
    config: overrides.config ?? config,
    stage: 'dev',
    appProps: { autoSynth: false, ...(overrides.outdir ? { outdir: overrides.outdir } : {}), context: { ...IN_MEMORY, ...SKIP_BUNDLING } },
  });

beforeAll(async () => {
  ({ config, outdir, nag, template, resources } = await synthStatelessWithNag());
}, 60_000);

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
const actionsOf = (statement: Statement) => [statement.Action].flat();
const resourcesOf = (statement: Statement) => [statement.Resource].flat();

const httpFunctionId = () => onlyId('AWS::Lambda::Function', 'TrackingApiFunction');
const ingestFunctionId = () => onlyId('AWS::Lambda::Function', 'TrackingApiIngestFunction');
const dashboardFunctionId = () => onlyId('AWS::Lambda::Function', 'TrackingApiDashboardFunction');
const sesEventsFunctionId = () => onlyId('AWS::Lambda::Function', 'SesEventsFunction');
const sesEventsQueueId = () => onlyId('AWS::SQS::Queue', 'SesEventsDeadLetterQueue');
const roleIdOf = (fnId: string) => (resources[fnId]?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

function statementsOfRole(roleId: string): Statement[] {
  return logicalIdsOf('AWS::IAM::Policy')
    .map((id) => resources[id]?.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } })
    .filter((policy) => policy.Roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => policy.PolicyDocument.Statement);
}

/** DynamoDB statements of a role as { actions (sorted) -> resources as JSON }. */
function dynamoGrantsOf(roleId: string): Array<{ actions: string[]; resources: string }> {
  return statementsOfRole(roleId)
    .filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')))
    .map((statement) => ({ actions: actionsOf(statement).sort(), resources: JSON.stringify(resourcesOf(statement)) }));
}

/** Roles whose policies name the secret exported by the stateful stack under `exportPrefix`. */
function rolesReading(exportPrefix: string): string[] {
  return logicalIdsOf('AWS::IAM::Role').filter((roleId) =>
    statementsOfRole(roleId).some(
      (statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue') && JSON.stringify(statement.Resource).includes(`ExportsOutputRef${exportPrefix}`),
    ),
  );
}

const tableArnImport = '"Fn::ImportValue":"NurtureEngine-dev-Stateful:ExportsOutputFnGetAttTable';

describe('Tracking HTTP API', () => {
  it('is one HTTP API: $default proxies the email links to the tracking function, /api/ingest/* the ingest API to the ingest function, POST /webhooks/zoom to the Zoom webhook function (payload 2.0)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', Name: 'nurture-engine-dev' });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 5);
    const integrations = logicalIdsOf('AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(5);
    const integrationOf = (fnId: string) => {
      const found = integrations.filter((id) => JSON.stringify(resources[id]?.Properties.IntegrationUri) === JSON.stringify(getAtt(fnId)));
      expect(found.length).toBeGreaterThanOrEqual(1);
      expect(resources[found[0]!]?.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      return found[0]!;
    };
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationOf(httpFunctionId()) }]] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'ANY /api/ingest/{proxy+}',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationOf(ingestFunctionId()) }]] },
    });
    for (const routeKey of ['GET /dashboard', 'GET /dashboard/{proxy+}']) {
      const route = logicalIdsOf('AWS::ApiGatewayV2::Route').find((id) => resources[id]?.Properties.RouteKey === routeKey);
      const target = JSON.stringify(resources[route ?? '']?.Properties.Target);
      expect(integrations.filter((id) => JSON.stringify(resources[id]?.Properties.IntegrationUri) === JSON.stringify(getAtt(dashboardFunctionId()))).some((id) => target.includes(id)), routeKey).toBe(true);
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/zoom',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationOf(onlyId('AWS::Lambda::Function', 'WebinarsZoomWebhookFunction')) }]] },
    });
  });

  it('lets recipients use the links without logging in: no authorizer on the route (the app checks tokens itself)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'NONE' });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('lets only this API invoke the HTTP function', () => {
    const permissions = logicalIdsOf('AWS::Lambda::Permission')
      .map((id) => resources[id]?.Properties as { FunctionName: unknown; Principal: string; SourceArn: unknown })
      .filter((permission) => JSON.stringify(permission.FunctionName) === JSON.stringify(getAtt(httpFunctionId())));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.Principal).toBe('apigateway.amazonaws.com');
    expect(JSON.stringify(permissions[0]?.SourceArn)).toContain(`{"Ref":"${onlyId('AWS::ApiGatewayV2::Api', 'TrackingApi')}"},"/*/*"`);
  });

  it('serves at the root of the endpoint from a $default stage throttled to 200 requests/s, bursts of 400', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
    });
  });

  it('writes JSON access logs to its own log group, without paths (tokens), query strings or client addresses', () => {
    const stage = resources[onlyId('AWS::ApiGatewayV2::Stage', 'TrackingApi')]?.Properties as { AccessLogSettings: { DestinationArn: unknown; Format: string } };
    const logGroupId = onlyId('AWS::Logs::LogGroup', 'TrackingApiAccessLogs');
    expect(stage.AccessLogSettings.DestinationArn).toEqual(getAtt(logGroupId));
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' });
    for (const variable of Object.values(format)) {
      expect(variable).not.toMatch(/\$context\.(path|identity\.sourceIp|identity\.userAgent)|querystring/i);
    }
    expect(resources[logGroupId]?.Properties.RetentionInDays).toBe(14);
  });

  it('outputs the API endpoint (the linkBaseUrl to deploy with when no custom domain is in front)', () => {
    template.hasOutput('TrackingApiUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: onlyId('AWS::ApiGatewayV2::Api', 'TrackingApi') }])] },
    });
  });

  it('alarms when the API answers 5xx (the app turns its own exceptions into 500s)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: Match.arrayWith([{ Name: 'ApiId', Value: { Ref: onlyId('AWS::ApiGatewayV2::Api', 'TrackingApi') } }]),
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });
});

describe('Tracking function permissions (public link routes)', () => {
  const trackingStatements = () => statementsOfRole(roleIdOf(httpFunctionId())).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
  type Conditioned = Statement & { Condition?: Record<string, Record<string, string[]>> };

  const leadingKeysOf = (statement: Conditioned) => [...(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [])].sort();
  /** The run partitions of the configured webinars' emails, spelled out independently of the infra. */
  const webinarRuns = () => config.webinars.map((webinar) => `RUN#${webinar.id}#*`).sort();

  it('may write only events, suppressions, session states and registrants (PutItem), scores, topic opt-outs and answers (UpdateItem), parked webinar emails (BatchWriteItem), each held to its partitions', () => {
    const statements = trackingStatements() as Conditioned[];
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).toContain(tableArnImport);
      expect(JSON.stringify(statement.Resource)).not.toContain('/index/');
      // Every DynamoDB statement names the partitions it may touch.
      expect(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']?.length).toBeGreaterThan(0);
    }
    const puts = statements.filter((statement) => actionsOf(statement).includes('dynamodb:PutItem'));
    expect(puts).toHaveLength(2);
    // Events have a partition of their own: no PutItem can replace a contact's profile item.
    expect(puts.map(leadingKeysOf).sort()).toEqual([['EVENTS#*', 'SCORE#*', 'SUPPRESSION#*', 'WEBINAR#*'], ['OUTBOX#*', 'SURVEY#*']]);
    // Survey answers read their account (tier, CSM) and their own item, and write nothing else of an account.
    const gets = statements.filter((statement) => actionsOf(statement).includes('dynamodb:GetItem'));
    expect(gets.flatMap(leadingKeysOf)).toEqual(expect.arrayContaining(['ACCOUNT#*', 'SURVEY#*']));
    const updates = statements.filter((statement) => actionsOf(statement).includes('dynamodb:UpdateItem'));
    expect(updates).toHaveLength(3);
    // The email run's KPI counters and link counts move from the table's stream (infra/kpi-counters.ts), not from here.
    expect(JSON.stringify(statements)).not.toContain('KPI');
    expect(JSON.stringify(updates)).not.toContain('clicks_*');
    // The engagement path's score moves: the scores' own partitions and attributes.
    const scores = updates.find((statement) => statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']?.includes('SCORE#*'));
    expect(scores?.Condition?.['ForAllValues:StringLike']?.['dynamodb:Attributes']).toEqual(['PK', 'SK', 'scaledSum', 'version', 'epoch', 'updatedAt', 'scope', 'id', 'entity', 'signal_*']);
    const optOuts = updates.find((statement) => statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']?.includes('CONTACT#*'));
    // A contact's profile fields (name, locale, consent, account, ...) are not among them.
    expect(optOuts?.Condition?.['ForAllValues:StringEquals']?.['dynamodb:Attributes']).toEqual(['PK', 'SK', 'topicsOptedOut', 'updatedAt']);
    const answers = updates.find((statement) => statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']?.includes('WEBINAR#*'));
    // The registration question's answer, nothing else of a registrant or a session.
    expect(answers?.Condition?.['ForAllValues:StringEquals']?.['dynamodb:Attributes']).toEqual(['PK', 'SK', 'answers']);
    const batchWrites = statements.filter((statement) => actionsOf(statement).includes('dynamodb:BatchWriteItem'));
    expect(batchWrites).toHaveLength(1);
    expect(actionsOf(batchWrites[0]!)).toEqual(['dynamodb:BatchWriteItem']);
    // The confirmation and reminders a registration parks, in the configured webinars' runs only: no campaign's send is reachable.
    expect(webinarRuns().length).toBeGreaterThan(0);
    expect(leadingKeysOf(batchWrites[0]!)).toEqual(webinarRuns());
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
    ]);
  });

  it('cannot upsert customers: no transaction, delete, query beyond the events partition, nor any write to the email look-ups (which it may only read, to match a registrant)', () => {
    const statements = statementsOfRole(roleIdOf(httpFunctionId()));
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => /Transact|Delete|ConditionCheck|PartiQL/.test(action))).toEqual([]);
    const queries = (trackingStatements() as Conditioned[]).filter((statement) => actionsOf(statement).includes('dynamodb:Query'));
    expect(queries.map(actionsOf)).toEqual([['dynamodb:Query']]);
    expect(leadingKeysOf(queries[0]!)).toEqual(['EVENTS#*']);
    const touchingLookUps = (trackingStatements() as Conditioned[]).filter((statement) => JSON.stringify(statement).includes('EMAIL#'));
    expect(touchingLookUps.map(actionsOf)).toEqual([['dynamodb:GetItem']]);
  });

  it('may not send email or use queues, has no ingest token in its environment, and knows the public link base URL (the API itself by default)', () => {
    const actions = statementsOfRole(roleIdOf(httpFunctionId())).flatMap(actionsOf);
    expect(actions.filter((action) => /^(ses|sqs):/.test(action))).toEqual([]);
    const variables = (resources[httpFunctionId()]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual(['LINK_BASE_URL', 'LINK_SECRET_ARN', 'NODE_OPTIONS', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME']);
    expect(variables.LINK_BASE_URL).toEqual(getAtt(onlyId('AWS::ApiGatewayV2::Api', 'TrackingApi'), 'ApiEndpoint'));
  });
});

describe('Ingest function permissions', () => {
  it('gets the upsert and enrollment item actions, DeleteItem on email look-ups and what erasure deletes, and Query on GSI1 and GSI2', () => {
    const grants = dynamoGrantsOf(roleIdOf(ingestFunctionId()));
    expect(grants.map((grant) => grant.actions)).toEqual(
      expect.arrayContaining([['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ['dynamodb:Query'], ['dynamodb:DeleteItem']]),
    );
    // Plus the attendance endpoint's two (below).
    expect(grants).toHaveLength(5);
    const index = grants.filter((grant) => grant.resources.includes('/index/'));
    expect(index).toHaveLength(1);
    expect(index[0]?.resources).toContain('/index/GSI2');
    expect(index[0]?.resources).toContain('/index/GSI1');
    const deletes = statementsOfRole(roleIdOf(ingestFunctionId())).find((statement) => actionsOf(statement).includes('dynamodb:DeleteItem')) as Statement & { Condition: unknown };
    // Erasure: the contact, its score, the suppression by address, the registrant; never an account, a counter or a run.
    expect(deletes.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EMAIL#*', 'CONTACT#*', 'SCORE#CONTACT#*', 'SUPPRESSION#*', 'WEBINAR#*'] } });
  });

  it('for webinar attendance and erasure, batch-writes and queries only the partitions they touch', () => {
    const statements = statementsOfRole(roleIdOf(ingestFunctionId())) as Array<Statement & { Condition?: Record<string, Record<string, string[]>> }>;
    const keysOf = (action: string) => {
      const found = statements.filter((statement) => actionsOf(statement).includes(action) && !JSON.stringify(statement.Resource).includes('/index/'));
      expect(found, action).toHaveLength(1);
      expect(actionsOf(found[0]!)).toEqual([action]);
      return [...(found[0]!.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [])].sort();
    };
    // Plus erasure's: the contact's events, enrollments and parked sends (whatever run they wait in).
    expect(keysOf('dynamodb:BatchWriteItem')).toEqual(['ATTENDANCE#*#*', 'WEBINAR#*', ...config.webinars.map((webinar) => `RUN#${webinar.id}#*`), 'EVENTS#*', 'CONTACT#*', 'RUN#*#*'].sort());
    expect(keysOf('dynamodb:Query')).toEqual(['ATTENDANCE#*#*', 'CONTACT#*', 'EVENTS#*', 'USAGE#*', 'WEBINAR#*']);
  });

  it('reads the ingest token from the environment-named secret, and not the link-signing key', () => {
    const variables = (resources[ingestFunctionId()]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables.INGEST_TOKEN_SECRET_ARN)).toContain('ExportsOutputRefIngestTokenSecret');
    expect(variables.LINK_SECRET_ARN).toBeUndefined();
  });
});

describe('Dashboard function permissions', () => {
  it('reads the table (GetItem, BatchGetItem, Query on the table, GSI1 and GSI2) and writes nothing', () => {
    const statements = statementsOfRole(roleIdOf(dashboardFunctionId()));
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Query'].sort());
    for (const write of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']) expect(actions).not.toContain(`dynamodb:${write}`);
    expect(actions.filter((action) => action.startsWith('ses:'))).toEqual(['ses:GetAccount']);
    expect(actions.some((action) => action.startsWith('sqs:') || action.startsWith('events:'))).toBe(false);
  });

  it('is capped at 5 concurrent executions and reads the dashboard secret named in its environment, no other secret', () => {
    const fn = resources[dashboardFunctionId()]?.Properties as { ReservedConcurrentExecutions: number; Environment: { Variables: Record<string, unknown> } };
    expect(fn.ReservedConcurrentExecutions).toBe(5);
    expect(JSON.stringify(fn.Environment.Variables.DASHBOARD_SECRET_ARN)).toContain('ExportsOutputRefDashboardSecret');
    expect(rolesReading('DashboardSecret')).toEqual([roleIdOf(dashboardFunctionId())]);
    expect(rolesReading('LinkSigningSecret')).not.toContain(roleIdOf(dashboardFunctionId()));
    expect(rolesReading('IngestTokenSecret')).not.toContain(roleIdOf(dashboardFunctionId()));
  });
});

describe('Secrets readers', () => {
  it('lets only the ingest function read the ingest token (not the tracking, dispatcher, sender or SES events function)', () => {
    expect(rolesReading('IngestTokenSecret')).toEqual([roleIdOf(ingestFunctionId())]);
  });

  it('lets only the Zoom webhook function read the Zoom webhook token', () => {
    expect(rolesReading('ZoomWebhookSecret')).toEqual([roleIdOf(onlyId('AWS::Lambda::Function', 'WebinarsZoomWebhookFunction'))]);
  });

  it('lets the sender (signs links and SES tags), the tracking function and the SES events function (verify them) read the link-signing secret, nobody else', () => {
    expect(rolesReading('LinkSigningSecret').sort()).toEqual(
      [roleIdOf(httpFunctionId()), roleIdOf(onlyId('AWS::Lambda::Function', 'SenderFunction')), roleIdOf(sesEventsFunctionId())].sort(),
    );
  });
});

describe('SES event destinations', () => {
  it('publishes the 8 recorded event types of each configuration set to the default EventBridge bus', () => {
    const setIds = logicalIdsOf('AWS::SES::ConfigurationSet');
    expect(setIds.length).toBeGreaterThan(0);
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', setIds.length);
    for (const setId of setIds) {
      const destinations = logicalIdsOf('AWS::SES::ConfigurationSetEventDestination')
        .map((id) => resources[id]?.Properties as { ConfigurationSetName: unknown; EventDestination: { Enabled: boolean; MatchingEventTypes: string[]; EventBridgeDestination: unknown } })
        .filter((destination) => JSON.stringify(destination.ConfigurationSetName) === JSON.stringify({ Ref: setId }));
      expect(destinations).toHaveLength(1);
      const { EventDestination } = destinations[0]!;
      expect(EventDestination.Enabled).toBe(true);
      expect([...EventDestination.MatchingEventTypes].sort()).toEqual(EXPECTED_EVENT_TYPES);
      expect(JSON.stringify(EventDestination.EventBridgeDestination)).toMatch(/":event-bus\/default"\]\]\}\}$/);
    }
  });

  it('adds one destination per configuration set named in the senders config', () => {
    const identities = config.senders.identities.map((identity, index) => (index === 0 ? { ...identity, configurationSet: 'nurture-engine-webinars' } : identity));
    const stack = Template.fromStack(build({ config: { ...config, senders: { ...config.senders, identities } } }).stateless);
    stack.resourceCountIs('AWS::SES::ConfigurationSet', 2);
    stack.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 2);
    const rule = Object.values(stack.findResources('AWS::Events::Rule'))[0]?.Properties as { EventPattern: { detail: { mail: { tags: Record<string, string[]> } } } };
    expect([...rule.EventPattern.detail.mail.tags['ses:configuration-set']!].sort()).toEqual(['nurture-engine', 'nurture-engine-webinars']);
  });
});

describe('SES events rule and function', () => {
  it('matches the 8 SES detail-types from aws.ses on the default bus, for the engine\'s configuration sets only', () => {
    // The other rule is on the engine bus (product usage, usage-events.test.ts).
    template.resourceCountIs('AWS::Events::Rule', 2);
    const rule = resources[onlyId('AWS::Events::Rule', 'SesEventsRule')]?.Properties as {
      EventBusName?: unknown;
      EventPattern: { source: string[]; 'detail-type': string[]; detail: unknown };
    };
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern.source).toEqual(['aws.ses']);
    expect([...rule.EventPattern['detail-type']].sort()).toEqual(EXPECTED_DETAIL_TYPES);
    expect(rule.EventPattern.detail).toEqual({ mail: { tags: { 'ses:configuration-set': ['nurture-engine'] } } });
  });

  it('targets the SES events function with 4 retries over at most 2 hours, then the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: getAtt(sesEventsFunctionId()),
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: { Arn: getAtt(sesEventsQueueId()) },
        }),
      ],
    });
    const ruleId = onlyId('AWS::Events::Rule', 'SesEventsRule');
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: getAtt(sesEventsFunctionId()),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(ruleId),
    });
    // EventBridge may write to the DLQ for this rule only.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: sesEventsQueueId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ruleId) } } }),
        ]),
      },
    });
  });

  it('keeps invocations that still fail after Lambda\'s retries in the same dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: sesEventsFunctionId() },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: getAtt(sesEventsQueueId()) } },
    });
  });

  it('runs 30 s with 512 MB', () => {
    expect(resources[sesEventsFunctionId()]?.Properties).toMatchObject({ Timeout: 30, MemorySize: 512 });
  });

  it('grants the SES events function GetItem, PutItem and UpdateItem (topic opt-outs) on the table and Query on GSI1 alone, reading the link secret only, and no SES or other DynamoDB action', () => {
    const roleId = roleIdOf(sesEventsFunctionId());
    // The reputation guard runs where the counts move (infra/kpi-counters.ts): no Query of counters or pauses here.
    expect(statementsOfRole(roleId).filter((statement) => JSON.stringify(statement).includes('KPI#*'))).toEqual([]);
    const grants = dynamoGrantsOf(roleId).filter((grant) => !grant.actions.includes('dynamodb:Query') || grant.resources.includes('/index/'));
    expect(grants).toHaveLength(2);
    const [table, index] = grants[0]!.resources.includes('/index/') ? [grants[1]!, grants[0]!] : [grants[0]!, grants[1]!];
    expect(table.actions).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(table.resources).toContain(tableArnImport);
    expect(index.actions).toEqual(['dynamodb:Query']);
    expect(index.resources).toContain('/index/GSI1');
    expect(index.resources).not.toContain('/index/GSI2');
    const actions = statementsOfRole(roleId).flatMap(actionsOf);
    expect(actions.filter((action) => action.startsWith('ses:'))).toEqual([]);
    expect([...new Set(actions.filter((action) => action.startsWith('secretsmanager:')))].sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    // Beyond logs, DynamoDB and the secret, only the failure destination.
    expect(actions.filter((action) => !/^(logs|dynamodb|secretsmanager):/.test(action)).every((action) => action.startsWith('sqs:'))).toBe(true);
  });

  it('alarms on any message in its dead-letter queue and on its errors', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(sesEventsQueueId(), 'QueueName') }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: sesEventsFunctionId() } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });
});

describe('SES reputation alarms', () => {
  it.each([
    ['Reputation.BounceRate', 0.04],
    ['Reputation.ComplaintRate', 0.001],
  ])('alarms when the account-level %s goes above %s', (metricName, threshold) => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/SES', MetricName: metricName } }));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({ Threshold: threshold, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Maximum', TreatMissingData: 'notBreaching' });
    // Account level: the metric SES publishes without dimensions.
    expect(alarms[0]?.Properties.Dimensions).toBeUndefined();
  });
});

describe('cdk-nag (AwsSolutions) with the tracking side', () => {
  it('passes the whole app with no unacknowledged errors or warnings', () => {
    expect(nag.findings).toEqual([]);
    expect(nag.error).toBeUndefined();
  });
});
