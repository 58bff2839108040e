/**
 * The bridge from the core's structured log entries (`{ level, message, ...ids }`) to the
 * Powertools logger. The core chooses the level; this keeps it, so an ERROR from the sender
 * reaches logger.error (and the alarms and searches built on it) instead of being filed as info.
 */
import type { Logger } from '@aws-lambda-powertools/logger';

export type CoreLogEntry = Record<string, unknown>;

/**
 * A `log` callback for a use case's deps. `source` names the use case and is the message when an
 * entry has none. `level` and `message` are Powertools' own keys (it drops them from extra
 * attributes with a warning), so they become the call and its message rather than attributes.
 */
export function coreLog(logger: Pick<Logger, 'error' | 'warn' | 'info'>, source: string): (entry: CoreLogEntry) => void {
  return (entry) => {
    const { level, message, ...attributes } = entry;
    const text = typeof message === 'string' && message ? message : source;
    const extra = { source, ...attributes };
    const severity = typeof level === 'string' ? level.toUpperCase() : undefined;
    if (severity === 'ERROR') logger.error(text, extra);
    else if (severity === 'WARN' || severity === 'WARNING') logger.warn(text, extra);
    else logger.info(text, extra);
  };
}
