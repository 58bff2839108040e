/**
 * Webinar events function, fed by the webinar queue (SQS) with ReportBatchItemFailures: each record
 * is one Zoom webhook the webhook function verified and queued (core/webinars/zoom-delivery.ts).
 * Records are processed one after another (Powertools batch processor); one that fails goes back to
 * the queue alone and, after the queue's receive limit, to its dead-letter queue. Every use case
 * behind it is idempotent, so a redelivery changes nothing. Logs carry the SQS message id, the
 * outcome and the webinar and session ids, never an address or a name; each outcome counts in the
 * WebinarEvents metric.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ZoomSignalOutcome } from '../../core/webinars/process-zoom-signal.ts';
import type { WebinarDeps } from '../../core/webinars/register-for-webinar.ts';
import { processZoomDelivery } from '../../core/webinars/zoom-delivery.ts';
import { addCountsBy, publishCounts, tally } from '../runtime/metric-counts.ts';
import { PIPELINE_METRICS, WEBINAR_OUTCOME_DIMENSION } from '../runtime/pipeline-metrics.ts';
import { logger, metrics, webinarEventsRuntime } from './composition.ts';

/** The outcome dimension of a record that failed (returned to the queue). */
export const FAILED_OUTCOME = 'failed';

export interface WebinarEventsHandlerDeps {
  deps: () => Promise<WebinarDeps>;
  logger: Pick<Logger, 'info' | 'error'>;
  /** Told, once per batch, how many records had each outcome kind (`failed` for those returned to the queue). */
  countOutcomes?: (counts: ReadonlyMap<string, number>) => void;
  /** The use case (processZoomDelivery); replaceable in tests. */
  processDelivery?: (message: unknown, deps: WebinarDeps) => Promise<ZoomSignalOutcome>;
}

/**
 * `ended: 3 attended, 1 no-shows, ...` -> `ended`: a bounded dimension value. Outcomes name what
 * happened and carry ids and counts, never an address.
 */
export function outcomeKind(outcome: string): string {
  return outcome.split(':', 1)[0]?.trim() || 'unknown';
}

/**
 * An error as the log may show it. JSON.parse quotes the text it choked on, which may be a name or
 * an address, so its message is dropped; other messages (zod paths, ZoomPayloadError, AWS errors)
 * name paths and ids, and anything shaped like an address is masked all the same.
 */
export function loggableError(error: unknown): { errorName: string; error: string } {
  if (!(error instanceof Error)) return { errorName: typeof error, error: 'not an Error' };
  if (error instanceof SyntaxError) return { errorName: error.name, error: 'the queued delivery is not valid JSON' };
  // Bounded before masking: the pattern backtracks over long runs without an '@' (an unknown
  // 64 KB key in a queued delivery, quoted by zod, held the function for two minutes).
  return { errorName: error.name, error: error.message.slice(0, 500).replace(/[^\s"'<>@,;:()[\]\\]+@[^\s"'<>@,;:()[\]\\]+/gu, '[address]') };
}

export function createWebinarEventsHandler(handlerDeps: WebinarEventsHandlerDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processDelivery = handlerDeps.processDelivery ?? processZoomDelivery;
  const processor = new BatchProcessor(EventType.SQS);
  return async (event, context) => {
    const deps = await handlerDeps.deps();
    const outcomes: string[] = [];
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const ids = { messageId: record.messageId, receiveCount: Number(record.attributes.ApproximateReceiveCount) };
      try {
        const result = await processDelivery(record.body, deps);
        outcomes.push(outcomeKind(result.outcome));
        handlerDeps.logger.info('webinar event', { ...ids, ...result });
      } catch (error) {
        outcomes.push(FAILED_OUTCOME);
        handlerDeps.logger.error('webinar event failed: returned to the queue', { ...ids, ...loggableError(error) });
        throw error;
      }
    };
    try {
      // One after another: webhooks of one session (joins, leaves, its end) arrive together, and each
      // touches the session's state under a revision check; in parallel they would only retry each other.
      // A batch whose every record failed throws (FullBatchFailureError): the invocation fails, and alarms.
      return await processPartialResponse(event, handleRecord, processor, { context, processInParallel: false });
    } finally {
      handlerDeps.countOutcomes?.(tally(outcomes));
    }
  };
}

const handleBatch = createWebinarEventsHandler({
  deps: webinarEventsRuntime,
  logger,
  countOutcomes: (counts) => addCountsBy(metrics, PIPELINE_METRICS.webinarEvents, WEBINAR_OUTCOME_DIMENSION, counts),
});

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  try {
    return await handleBatch(event, context);
  } finally {
    publishCounts(metrics);
  }
}
