/**
 * The sender's own CloudWatch metrics (EMF, written by Powertools Metrics), named once for the
 * handler that emits them and the stack that alarms on them. Plain constants: the CDK app imports
 * this file, and must not pull the Lambda runtime's dependencies in with it.
 */

/** POWERTOOLS_SERVICE_NAME of the sender; Powertools Metrics adds it as the `service` dimension. */
export const SENDER_SERVICE_NAME = 'nurture-engine-sender';

/** One namespace per stage, so a dev stack's refusals never trip prod's alarm in a shared account. */
export function senderMetricsNamespace(stage: string): string {
  return `NurtureEngine/${stage}`;
}

/** Batches halted because SES refused the account (sending paused, access denied, ...): 1 per batch. */
export const SES_ACCOUNT_LEVEL_ERRORS_METRIC = 'SesAccountLevelErrors';
