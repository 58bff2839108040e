/**
 * Use case: release parked sends whose time has come (quiet hours over, send window open).
 * Queued first, removed second: a crash in between queues them again, and the sender's claim
 * makes the second copy a no-op. Runs every few minutes (EventBridge Scheduler / local scheduler).
 */
import type { Clock, SendQueue, SendStore } from '../ports.ts';

const PAGE = 500;

export async function releaseDeferredSends(deps: { sends: SendStore; queue: SendQueue; clock: Clock }): Promise<number> {
  let released = 0;
  for (;;) {
    const due = await deps.sends.listDueDeferredSends(deps.clock.now(), PAGE);
    if (due.length === 0) return released;
    await deps.queue.enqueue(due.map((entry) => entry.request));
    await deps.sends.removeDeferredSends(due);
    released += due.length;
    if (due.length < PAGE) return released;
  }
}
