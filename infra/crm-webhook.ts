/**
 * The optional hand-off of CSQL promotions to the CRM's webhook (`cdk deploy -c csqlWebhookUrl=https://...`):
 * a rule on the engine's event bus matching `AccountQualifiedAsCsql` sends each event, as EventBridge
 * delivers it (the whole event, JSON, POST), to an API destination. The connection authenticates
 * with an API key header whose value comes from a Secrets Manager secret (the CRM's own, given as
 * `-c csqlWebhookSecretArn=...`, or one the stateful stack generates for the CRM to check). What the
 * CRM does not take is retried by EventBridge for 24 hours, then parked in a dead-letter queue that
 * alarms; the bus archive can replay any window. Without the context, none of this exists.
 */
import { Duration, SecretValue } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { CSQL_EVENT_SOURCE, CSQL_QUALIFIED } from '../core/qualification/csql-promotion.ts';
import { CHURN_RISK_RAISED } from '../core/surveys/churn-risk.ts';

/**
 * The events the CRM webhook receives: promotions, and churn risks for the CSM (a detractor's NPS
 * answer, docs/events.md). Demotions stay on the bus for whoever wants them.
 */
export const CRM_WEBHOOK_DETAIL_TYPES = [CSQL_QUALIFIED, CHURN_RISK_RAISED] as const;

/** The header the API key goes in unless `-c csqlWebhookApiKeyHeader=...` names another. */
export const DEFAULT_CRM_WEBHOOK_API_KEY_HEADER = 'x-api-key';

/**
 * EventBridge's retries of a delivery the CRM did not take (5xx, 429, timeout after 5 s): its
 * maximum, a day. A CRM maintenance window must not push a promotion into the dead-letter queue.
 */
export const CRM_WEBHOOK_TARGET_RETRY = { retryAttempts: 185, maxEventAge: Duration.hours(24) } as const;

/** Calls per second EventBridge makes to the CRM at most (promotions are rare; a replay must not flood it). */
export const CRM_WEBHOOK_RATE_PER_SECOND = 10;

/** What `-c csqlWebhookUrl=...` and its companions resolve to (infra/build-app.ts). */
export interface CrmWebhookSettings {
  /** The CRM's https endpoint. */
  readonly url: string;
  /** Secrets Manager secret whose whole SecretString is the API key. */
  readonly apiKeySecretArn: string;
  /** The header the key is sent in. */
  readonly apiKeyHeader: string;
}

export interface CrmWebhookProps extends CrmWebhookSettings {
  readonly stage: string;
  readonly eventBus: events.IEventBus;
}

export class CrmWebhook extends Construct {
  readonly connection: events.Connection;
  readonly destination: events.ApiDestination;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CrmWebhookProps) {
    super(scope, id);

    this.connection = new events.Connection(this, 'Connection', {
      description: `Nurture engine -> CRM webhook (${props.stage}): API key in ${props.apiKeyHeader}`,
      // Resolved by CloudFormation at deploy time into the connection's own EventBridge-managed
      // secret: after changing the key, deploy again (or update the connection), docs/deploy.md.
      authorization: events.Authorization.apiKey(props.apiKeyHeader, SecretValue.secretsManager(props.apiKeySecretArn)),
    });
    this.destination = new events.ApiDestination(this, 'Destination', {
      description: `CRM webhook for CSQL promotions (${props.stage})`,
      connection: this.connection,
      endpoint: props.url,
      httpMethod: events.HttpMethod.POST,
      rateLimitPerSecond: CRM_WEBHOOK_RATE_PER_SECOND,
    });

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', 'EventBridge parks here the CSQL events the CRM webhook did not take within the retry policy');

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      description: `CSQL promotions and churn risks to the CRM webhook (${props.stage})`,
      eventPattern: { source: [CSQL_EVENT_SOURCE], detailType: [...CRM_WEBHOOK_DETAIL_TYPES] },
      targets: [new targets.ApiDestination(this.destination, { ...CRM_WEBHOOK_TARGET_RETRY, deadLetterQueue: this.deadLetterQueue })],
    });

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'CSQL promotions did not reach the CRM webhook within a day of retries and were parked in its dead-letter queue: ' +
        'the CRM has not heard of these accounts. Fix the endpoint or the key, then replay the window from the bus archive ' +
        '(docs/csql-event.md) and purge the queue.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
