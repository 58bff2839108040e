/**
 * The pipeline's CloudWatch metrics (EMF, written by Powertools Metrics from the handlers), named
 * once for the handlers that emit them and for the stack that alarms on them and draws the
 * dashboard. Plain constants: the CDK app imports this file, and must not pull the Lambda
 * runtime's dependencies in with it. Counts only: no address or token ever becomes a dimension.
 */
import { SENDER_SERVICE_NAME } from '../sender/sender-metrics.ts';

export { senderMetricsNamespace as pipelineMetricsNamespace } from '../sender/sender-metrics.ts';

/** POWERTOOLS_SERVICE_NAME of each function; Powertools Metrics adds it as the `service` dimension. */
export const SERVICE_NAMES = {
  dispatcher: 'nurture-engine-dispatcher',
  sender: SENDER_SERVICE_NAME,
  tracking: 'nurture-engine-tracking',
  ingest: 'nurture-engine-ingest',
  sesEvents: 'nurture-engine-ses-events',
  zoomWebhook: 'nurture-engine-zoom-webhook',
  webinarEvents: 'nurture-engine-webinar-events',
  dashboard: 'nurture-engine-dashboard',
  kpiCounters: 'nurture-engine-kpi-counters',
} as const;

export const PIPELINE_METRICS = {
  /** Send requests put on the send queue (campaign runs, sequence steps, released deferrals). Dispatcher. */
  emailsQueued: 'EmailsQueued',
  /** Accepted by SES. Sender. */
  emailsSent: 'EmailsSent',
  /** Refused for good (SES rejected that email): it will not go out. Sender. */
  emailsFailed: 'EmailsFailed',
  /** Returned to the queue for a retry (SES throttling, a timeout before the claim). Sender. */
  emailsThrottled: 'EmailsThrottled',
  /** Not sent by a guardrail (suppressed, opted out, capped, ...), dimension `reason`. Dispatcher and sender. */
  emailsSkipped: 'EmailsSkipped',
  /**
   * Claims found abandoned by a dead worker (stranded-claims.ts): nobody knows whether SES took the
   * email, so ops decide with `npm run sends -- stranded`. An alarm fires on any. Sender.
   */
  emailsStranded: 'EmailsStranded',
  /** Parked for quiet hours, a send window or a pause. Dispatcher. */
  emailsDeferred: 'EmailsDeferred',
  /** Parked by the pause switch instead of being queued (dispatcher) or sent (sender): a paused stage shows here. */
  emailsPaused: 'EmailsPaused',
  /** SES events received, dimension `type` (Delivery, Bounce, Complaint, ...; `Malformed` for rejected ones). SES events. */
  sesEvents: 'SesEvents',
  /** Scopes (a campaign, or all sending) the reputation guard paused: an alarm fires on any. KPI counters. */
  sendingAutoPaused: 'SendingAutoPaused',
  /** Opens and clicks newly recorded, dimension `by`: `people` or `machine` (scanners, image proxies). Tracking. */
  opens: 'Opens',
  clicks: 'Clicks',
  /**
   * Zoom webhooks processed off the webinar queue, dimension `outcome` (registered, joined, left,
   * ended, rescheduled, cancelled, unknown-webinar, ..., and `failed` for one returned to the queue). Webinar events.
   */
  webinarEvents: 'WebinarEvents',
  /** Registrants of no known contact joined to a contact imported since. Dispatcher (webinar sweep). */
  webinarRegistrantsMatched: 'WebinarRegistrantsMatched',
  /** Sessions finalized by the sweep because their follow-ups were due and no end signal came. Dispatcher (webinar sweep). */
  webinarSessionsFinalized: 'WebinarSessionsFinalized',
  /** Outbox events (CSQL promotions and demotions) put on the event bus and taken off the outbox. Dispatcher (publish-events). */
  csqlEventsPublished: 'CsqlEventsPublished',
  /** Outbox events the bus refused in a run: they stay in the outbox and are retried every minute. Dispatcher (publish-events). */
  csqlEventsFailed: 'CsqlEventsFailed',
  /** Accounts promoted to CSQL in a run. Dispatcher (qualify). */
  csqlPromotions: 'CsqlPromotions',
  /** Accounts demoted from CSQL in a run (rules no longer met, expiry, rejected by sales). Dispatcher (qualify). */
  csqlDemotions: 'CsqlDemotions',
} as const;

export const SKIP_REASON_DIMENSION = 'reason';
export const SES_EVENT_TYPE_DIMENSION = 'type';
export const ENGAGED_BY_DIMENSION = 'by';
export const WEBINAR_OUTCOME_DIMENSION = 'outcome';
export const ENGAGED_BY_VALUES = ['people', 'machine'] as const;
