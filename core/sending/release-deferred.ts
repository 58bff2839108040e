/**
 * Use case: release parked sends whose time has come (quiet hours over, send window open, a pause
 * lifted). Queued first, removed second: a crash in between queues them again, and the sender's
 * claim makes the second copy a no-op. A due send whose campaign (or all sending) is still paused
 * stays parked, looked at again a few minutes later. Runs every minute (EventBridge Scheduler /
 * local scheduler).
 *
 * Bounded: a page per due-index shard at a time (the shards read together), and no checkpoint is
 * needed because every page handled leaves the due range (released and over-cap ones are removed,
 * paused ones re-parked later). With a time budget (Lambda's remaining time) it stops before the
 * invocation's limit; what is left is still due and goes on the next run.
 *
 * Frequency caps are checked again here: a send parked overnight was within the caps when it was
 * dispatched, but other campaigns may have mailed the contact since (or are released in this same
 * sweep). Campaign and sequence sends over a cap are skipped with the reason `frequency-cap`, like
 * at dispatch. Webinar emails are not held by marketing caps (the person asked for them by
 * registering; docs/webinars.md), so they are released as they are.
 */
import type { Clock, SendingPauseStore, SendQueue, SendStore } from '../ports.ts';
import { mapBounded } from '../bounded-parallel.ts';
import { evaluateFrequencyCaps, longestCapWindowMs, type FrequencyCap } from './guardrails.ts';
import { messageIdOf, type DeferredSend, type SkippedSend } from './send-request.ts';
import { pauseOf, PAUSED_RECHECK_MS } from './sending-pause.ts';

const PAGE = 500;
const HISTORY_READ_CONCURRENCY = 16;

/** Stop when less than this is left of the invocation: a page takes well under a second. */
export const RELEASE_TIME_RESERVE_MS = 30_000;

export interface ReleaseOptions {
  /** Milliseconds left in this invocation; absent, no limit. */
  timeLeftMs?: () => number;
}

export interface ReleaseDeps {
  sends: Pick<SendStore, 'deferredShards' | 'dueDeferredSendsOfShard' | 'deferSends' | 'removeDeferredSends' | 'recordSkips' | 'sendTimesOfContactSince'>;
  pauses: Pick<SendingPauseStore, 'listPauses'>;
  queue: SendQueue;
  clock: Clock;
  /** The engine's frequency caps (guardrails.frequencyCaps); empty when none are configured. */
  caps: readonly FrequencyCap[];
}

export async function releaseDeferredSends(deps: ReleaseDeps, options: ReleaseOptions = {}): Promise<number> {
  let released = 0;
  const pauses = await deps.pauses.listPauses();
  // Bulk sends released by this sweep, per contact: they count against the caps of the next ones.
  const releasedNow = new Map<string, number>();
  // Every shard's first page at once; a shard whose page came back full is read again.
  let open = Array.from({ length: deps.sends.deferredShards }, (_, shard) => shard);
  while (open.length > 0) {
    if (options.timeLeftMs && options.timeLeftMs() < RELEASE_TIME_RESERVE_MS) return released;
    const now = deps.clock.now();
    const pages = await Promise.all(open.map((shard) => deps.sends.dueDeferredSendsOfShard(shard, now, PAGE)));
    const due = pages.flat();
    const paused = due.filter((entry) => pauseOf(pauses, messageIdOf(entry.request.source)) !== undefined);
    const unpaused = due.filter((entry) => !paused.includes(entry));
    // Re-parked later (same item, a later time), so they neither block the page nor get lost.
    if (paused.length > 0) await deps.sends.deferSends(paused.map((entry) => ({ ...entry, notBefore: new Date(now.getTime() + PAUSED_RECHECK_MS).toISOString() })));
    const { ready, overCap } = await checkCaps(unpaused, now, releasedNow, deps);
    if (overCap.length > 0) {
      await deps.sends.recordSkips(overCap.map(({ skip }) => skip));
      await deps.sends.removeDeferredSends(overCap.map(({ entry }) => entry));
    }
    if (ready.length > 0) {
      await deps.queue.enqueue(ready.map((entry) => entry.request));
      await deps.sends.removeDeferredSends(ready);
      released += ready.length;
    }
    open = open.filter((_, index) => (pages[index]?.length ?? 0) === PAGE);
  }
  return released;
}

async function checkCaps(
  entries: readonly DeferredSend[],
  now: Date,
  releasedNow: Map<string, number>,
  deps: ReleaseDeps,
): Promise<{ ready: DeferredSend[]; overCap: Array<{ entry: DeferredSend; skip: SkippedSend }> }> {
  const capped = (entry: DeferredSend) => deps.caps.length > 0 && entry.request.source.kind !== 'webinar';
  const since = new Date(now.getTime() - longestCapWindowMs(deps.caps));
  const contacts = [...new Set(entries.filter(capped).map((entry) => entry.request.contactId))];
  const history = new Map(await mapBounded(contacts, HISTORY_READ_CONCURRENCY, async (contactId) => [contactId, await deps.sends.sendTimesOfContactSince(contactId, since)] as const));
  const ready: DeferredSend[] = [];
  const overCap: Array<{ entry: DeferredSend; skip: SkippedSend }> = [];
  for (const entry of entries) {
    if (!capped(entry)) {
      ready.push(entry);
      continue;
    }
    const { contactId, accountId, runId, source } = entry.request;
    const recentSends = [...(history.get(contactId) ?? []), ...Array.from({ length: releasedNow.get(contactId) ?? 0 }, () => now)];
    const over = evaluateFrequencyCaps(recentSends, now, deps.caps);
    if (over) {
      overCap.push({ entry, skip: { campaignId: messageIdOf(source), runId, contactId, accountId, reason: over.reason, detail: over.detail, skippedAt: now.toISOString() } });
    } else {
      ready.push(entry);
      releasedNow.set(contactId, (releasedNow.get(contactId) ?? 0) + 1);
    }
  }
  return { ready, overCap };
}
