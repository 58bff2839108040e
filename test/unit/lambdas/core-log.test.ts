/**
 * The core's log entries keep their level on the way to Powertools: an ERROR from the sender is
 * an error in CloudWatch (where searches and alarms look), not an info line that lost its message.
 */
import { describe, expect, it } from 'vitest';
import { coreLog } from '../../../lambdas/runtime/core-log.ts';

function recordingLogger() {
  const lines: Array<{ level: string; message: string; attributes: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, attributes: Record<string, unknown>) => void lines.push({ level, message, attributes });
  return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info') } };
}

describe('coreLog', () => {
  it('sends ERROR to error, WARN to warn and anything else to info, with the entry message as the message', () => {
    const { lines, logger } = recordingLogger();
    const log = coreLog(logger, 'sender');
    log({ level: 'ERROR', message: 'batch halted', errorName: 'SendingPausedException' });
    log({ level: 'WARN', message: 'slow store', ms: 900 });
    log({ level: 'INFO', message: 'resumed' });
    log({ recordId: 'r1' });
    expect(lines).toEqual([
      { level: 'error', message: 'batch halted', attributes: { source: 'sender', errorName: 'SendingPausedException' } },
      { level: 'warn', message: 'slow store', attributes: { source: 'sender', ms: 900 } },
      { level: 'info', message: 'resumed', attributes: { source: 'sender' } },
      { level: 'info', message: 'sender', attributes: { source: 'sender', recordId: 'r1' } },
    ]);
  });
});
