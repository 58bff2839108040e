/**
 * SES events function: an EventBridge rule on the default bus (`source: aws.ses`, the SES
 * configuration set's event destination) invokes it with one SES event. It parses the event,
 * records it once against its send and suppresses hard-bounced, complaining and unsubscribing
 * addresses.
 *
 * A malformed event (or one whose detail-type disagrees with its type) is logged with its reason
 * and dropped (no write, no throw): retrying cannot fix it. A type the engine does not ingest
 * (Open, Click, a later one) is acknowledged at info level. A store failure throws, so the
 * asynchronous invocation is retried and then goes to the function's failure destination; every
 * write is idempotent, so a retry is safe. Each event counts once in the SesEvents metric by its
 * SES type (a redelivery not again), for the pipeline dashboard.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { parseSesEventBridgeEvent } from '../../core/tracking/ses-events/ses-event.ts';
import { ignored, recordSesEvent, type SesEventDeps, type SesEventOutcome } from '../../core/tracking/ses-events/record-ses-event.ts';
import { addCountsBy, publishCounts } from '../runtime/metric-counts.ts';
import { PIPELINE_METRICS, SES_EVENT_TYPE_DIMENSION } from '../runtime/pipeline-metrics.ts';
import { logger, metrics, sesEventsRuntime } from './composition.ts';

export interface SesEventsHandlerDeps {
  /** Resolved only for a well-formed event of an ingested type: garbage costs no cold-start work. */
  stores: () => Promise<SesEventDeps>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Told the SES type of each event handled (`Malformed` for a rejected one), unless it was a redelivery. */
  countEvent?: (type: string) => void;
}

/** The dimension value of a rejected event: it has no trustworthy type. */
export const MALFORMED_SES_EVENT = 'Malformed';

export function createSesEventsHandler(deps: SesEventsHandlerDeps): (event: unknown) => Promise<SesEventOutcome> {
  return async (event) => {
    const parsed = parseSesEventBridgeEvent(event);
    if (parsed.outcome === 'rejected') {
      deps.logger.warn('SES event rejected', { outcome: 'rejected', reason: parsed.reason, eventBridgeId: eventBridgeIdOf(event) });
      deps.countEvent?.(MALFORMED_SES_EVENT);
      return { outcome: 'rejected', reason: parsed.reason };
    }
    const outcome = parsed.outcome === 'ignored' ? ignored(parsed.type) : await recordSesEvent(parsed.event, await deps.stores());
    log(deps.logger, outcome);
    // SES spells one type two ways ('Rendering Failure', 'RenderingFailure'): one series.
    if (outcome.outcome !== 'duplicate') deps.countEvent?.((parsed.outcome === 'ignored' ? parsed.type : parsed.event.eventType).replace(/\s+/g, ''));
    return outcome;
  };
}

/** One line per event, ids and counts only (outcomes carry no address). */
function log(logger: SesEventsHandlerDeps['logger'], outcome: SesEventOutcome): void {
  const fields = { ...outcome };
  switch (outcome.outcome) {
    case 'unknown-message':
      logger.warn('SES event for an email this engine did not send (no trusted tags, no send with that message id): dropped', fields);
      return;
    case 'unplaced':
      logger.warn('SES event suppresses addresses of an email this engine cannot place: suppressed, filed by address without a send', fields);
      return;
    case 'ignored':
      logger.info('SES event ignored', fields);
      return;
    case 'rejected':
      logger.warn('SES event rejected', fields);
      return;
    case 'recorded':
    case 'duplicate':
    case 'unsubscribed':
      if ('refusedTag' in outcome && outcome.refusedTag) logger.warn('SES event tags not trusted (a value our encoder cannot have written): joined by message id', fields);
      else logger.info('SES event', fields);
  }
}

const handleEvent = createSesEventsHandler({
  stores: sesEventsRuntime,
  logger,
  countEvent: (type) => addCountsBy(metrics, PIPELINE_METRICS.sesEvents, SES_EVENT_TYPE_DIMENSION, new Map([[type, 1]])),
});

export async function handler(event: unknown): Promise<SesEventOutcome> {
  try {
    return await handleEvent(event);
  } finally {
    publishCounts(metrics);
  }
}

function eventBridgeIdOf(event: unknown): string | undefined {
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 64) : undefined;
}
