/**
 * Stateful stack: owns the engine's state, the single DynamoDB table, the link-signing
 * secret, the ingest API's bearer token and the Zoom webhook's secret token, the engine's event
 * bus with its archive (receivers' rules hang on it; infra/engine-event-bus.ts) and, when the CRM
 * webhook is configured without a key of the CRM's, the key the engine sends it. State lives apart
 * from compute so the stateless stacks can be replaced or torn down freely without ever putting
 * the table (or the key behind every link already sent, the token every CRM client holds, the
 * token typed in from Zoom, or the bus the CRM listens on) in a changeset.
 */
import { CfnOutput, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { GSIS, TABLE_KEYS } from '../adapters/aws/dynamo/table-design.ts';
import { EngineEventBus } from './engine-event-bus.ts';

export interface StatefulStackProps extends StackProps {
  /** Deployment stage; `prod` switches the table to retain-and-protect. */
  readonly stage: string;
  /**
   * Generates the API key the CRM webhook is called with (`-c csqlWebhookUrl` given without
   * `-c csqlWebhookSecretArn`): the CRM side is given it to check the calls.
   */
  readonly generateCrmWebhookApiKey?: boolean;
}

export class StatefulStack extends Stack {
  /** The single table, with its change stream (NEW_AND_OLD_IMAGES): the stateless stack reads its stream ARN (an export) for the KPI counters. */
  public readonly table: dynamodb.Table;
  /** HMAC key for open/click/unsubscribe tokens; read by the sender (signs) and the HTTP app (verifies). */
  public readonly linkSecret: secretsmanager.Secret;
  /** Bearer token of the ingest API (`POST /api/ingest/customers`); read by the HTTP app only. */
  public readonly ingestTokenSecret: secretsmanager.Secret;
  /** Signs the dashboard's login links and sessions (npm run dashboard -- link --aws-secret <arn>). */
  public readonly dashboardSecret: secretsmanager.Secret;
  /** The Zoom app's webhook secret token (Zoom issues it; ops put it here); read by the Zoom webhook function only. */
  public readonly zoomWebhookSecret: secretsmanager.Secret;
  /** The stage's event bus (CSQL events for the CRM) and its archive; the dispatcher publishes to it. */
  public readonly eventBus: EngineEventBus;
  /** The CRM webhook's API key, when this stack generates it. */
  public readonly crmWebhookApiKeySecret: secretsmanager.Secret | undefined;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const isProd = props.stage === 'prod';

    // `Table`, not `TableV2`: cdk-nag's point-in-time-recovery rule (AwsSolutions-DDB3)
    // only inspects AWS::DynamoDB::Table, so a TableV2 (AWS::DynamoDB::GlobalTable)
    // would pass the nag check without actually being checked.
    this.table = new dynamodb.Table(this, 'Table', {
      // Keys and TTL come from the shared table design so the deployed schema
      // cannot drift from what the store adapter and local bootstrap expect.
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      // Traffic is bursty (campaign sends, webinar days) and idle in between.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS-managed key: auditable in CloudTrail, no key policy of our own to run.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The KPI counters function (stateless stack, infra/kpi-counters.ts) counts sends and events
      // from this stream instead of in a transaction with each write; it needs the old image to
      // tell a send that becomes sent from one already sent. A deployed table gets the stream on
      // update, in place, with no interruption; it carries changes from then on only. Changing the
      // view type later replaces the stream (a new ARN), which CloudFormation refuses while the
      // stateless stack imports the old one: remove the consumer first.
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      // Non-prod stages are disposable; prod must survive a stack delete or a bad deploy.
      deletionProtection: isProd,
      removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    for (const gsi of GSIS) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: dynamodb.AttributeType.STRING },
        // Items are small and the adapters read whole items from every index.
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    this.linkSecret = new secretsmanager.Secret(this, 'LinkSigningSecret', {
      description: `Nurture engine link-signing key (${props.stage}): HMAC for open, click and unsubscribe tokens`,
      // The handler uses the string as the key itself; alphanumerics only, so no JSON or
      // shell quoting can ever mangle it. 64 x ~5.95 bits is far beyond HMAC-SHA256's needs.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Losing the key breaks every tracking and unsubscribe link in mail already delivered.
      removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.linkSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Tokens signed with this key sit in delivered emails (unsubscribe links must keep working for months); ' +
        'automatic rotation would invalidate them all. Rotation needs a key ring (sign with the new key, verify with ' +
        'old and new), which the token format does not have yet.',
    });

    this.ingestTokenSecret = new secretsmanager.Secret(this, 'IngestTokenSecret', {
      description: `Nurture engine ingest API bearer token (${props.stage}): CRM and data-pipeline clients send it to POST /api/ingest/customers`,
      // Alphanumerics only: it travels in an Authorization header and in client config files.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Deleting it would lock every configured client out until each is given a new token.
      removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.ingestTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The token is held by the ingest clients (CRM, data pipeline), which send it as a bearer token; ' +
        'a rotation Lambda would change it under them and every import would fail with 401. Rotation needs a ' +
        'coordinated client update (or an app that accepts the previous token during a grace period), so it is done by hand.',
    });

    this.dashboardSecret = new secretsmanager.Secret(this, 'DashboardSecret', {
      description: `Nurture engine dashboard key (${props.stage}): signs the login links (npm run dashboard -- link) and sessions of GET /dashboard; who may read it may open the dashboard`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.dashboardSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A new value only ends the open dashboard sessions and unused login links (people ask for a new link), so it is ' +
        'rotated by hand (aws secretsmanager put-secret-value with a random value; the function re-reads it within 5 minutes) ' +
        'rather than by a rotation Lambda that would add a function and a role for a key nothing else holds.',
    });

    this.zoomWebhookSecret = new secretsmanager.Secret(this, 'ZoomWebhookSecret', {
      description:
        `Nurture engine Zoom webhook secret token (${props.stage}): the Secret Token of the Zoom app whose webhooks ` +
        'go to POST /webhooks/zoom. Put the value from the Zoom app here after the first deploy (docs/deploy.md).',
      // A random placeholder until ops put Zoom's token: nobody can sign a webhook the function accepts meanwhile.
      generateSecretString: { passwordLength: 32, excludePunctuation: true, includeSpace: false },
      // The value was typed in from Zoom by hand; deleting it would stop every webinar webhook until someone does it again.
      removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.zoomWebhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Zoom issues this token (the Secret Token of the Zoom app) and signs its webhooks with it; Secrets Manager ' +
        'cannot change it on Zoom\'s side, so a rotation Lambda would only break signature checks. It is rotated by ' +
        'regenerating it in the Zoom app and putting the new value here (docs/deploy.md).',
    });

    this.eventBus = new EngineEventBus(this, 'EventBus', { stage: props.stage, isProd });

    this.crmWebhookApiKeySecret = props.generateCrmWebhookApiKey
      ? new secretsmanager.Secret(this, 'CrmWebhookApiKeySecret', {
          description: `Nurture engine CRM webhook API key (${props.stage}): sent with every CSQL promotion to the CRM webhook; give it to the CRM side to check the calls (docs/deploy.md)`,
          // Alphanumerics only: it travels in an HTTP header.
          generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
          // The CRM side was configured with it by hand; deleting it would get every promotion refused until both sides change.
          removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        })
      : undefined;
    if (this.crmWebhookApiKeySecret) {
      Validations.of(this.crmWebhookApiKeySecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The CRM side holds this key to check the webhook calls, and the EventBridge connection holds a copy made at deploy ' +
          'time: a rotation Lambda would change it under both, and every promotion would be refused until someone updated ' +
          'the CRM and redeployed. It is rotated by hand, in that order (docs/deploy.md).',
      });
    }

    // The name is CloudFormation-generated (a fixed name would block replacements),
    // so operators and scripts need it surfaced.
    new CfnOutput(this, 'TableName', {
      value: this.table.tableName,
      description: 'Name of the nurture engine single table',
    });
    // Operators hand the token to the ingest clients: `aws secretsmanager get-secret-value --secret-id <arn>`.
    new CfnOutput(this, 'IngestTokenSecretArn', {
      value: this.ingestTokenSecret.secretArn,
      description: 'Secrets Manager secret holding the ingest API bearer token',
    });
    // Receivers subscribe to the bus by name (docs/csql-event.md).
    new CfnOutput(this, 'DashboardSecretArn', {
      value: this.dashboardSecret.secretArn,
      description: 'Secrets Manager secret that signs dashboard logins: npm run dashboard -- link --aws-secret <this> --url <TrackingApiUrl>',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.eventBus.bus.eventBusName,
      description: 'EventBridge bus the engine publishes CSQL promotions (AccountQualifiedAsCsql) and demotions to',
    });
    if (this.crmWebhookApiKeySecret) {
      new CfnOutput(this, 'CrmWebhookApiKeySecretArn', {
        value: this.crmWebhookApiKeySecret.secretArn,
        description: 'Secrets Manager secret holding the API key sent to the CRM webhook: give its value to the CRM side (docs/deploy.md)',
      });
    }
    // Ops put the Zoom app's token into it: `aws secretsmanager put-secret-value --secret-id <arn> --secret-string ...`.
    new CfnOutput(this, 'ZoomWebhookSecretArn', {
      value: this.zoomWebhookSecret.secretArn,
      description: 'Secrets Manager secret to put the Zoom app\'s webhook Secret Token into (docs/deploy.md)',
    });
  }
}
