/**
 * Usage events function: a rule on the engine's event bus hands it each `ProductUsageReported`
 * event (one usage record as `detail`). The record is parsed against the declared metrics, checked
 * against the store (known account; a contact of that account when one is named), stored, and,
 * when it names a contact, recorded as a `product-usage` signal through the engagement path.
 *
 * A refused event (malformed, unknown metric, unknown account or contact) is logged with the
 * problems by path and dropped: nothing is written and nothing is thrown, because EventBridge and
 * Lambda would only retry an event that cannot get better. Only infrastructure failures (the store,
 * the config) throw: Lambda retries the invocation, and what still fails lands in the dead-letter
 * queue (infra/usage-events.ts). Every step is idempotent, so a retry changes nothing twice.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import type { Clock, EngagementRecorder } from '../../core/ports.ts';
import { formatUsageProblems, ingestUsage, parseUsageEvent, recordUsageSignals, type UsageIntakeDeps } from '../../core/scoring/usage-event.ts';
import { logger, usageEventsRuntime } from './composition.ts';

export interface UsageEventsDeps extends UsageIntakeDeps {
  /** The usage metrics the config declares (`config.scoring.health.metrics`). */
  metrics: readonly string[];
  engagement: EngagementRecorder;
  clock: Clock;
}

export interface UsageEventsHandlerDeps {
  deps: () => Promise<UsageEventsDeps>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export type UsageEventOutcome =
  | { outcome: 'refused'; problems: number }
  | { outcome: 'stored' | 'duplicate'; accountId: string; signals: number };

/**
 * Log text with anything shaped like an address masked (refusals quote what the producer sent),
 * bounded first: the pattern backtracks over long runs without an '@'.
 */
const maskAddresses = (text: string) => text.slice(0, 2_000).replace(/[^\s"'<>@,;:()[\]\\]+@[^\s"'<>@,;:()[\]\\]+/gu, '[address]');

/** An error as the log may show it: its name and a bounded message, anything shaped like an address masked. */
function loggableError(error: unknown): { errorName: string; error: string } {
  if (!(error instanceof Error)) return { errorName: typeof error, error: 'not an Error' };
  return { errorName: error.name, error: maskAddresses(error.message.slice(0, 500)) };
}

export function createUsageEventsHandler(handlerDeps: UsageEventsHandlerDeps): (event: EventBridgeEvent<string, unknown>) => Promise<UsageEventOutcome> {
  return async (event) => {
    const ids = { eventId: (event as { id?: unknown }).id, source: (event as { source?: unknown }).source };
    try {
      const deps = await handlerDeps.deps();
      const parsed = parseUsageEvent(event, { metrics: deps.metrics, now: deps.clock.now() });
      if (!parsed.ok) {
        handlerDeps.logger.warn('usage event refused: malformed', { ...ids, problems: maskAddresses(formatUsageProblems(parsed.problems)) });
        return { outcome: 'refused', problems: parsed.problems.length };
      }
      const intake = await ingestUsage(parsed.usage, deps);
      if (!intake.ok) {
        handlerDeps.logger.warn('usage event refused: unknown account or contact', { ...ids, problems: maskAddresses(formatUsageProblems(intake.problems)) });
        return { outcome: 'refused', problems: intake.problems.length };
      }
      // Duplicates too: a retry after a failure between the two writes finishes the signal (stored once).
      const signals = await recordUsageSignals(intake.records, deps.engagement);
      const result = { outcome: intake.stored > 0 ? ('stored' as const) : ('duplicate' as const), accountId: intake.records[0]?.accountId ?? '', signals };
      handlerDeps.logger.info('usage event', { ...ids, ...result });
      return result;
    } catch (error) {
      handlerDeps.logger.error('usage event failed: Lambda retries it, then parks it in the dead-letter queue', { ...ids, ...loggableError(error) });
      throw error;
    }
  };
}

export const handler = createUsageEventsHandler({ deps: usageEventsRuntime, logger });
