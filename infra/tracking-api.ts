/**
 * The HTTP side of the engine: one API Gateway HTTP API, two functions with two roles. The
 * `$default` route sends the links inside emails (open pixel, click redirect, one-click
 * unsubscribe, preference centre, webinar registration, calendar file, survey) to the tracking
 * function (lambdas/tracking/handler.ts), which may write only what those links write;
 * `/api/ingest/*` goes to the ingest function (lambdas/ingest/handler.ts), the only one that may
 * upsert customers or read the ingest token. `POST /webhooks/zoom` is added to the same API by
 * infra/webinar-events.ts, with a function of its own. The stage is throttled and access-logged.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { keys, TABLE_KEYS } from '../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { DASHBOARD_CONFIG_PARTS, INGEST_CONFIG_PARTS, TRACKING_CONFIG_PARTS } from '../lambdas/runtime/function-config-parts.ts';
import { CHART_JS_FILE, chartJsSourcePath } from '../adapters/fs/chart-library.ts';
import { pipelineMetricsNamespace, SERVICE_NAMES } from '../lambdas/runtime/pipeline-metrics.ts';
import { EngineFunction } from './engine-function.ts';
import { grantTableAccess, type TableAccess } from './table-access.ts';
import { leadingKeys, PARTITION, webinarRunPartitions } from './table-partitions.ts';

export const HTTP_TIMEOUT = Duration.seconds(10);
export const HTTP_MEMORY_MB = 512;
/** A batch of up to 1,000 records and the enrollment after it: more than a link click needs. */
export const INGEST_TIMEOUT = Duration.seconds(29);

/** The dashboard's own path (http/dashboard-app.ts mounts it there); its pages and assets are below it. */
export const DASHBOARD_PATH = '/dashboard';
/** Reading a quarter of revenue histories and the CSQLs' event histories takes a few seconds on a big account base. */
export const DASHBOARD_TIMEOUT = Duration.seconds(29);
export const DASHBOARD_CONCURRENCY = 5;

/**
 * What the dashboard reads (core/reporting/dashboard.ts), and nothing it could write: KPI counters,
 * pauses, webinar sessions, registrants and attendance, CSQL promotions and states, CRM outcomes,
 * accounts by tier (GSI1), contacts of an account and registrations of a contact (GSI2), revenue
 * histories, the promoted accounts' events, usage and survey answers (Query on the base table; GetItem and
 * BatchGetItem where a store reads items by key).
 */
export const DASHBOARD_TABLE_ACCESS: TableAccess = {
  actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  queryIndexes: ['GSI1', 'GSI2'],
};

/** The API path of the ingest routes (http/app.ts mounts them under /api/ingest). */
export const INGEST_PATH = '/api/ingest/{proxy+}';

/**
 * Stage-wide limits. Far above what people clicking links in one campaign produce, low enough
 * that a scanner storm or a runaway ingest client cannot run up the table and Lambda bill.
 */
export const HTTP_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

export const KEY_ATTRIBUTES = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey];
/** What a score move writes (adapters/aws/dynamo/score-store.ts). */
const SCORE_ATTRIBUTES = ['scaledSum', 'version', 'epoch', 'updatedAt', 'scope', 'id', 'entity', 'signal_*'];

/**
 * What the public link routes do with the table (http/tracking-deps.ts and
 * http/webinar-link-routes.ts name every store method they may call; adapters/aws/dynamo):
 * - reads: the send and the run's stored links (GetItem, RUN#), the contact (GetItem, CONTACT#;
 *   BatchGetItem when a registration plans its emails), suppressions (BatchGetItem, SUPPRESSION#),
 *   webinar sessions and registrants (GetItem, WEBINAR#), the contact owning a registering
 *   address (GetItem of the email look-up, EMAIL#: a read, never a write).
 * - writes: the open/click/unsubscribe/preference/registration/survey event (conditional PutItem,
 *   under EVENTS#: a partition of its own, so no PutItem can reach a contact's profile item),
 *   the suppression on unsubscribe (conditional PutItem, SUPPRESSION#), the per-link click counter
 *   (UpdateItem ADD on the run's links item: the counters alone), the contact's topic opt-outs
 *   (UpdateItem of `topicsOptedOut` and `updatedAt` alone, never a profile field), the session
 *   state created from the config and the registrant (conditional PutItem, WEBINAR#), the
 *   registration question's answer (UpdateItem of `answers` alone), and the confirmation and
 *   reminders a registration parks (BatchWriteItem, held to the configured webinars' own runs,
 *   `RUN#<webinar>#*`: no campaign's or sequence's send can be touched); a survey answer (GetItem
 *   and conditional PutItem on SURVEY#, the account read with GetItem on ACCOUNT#) and, in its
 *   transaction, the churn-risk outbox entry (conditional PutItem on OUTBOX#).
 * - the engagement path: each event's score moves, in one transaction with the event (UpdateItem
 *   ADD on SCORE#), and a score rebased once per era (GetItem, conditional PutItem on SCORE#). The
 *   email run's KPI counters move from the table's stream (infra/kpi-counters.ts), not here.
 * - the click context: the earlier opens and clicks of the same email, read back from the contact's
 *   events partition to tell a scanner's burst from a person (Query, EVENTS# alone).
 * Every statement is held to those partitions with dynamodb:LeadingKeys; no Query beyond the
 * contact's events, no delete, no write to the email look-up items the customer upsert writes.
 */
export function trackingTableStatements(tableArn: string, webinarRuns: readonly string[]): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [tableArn],
      // A click's context: the same email's earlier opens and clicks (core/tracking/follow-click.ts).
      conditions: leadingKeys(PARTITION.events),
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
      resources: [tableArn],
      conditions: leadingKeys(PARTITION.run, PARTITION.contact, PARTITION.suppression),
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem'],
      resources: [tableArn],
      // ACCOUNT#: a survey answer's account (tier, CSM) for the answer and its churn-risk event; SURVEY#: the answer itself.
      conditions: leadingKeys(PARTITION.webinar, PARTITION.emailLookUp, PARTITION.scores, PARTITION.account, PARTITION.survey),
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:PutItem'],
      resources: [tableArn],
      // A survey answer (conditional on its revision) and, in the same transaction, its churn-risk outbox entry.
      conditions: leadingKeys(PARTITION.survey, PARTITION.outbox),
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:PutItem'],
      resources: [tableArn],
      // SCORE#: a score rebased once per era (the engagement path).
      conditions: leadingKeys(PARTITION.events, PARTITION.suppression, PARTITION.webinar, PARTITION.scores),
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [tableArn],
      // The engagement path's score moves, in the event's transaction: the score's own attributes alone.
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PARTITION.scores], 'dynamodb:Attributes': [...KEY_ATTRIBUTES, ...SCORE_ATTRIBUTES] } },
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PARTITION.contact] },
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...KEY_ATTRIBUTES, 'topicsOptedOut', 'updatedAt'] },
      },
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PARTITION.webinar] },
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...KEY_ATTRIBUTES, 'answers'] },
      },
    }),
  ];
  // No webinar configured, nothing to park.
  if (webinarRuns.length > 0) {
    statements.push(new iam.PolicyStatement({ actions: ['dynamodb:BatchWriteItem'], resources: [tableArn], conditions: leadingKeys(...webinarRuns) }));
  }
  return statements;
}

/**
 * What the ingest API does with the table: accounts already stored (BatchGetItem), account upserts
 * (the stored hashes read with GetItem, then a transaction: the conditional UpdateItem of the account
 * and, when its MRR, plan, products or tier changed, the PutItem of its revenue history entry), contact upserts (a transaction: UpdateItem of the contact, PutItem of
 * its email look-up, DeleteItem of the previous look-up when the address changed), then enrollment
 * on phase changes: the account (GetItem), its contacts (Query on GSI2), their scores and
 * enrollments (BatchGetItem), the enrollment (conditional PutItem). DeleteItem is held to the
 * email look-up partitions. The attendance endpoint adds the statements of `ingestWebinarStatements`.
 */
export const INGEST_TABLE_ACCESS: TableAccess = {
  actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem'],
  // GSI1 for erasure alone: registrants of no contact yet, and parked sends (both sparse).
  queryIndexes: ['GSI1', 'GSI2'],
};

/**
 * What erasure (POST /api/ingest/erasure, core/privacy/erase-person.ts) adds, by partition: it
 * deletes the contact, its score, the suppression by address (replaced by its hash) and the
 * registrant (replaced by an anonymous one) with DeleteItem in small transactions; the contact's
 * events, enrollments and parked sends (in any run's partition) and its attendance marks with
 * BatchWriteItem; and reads them back with Query on the base table (and the account's usage).
 */
export const INGEST_ERASURE_PARTITIONS = {
  deletes: [PARTITION.contact, keys.contactScore('*').PK, PARTITION.suppression, PARTITION.webinar],
  batchWrites: [PARTITION.events, PARTITION.contact, PARTITION.run],
  queries: [PARTITION.events, PARTITION.contact, keys.usageRecordsOfAccount('*').PK],
} as const;

/**
 * What the webinar attendance endpoint (/api/ingest/webinars) adds to the item actions above:
 * attendance stays, registrants' watch-time summaries and the parked follow-ups of a session it
 * finalizes (BatchWriteItem: ATTENDANCE#, WEBINAR#, and the configured webinars' own runs), and the
 * session's marks and registrants read back to finalize it (Query on the base table, those two
 * partitions only).
 */
export function ingestWebinarStatements(tableArn: string, webinarRuns: readonly string[]): iam.PolicyStatement[] {
  // Erasure's partitions join the same two statements (one statement per action keeps the role readable).
  return [
    new iam.PolicyStatement({ actions: ['dynamodb:BatchWriteItem'], resources: [tableArn], conditions: leadingKeys(PARTITION.attendance, PARTITION.webinar, ...webinarRuns, ...INGEST_ERASURE_PARTITIONS.batchWrites) }),
    new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [tableArn], conditions: leadingKeys(PARTITION.webinar, PARTITION.attendance, ...INGEST_ERASURE_PARTITIONS.queries) }),
  ];
}

/**
 * One JSON line per request (cdk-nag APIG1 wants access logs, and structured ones are queryable
 * in Logs Insights). Deliberately without the path, the query string and the client address:
 * the path of `/u/<token>` and `/p/<token>` is a capability that unsubscribes or edits someone's
 * preferences, and addresses are personal data. The function's own log has the ids per route.
 */
export const HTTP_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
} as const;

export interface TrackingApiProps {
  readonly stage: string;
  /** The HTTP API's name in the console and CLI. */
  readonly apiName: string;
  readonly config: EngineConfig;
  readonly table: dynamodb.ITable;
  readonly linkSecret: secretsmanager.ISecret;
  readonly ingestTokenSecret: secretsmanager.ISecret;
  /** Signs the dashboard's login links and sessions. */
  readonly dashboardSecret: secretsmanager.ISecret;
  /** The public base URL of the links (the registration page links its calendar file); absent, this API's own endpoint. */
  readonly linkBaseUrl?: string;
  readonly isProd: boolean;
}

export class TrackingApi extends Construct {
  /** The public link routes. */
  readonly function: EngineFunction;
  /** The authenticated ingest API. */
  readonly ingestFunction: EngineFunction;
  /** The dashboard (signed session; reads only). */
  readonly dashboardFunction: EngineFunction;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TrackingApiProps) {
    super(scope, id);

    this.function = new EngineFunction(this, 'Function', {
      entry: 'lambdas/tracking/handler.ts',
      description: 'Nurture engine tracking: open pixel, click redirect, unsubscribe, preference centre (public links in emails)',
      timeout: HTTP_TIMEOUT,
      memorySize: HTTP_MEMORY_MB,
      environment: {
        TABLE_NAME: props.table.tableName,
        LINK_SECRET_ARN: props.linkSecret.secretArn,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.tracking,
        POWERTOOLS_METRICS_NAMESPACE: pipelineMetricsNamespace(props.stage),
      },
      isProd: props.isProd,
      config: props.config,
      configParts: TRACKING_CONFIG_PARTS,
    });
    const webinarRuns = webinarRunPartitions(props.config);
    for (const statement of trackingTableStatements(props.table.tableArn, webinarRuns)) this.function.role.addToPrincipalPolicy(statement);
    props.linkSecret.grantRead(this.function.role);

    this.ingestFunction = new EngineFunction(this, 'IngestFunction', {
      entry: 'lambdas/ingest/handler.ts',
      description: 'Nurture engine ingest API: batch upserts of accounts and contacts (bearer token), then sequence enrollment',
      timeout: INGEST_TIMEOUT,
      memorySize: HTTP_MEMORY_MB,
      environment: {
        TABLE_NAME: props.table.tableName,
        INGEST_TOKEN_SECRET_ARN: props.ingestTokenSecret.secretArn,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.ingest,
      },
      isProd: props.isProd,
      config: props.config,
      configParts: INGEST_CONFIG_PARTS,
    });
    grantTableAccess(this.ingestFunction.role, props.table, INGEST_TABLE_ACCESS);
    // The look-up of an address a contact no longer has goes, inside the upsert's transaction; erasure deletes the rest.
    this.ingestFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PARTITION.emailLookUp, ...INGEST_ERASURE_PARTITIONS.deletes] } },
      }),
    );
    for (const statement of ingestWebinarStatements(props.table.tableArn, webinarRuns)) this.ingestFunction.role.addToPrincipalPolicy(statement);
    props.ingestTokenSecret.grantRead(this.ingestFunction.role);

    this.dashboardFunction = new EngineFunction(this, 'DashboardFunction', {
      entry: 'lambdas/dashboard/handler.ts',
      description: 'Nurture engine dashboard: KPIs, webinars, CSQLs, deliverability, revenue (signed session; reads only)',
      timeout: DASHBOARD_TIMEOUT,
      memorySize: HTTP_MEMORY_MB,
      environment: {
        TABLE_NAME: props.table.tableName,
        DASHBOARD_SECRET_ARN: props.dashboardSecret.secretArn,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.dashboard,
      },
      isProd: props.isProd,
      config: props.config,
      configParts: DASHBOARD_CONFIG_PARTS,
      // A few people look at it; a reload storm must not take the account's concurrency (or the table's capacity).
      reservedConcurrentExecutions: DASHBOARD_CONCURRENCY,
      bundledFiles: [{ from: chartJsSourcePath(), name: CHART_JS_FILE }],
    });
    grantTableAccess(this.dashboardFunction.role, props.table, DASHBOARD_TABLE_ACCESS);
    // The send quota shown against what is sent: an account-level action with no resource to name.
    this.dashboardFunction.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    props.dashboardSecret.grantRead(this.dashboardFunction.role);
    Validations.of(this.dashboardFunction.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:GetAccount (the send quota the dashboard shows next to the deliverability figures) is an account-level action: ' +
        'IAM defines no resource for it, so "*" is the only resource it can be granted on. Every table statement names the table or its indexes.',
    });

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Nurture engine: links in emails (open, click, unsubscribe, preferences, webinar registration), the ingest API and the Zoom webhook',
      // Everything but the ingest API is a link in an email: the app routes those by itself (Hono).
      defaultIntegration: new HttpLambdaIntegration('App', this.function.function),
      // Created below, with throttling and access logs, which the implicit default stage cannot take.
      createDefaultStage: false,
    });

    // The links point at a tracking domain when one is given, else at this API (it serves them).
    this.function.function.addEnvironment('LINK_BASE_URL', props.linkBaseUrl ?? this.api.apiEndpoint);

    this.api.addRoutes({
      path: INGEST_PATH,
      methods: [apigwv2.HttpMethod.ANY],
      integration: new HttpLambdaIntegration('Ingest', this.ingestFunction.function),
    });

    this.api.addRoutes({
      path: DASHBOARD_PATH,
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('Dashboard', this.dashboardFunction.function),
    });
    this.api.addRoutes({
      path: `${DASHBOARD_PATH}/{proxy+}`,
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('DashboardPaths', this.dashboardFunction.function),
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.isProd ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
      removalPolicy: props.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // `$default` serves at the root of the endpoint, so link paths carry no stage prefix.
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: HTTP_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(HTTP_ACCESS_LOG_FIELDS)),
      },
    });

    // No route has an API Gateway authorizer, on purpose.
    for (const route of this.api.node.findAll().filter((node) => node instanceof apigwv2.HttpRoute)) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Public by design: the routes are the links inside emails (open pixel, click redirect, unsubscribe and ' +
          'preference pages), which recipients open without an account; RFC 8058 one-click unsubscribe must work ' +
          'with no login. Those links authorise themselves with HMAC-signed tokens, and the ingest API checks its ' +
          'bearer token (Secrets Manager) inside the app. An authorizer here would break every link already sent. ' +
          'The dashboard routes check a signed session (HS256 cookie from a login link minted with the dashboard secret, ' +
          'which only operators can read) in the dashboard function, and answer 401 without it.',
      });
    }
  }

  /** The base URL of the `$default` stage (`https://<api-id>.execute-api.<region>.amazonaws.com/`). */
  get url(): string {
    return this.stage.url;
  }
}
