/**
 * The public HTTP side of the engine: an API Gateway HTTP API whose `$default` route sends every
 * request to the one HTTP app (lambdas/http/handler.ts: open pixel, click redirect, one-click
 * unsubscribe, preference centre, ingest API). The stage is throttled and access-logged; the
 * function may read the link-signing key (to verify tokens) and the ingest token, and only the
 * table items and index its routes touch.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EngineFunction } from './engine-function.ts';
import { grantTableAccess, type TableAccess } from './table-access.ts';

export const HTTP_TIMEOUT = Duration.seconds(10);
export const HTTP_MEMORY_MB = 512;

/**
 * Stage-wide limits. Far above what people clicking links in one campaign produce, low enough
 * that a scanner storm or a runaway ingest client cannot run up the table and Lambda bill.
 */
export const HTTP_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

/**
 * What the HTTP app's code paths do with the table (adapters/aws/dynamo):
 * - tracking: the send and the run's stored links (GetItem), the open/click/unsubscribe event
 *   (conditional PutItem), the per-link click counter (UpdateItem ADD), the contact (GetItem).
 * - unsubscribe and preferences: suppressions (BatchGetItem to check, conditional PutItem to add),
 *   the contact's topic opt-outs (PutItem upsert).
 * - ingest: accounts already stored (BatchGetItem), account and contact upserts (conditional
 *   PutItem), then enrollment on phase changes: the account (GetItem), its contacts (Query on
 *   GSI2), their scores (BatchGetItem), the enrollment (conditional PutItem).
 * No code path queries the base table or another index, and none batch-writes or deletes.
 */
export const HTTP_TABLE_ACCESS: TableAccess = {
  actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem'],
  queryIndexes: ['GSI2'],
};

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
  /** The HTTP API's name in the console and CLI. */
  readonly apiName: string;
  /** The function environment, given the function's service name (the pipeline's shared variables). */
  readonly environment: (serviceName: string) => Record<string, string>;
  readonly table: dynamodb.ITable;
  readonly linkSecret: secretsmanager.ISecret;
  readonly ingestTokenSecret: secretsmanager.ISecret;
  readonly isProd: boolean;
}

export class TrackingApi extends Construct {
  readonly function: EngineFunction;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TrackingApiProps) {
    super(scope, id);

    this.function = new EngineFunction(this, 'Function', {
      entry: 'lambdas/http/handler.ts',
      description: 'Nurture engine HTTP app: open pixel, click redirect, unsubscribe, preference centre, ingest API',
      timeout: HTTP_TIMEOUT,
      memorySize: HTTP_MEMORY_MB,
      environment: { ...props.environment('nurture-engine-http'), INGEST_TOKEN_SECRET_ARN: props.ingestTokenSecret.secretArn },
      isProd: props.isProd,
    });
    grantTableAccess(this.function.role, props.table, HTTP_TABLE_ACCESS);
    props.linkSecret.grantRead(this.function.role);
    props.ingestTokenSecret.grantRead(this.function.role);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Nurture engine: links in emails (open, click, unsubscribe, preferences) and the ingest API',
      // The app routes by itself (Hono): one catch-all route keeps API Gateway out of the routing.
      defaultIntegration: new HttpLambdaIntegration('App', this.function.function),
      // Created below, with throttling and access logs, which the implicit default stage cannot take.
      createDefaultStage: false,
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

    // The `$default` route has no API Gateway authorizer, on purpose.
    for (const route of this.api.node.findAll().filter((node) => node instanceof apigwv2.HttpRoute)) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Public by design: the routes are the links inside emails (open pixel, click redirect, unsubscribe and ' +
          'preference pages), which recipients open without an account; RFC 8058 one-click unsubscribe must work ' +
          'with no login. Those links authorise themselves with HMAC-signed tokens, and the ingest API checks its ' +
          'bearer token (Secrets Manager) inside the app. An authorizer here would break every link already sent.',
      });
    }
  }

  /** The base URL of the `$default` stage (`https://<api-id>.execute-api.<region>.amazonaws.com/`). */
  get url(): string {
    return this.stage.url;
  }
}
