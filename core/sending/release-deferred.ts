/**
 * Use case: release parked sends whose time has come (quiet hours over, send window open, a pause
 * lifted). Queued first, removed second: a crash in between queues them again, and the sender's
 * claim makes the second copy a no-op. A due send whose campaign (or all sending) is still paused
 * stays parked, looked at again a few minutes later. Runs every few minutes (EventBridge
 * Scheduler / local scheduler).
 */
import type { Clock, SendingPauseStore, SendQueue, SendStore } from '../ports.ts';
import { messageIdOf } from './send-request.ts';
import { pauseOf, PAUSED_RECHECK_MS } from './sending-pause.ts';

const PAGE = 500;

export async function releaseDeferredSends(deps: { sends: SendStore; pauses: Pick<SendingPauseStore, 'listPauses'>; queue: SendQueue; clock: Clock }): Promise<number> {
  let released = 0;
  const pauses = await deps.pauses.listPauses();
  for (;;) {
    const now = deps.clock.now();
    const due = await deps.sends.listDueDeferredSends(now, PAGE);
    if (due.length === 0) return released;
    const paused = due.filter((entry) => pauseOf(pauses, messageIdOf(entry.request.source)) !== undefined);
    const ready = due.filter((entry) => !paused.includes(entry));
    // Re-parked later (same item, a later time), so they neither block the page nor get lost.
    if (paused.length > 0) await deps.sends.deferSends(paused.map((entry) => ({ ...entry, notBefore: new Date(now.getTime() + PAUSED_RECHECK_MS).toISOString() })));
    if (ready.length > 0) {
      await deps.queue.enqueue(ready.map((entry) => entry.request));
      await deps.sends.removeDeferredSends(ready);
      released += ready.length;
    }
    if (due.length < PAGE) return released;
  }
}
