/**
 * Sender function, fed by the send queue (SQS) with ReportBatchItemFailures: only the records
 * whose email SES certainly did not accept come back for a retry. Each instance keeps
 * MaxSendRate / SENDER_CONCURRENCY, so all instances together stay within the SES quota.
 * A batch halted because SES refused the account counts in the SesAccountLevelErrors metric,
 * which the stack alarms on (docs/sending.md: account-level SES errors).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { SendRateLimiter } from '../../core/sending/send-rate-limiter.ts';
import { lambdaRuntime, logger, systemClock } from '../runtime/composition.ts';
import { coreLog } from '../runtime/core-log.ts';
import { SES_ACCOUNT_LEVEL_ERRORS_METRIC } from './sender-metrics.ts';

const timer = { now: () => performance.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
let rateLimiter: SendRateLimiter | undefined;
/** Namespace and service dimension from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME (set in infra/). */
const metrics = new Metrics();

/** Stop claiming new emails this long before the function times out; the rest go back to the queue. */
const SAFETY_MARGIN_MS = 15_000;

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const runtime = await lambdaRuntime();
  rateLimiter ??= new SendRateLimiter((await runtime.mailer.maxSendRate()) / runtime.env.SENDER_CONCURRENCY, timer);
  const result = await processSendBatch(
    event.Records.map((record) => ({ id: record.messageId, body: record.body })),
    {
      config: runtime.config,
      customers: runtime.store.customers,
      sends: runtime.store.sends,
      suppressions: runtime.store.suppressions,
      mailer: runtime.mailer,
      compiler: await runtime.compiler(),
      clock: systemClock,
      rateLimiter,
      links: { baseUrl: runtime.env.LINK_BASE_URL, tokenSecret: await runtime.linkSecret() },
      // A timeout between claim and SES would strand the claim: stop early instead.
      shouldStop: () => context.getRemainingTimeInMillis() < SAFETY_MARGIN_MS,
      newClaimToken: runtime.newClaimToken,
      sleep: timer.sleep,
      log: coreLog(logger, 'sender'),
    },
  );
  if (result.halted) {
    // No cool-down in the container: the halted batch cost one SES call, and returned records come
    // back only after the queue's visibility timeout, so retries are already spaced (docs/sending.md).
    metrics.addMetadata('errorName', result.halted.errorName);
    metrics.addMetric(SES_ACCOUNT_LEVEL_ERRORS_METRIC, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }
  logger.info('send batch', { records: event.Records.length, outcomes: Object.fromEntries([...result.outcomes.values()].reduce((counts, outcome) => counts.set(outcome, (counts.get(outcome) ?? 0) + 1), new Map<string, number>())) });
  return { batchItemFailures: result.retryIds.map((itemIdentifier) => ({ itemIdentifier })) };
}
