/**
 * Use case: release parked sends whose time has come (quiet hours over, send window open, a pause
 * lifted). Queued first, removed second: a crash in between queues them again, and the sender's
 * claim makes the second copy a no-op. A due send whose campaign (or all sending) is still paused
 * stays parked, looked at again a few minutes later. Runs every minute (EventBridge Scheduler /
 * local scheduler).
 *
 * Bounded: a page per due-index shard at a time (the shards read together), and no checkpoint is needed because
 * every page handled leaves the due range (released ones are removed, paused ones re-parked
 * later). With a time budget (Lambda's remaining time) it stops before the invocation's limit;
 * what is left is still due and goes on the next run.
 */
import type { Clock, SendingPauseStore, SendQueue, SendStore } from '../ports.ts';
import { messageIdOf } from './send-request.ts';
import { pauseOf, PAUSED_RECHECK_MS } from './sending-pause.ts';

const PAGE = 500;

/** Stop when less than this is left of the invocation: a page takes well under a second. */
export const RELEASE_TIME_RESERVE_MS = 30_000;

export interface ReleaseOptions {
  /** Milliseconds left in this invocation; absent, no limit. */
  timeLeftMs?: () => number;
}

export async function releaseDeferredSends(
  deps: { sends: SendStore; pauses: Pick<SendingPauseStore, 'listPauses'>; queue: SendQueue; clock: Clock },
  options: ReleaseOptions = {},
): Promise<number> {
  let released = 0;
  const pauses = await deps.pauses.listPauses();
  // Every shard's first page at once; a shard whose page came back full is read again.
  let open = Array.from({ length: deps.sends.deferredShards }, (_, shard) => shard);
  while (open.length > 0) {
    if (options.timeLeftMs && options.timeLeftMs() < RELEASE_TIME_RESERVE_MS) return released;
    const now = deps.clock.now();
    const pages = await Promise.all(open.map((shard) => deps.sends.dueDeferredSendsOfShard(shard, now, PAGE)));
    const due = pages.flat();
    const paused = due.filter((entry) => pauseOf(pauses, messageIdOf(entry.request.source)) !== undefined);
    const ready = due.filter((entry) => !paused.includes(entry));
    // Re-parked later (same item, a later time), so they neither block the page nor get lost.
    if (paused.length > 0) await deps.sends.deferSends(paused.map((entry) => ({ ...entry, notBefore: new Date(now.getTime() + PAUSED_RECHECK_MS).toISOString() })));
    if (ready.length > 0) {
      await deps.queue.enqueue(ready.map((entry) => entry.request));
      await deps.sends.removeDeferredSends(ready);
      released += ready.length;
    }
    open = open.filter((_, index) => (pages[index]?.length ?? 0) === PAGE);
  }
  return released;
}
