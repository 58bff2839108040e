/**
 * SES events function: an EventBridge rule on the default bus (`source: aws.ses`, the SES
 * configuration set's event destination) invokes it with one SES event. It parses the event,
 * records it once against its send and suppresses hard-bounced and complaining addresses.
 *
 * A malformed or unsupported event is logged with its reason and dropped (no write, no throw):
 * retrying cannot fix it. A store failure throws, so the asynchronous invocation is retried and
 * then goes to the function's failure destination; every write is idempotent, so a retry is safe.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { parseSesEventBridgeEvent } from '../../core/tracking/ses-events/ses-event.ts';
import { recordSesEvent, type SesEventDeps, type SesEventOutcome } from '../../core/tracking/ses-events/record-ses-event.ts';
import { lambdaRuntime, logger } from '../runtime/composition.ts';

export interface SesEventsHandlerDeps {
  /** Resolved only for a well-formed event: garbage costs no cold-start work. */
  stores: () => Promise<SesEventDeps>;
  logger: Pick<Logger, 'info' | 'warn'>;
}

export function createSesEventsHandler(deps: SesEventsHandlerDeps): (event: unknown) => Promise<SesEventOutcome> {
  return async (event) => {
    const parsed = parseSesEventBridgeEvent(event);
    if (!parsed.success) {
      deps.logger.warn('SES event rejected', { outcome: 'rejected', reason: parsed.reason, eventBridgeId: eventBridgeIdOf(event) });
      return { outcome: 'rejected', reason: parsed.reason };
    }
    const outcome = await recordSesEvent(parsed.event, await deps.stores());
    if (outcome.outcome === 'unknown-message') {
      deps.logger.warn('SES event for an email this engine did not send (no tags, no send with that message id): dropped', outcome);
    } else {
      deps.logger.info('SES event', outcome);
    }
    return outcome;
  };
}

export const handler = createSesEventsHandler({
  stores: async () => {
    const { store } = await lambdaRuntime();
    return { sends: store.sends, engagement: store.engagement, suppressions: store.suppressions };
  },
  logger,
});

function eventBridgeIdOf(event: unknown): string | undefined {
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 64) : undefined;
}
