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
 * write is idempotent, so a retry is safe.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { parseSesEventBridgeEvent } from '../../core/tracking/ses-events/ses-event.ts';
import { ignored, recordSesEvent, type SesEventDeps, type SesEventOutcome } from '../../core/tracking/ses-events/record-ses-event.ts';
import { lambdaRuntime, logger } from '../runtime/composition.ts';

export interface SesEventsHandlerDeps {
  /** Resolved only for a well-formed event of an ingested type: garbage costs no cold-start work. */
  stores: () => Promise<SesEventDeps>;
  logger: Pick<Logger, 'info' | 'warn'>;
}

export function createSesEventsHandler(deps: SesEventsHandlerDeps): (event: unknown) => Promise<SesEventOutcome> {
  return async (event) => {
    const parsed = parseSesEventBridgeEvent(event);
    if (parsed.outcome === 'rejected') {
      deps.logger.warn('SES event rejected', { outcome: 'rejected', reason: parsed.reason, eventBridgeId: eventBridgeIdOf(event) });
      return { outcome: 'rejected', reason: parsed.reason };
    }
    const outcome = parsed.outcome === 'ignored' ? ignored(parsed.type) : await recordSesEvent(parsed.event, await deps.stores());
    log(deps.logger, outcome);
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

export const handler = createSesEventsHandler({
  stores: async () => {
    const runtime = await lambdaRuntime();
    const { store, config } = runtime;
    return { sends: store.sends, engagement: store.engagement, suppressions: store.suppressions, customers: store.customers, topics: config.topics, tagSecret: await runtime.linkSecret() };
  },
  logger,
});

function eventBridgeIdOf(event: unknown): string | undefined {
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 64) : undefined;
}
