/**
 * Sender function, fed by the send queue (SQS) with ReportBatchItemFailures: only the records
 * whose email SES certainly did not accept come back for a retry. Each instance keeps
 * MaxSendRate / SENDER_CONCURRENCY, so all instances together stay within the SES quota.
 * Each batch's outcomes become metrics (sent, failed, throttled, skipped by reason); a batch
 * halted because SES refused the account counts in the SesAccountLevelErrors metric, which the
 * stack alarms on (docs/sending.md: account-level SES errors).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { systemClock } from '../../adapters/local/system-clock.ts';
import type { SendStore } from '../../core/ports.ts';
import { processSendBatch, type SendOutcome } from '../../core/sending/send-emails.ts';
import { SendRateLimiter } from '../../core/sending/send-rate-limiter.ts';
import { coreLog } from '../runtime/core-log.ts';
import { addCount, addCountsBy, publishCounts, tally } from '../runtime/metric-counts.ts';
import { PIPELINE_METRICS, SKIP_REASON_DIMENSION } from '../runtime/pipeline-metrics.ts';
import { logger, metrics, senderRuntime } from './composition.ts';
import { SES_ACCOUNT_LEVEL_ERRORS_METRIC } from './sender-metrics.ts';

const timer = { now: () => performance.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
let rateLimiter: SendRateLimiter | undefined;

/** Stop claiming new emails this long before the function times out; the rest go back to the queue. */
const SAFETY_MARGIN_MS = 15_000;

/** Outcomes that are metrics of their own; skips are counted by reason from the skip records. */
const OUTCOME_METRICS: Partial<Record<SendOutcome, string>> = {
  sent: PIPELINE_METRICS.emailsSent,
  failed: PIPELINE_METRICS.emailsFailed,
  retry: PIPELINE_METRICS.emailsThrottled,
  paused: PIPELINE_METRICS.emailsPaused,
  stranded: PIPELINE_METRICS.emailsStranded,
  // Another worker holds the claim: back to the queue like a throttled one.
  'claimed-elsewhere': PIPELINE_METRICS.emailsThrottled,
};

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const runtime = await senderRuntime();
  rateLimiter ??= new SendRateLimiter((await runtime.mailer.maxSendRate()) / runtime.concurrency, timer, runtime.burstSeconds);
  // The outcome says 'skipped'; the reason is in the skip record the use case writes, so count it there.
  const skipReasons: string[] = [];
  const sends: SendStore = Object.create(runtime.store.sends, {
    recordSkips: {
      value: async (skips: Parameters<SendStore['recordSkips']>[0]) => {
        await runtime.store.sends.recordSkips(skips);
        skipReasons.push(...skips.map((skip) => skip.reason));
      },
    },
  }) as SendStore;
  const result = await processSendBatch(
    event.Records.map((record) => ({ id: record.messageId, body: record.body })),
    {
      config: runtime.config,
      customers: runtime.store.customers,
      sends,
      strandedClaims: runtime.store.strandedClaims,
      suppressions: runtime.store.suppressions,
      pauses: runtime.store.pauses,
      webinars: runtime.store.webinars,
      mailer: runtime.mailer,
      compiler: runtime.compiler,
      clock: systemClock,
      rateLimiter,
      links: { baseUrl: runtime.linkBaseUrl, tokenSecret: runtime.linkSecret },
      // A timeout between claim and SES would strand the claim: stop early instead.
      shouldStop: () => context.getRemainingTimeInMillis() < SAFETY_MARGIN_MS,
      newClaimToken: runtime.newClaimToken,
      sleep: timer.sleep,
      log: coreLog(logger, 'sender'),
    },
  );
  const outcomes = tally(result.outcomes.values());
  for (const [outcome, name] of Object.entries(OUTCOME_METRICS)) addCount(metrics, name, outcomes.get(outcome as SendOutcome) ?? 0);
  addCountsBy(metrics, PIPELINE_METRICS.emailsSkipped, SKIP_REASON_DIMENSION, tally(skipReasons));
  if (result.halted) {
    // No cool-down in the container: the halted batch cost one SES call, and returned records come
    // back only after the queue's visibility timeout, so retries are already spaced (docs/sending.md).
    metrics.addMetadata('errorName', result.halted.errorName);
    metrics.addMetric(SES_ACCOUNT_LEVEL_ERRORS_METRIC, MetricUnit.Count, 1);
  }
  publishCounts(metrics);
  logger.info('send batch', { records: event.Records.length, outcomes: Object.fromEntries(outcomes) });
  return { batchItemFailures: result.retryIds.map((itemIdentifier) => ({ itemIdentifier })) };
}
