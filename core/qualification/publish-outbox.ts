/**
 * Use case: publish the outbox. Events that leave the engine (`AccountQualifiedAsCsql`,
 * `AccountCsqlDemoted`) are written in the same transaction as the state change they announce
 * (CsqlStore.promote / demote); this job drains what is not published yet, page by page, hands it
 * to the bus and takes off the outbox only what the bus took. Published first, marked second: a
 * crash (or a failed mark) in between publishes the entry again on the next run, so every event is
 * delivered at least once and never lost. Receivers dedupe by `detail.eventId` (docs/csql-event.md).
 * Runs every minute (EventBridge Scheduler -> dispatcher `{ job: 'publish-events' }`).
 */
import type { CsqlStore, EventBus } from '../ports.ts';
import type { OutboxEntry } from './csql-promotion.ts';

export interface PublishOutboxDeps {
  csql: Pick<CsqlStore, 'listUnpublished' | 'markPublished'>;
  bus: EventBus;
}

export interface PublishOutboxResult {
  /** Entries the bus took and that are now off the outbox. */
  published: number;
  /** Entries the bus refused in this run: they stay in the outbox for the next one. */
  failed: number;
  failedIds: string[];
}

/**
 * A run stops after this many pages, so one run stays well inside the dispatcher's timeout
 * whatever the backlog (promotions are rare: a page is the usual run). The rest waits a minute.
 */
export const MAX_PAGES_PER_RUN = 20;

/**
 * The event as it is published: the outbox entry with its idempotency key in the detail, first.
 * EventBridge gives every PutEvents entry an envelope `id` of its own (a re-publish gets a new
 * one), so the key receivers dedupe by has to travel inside `detail`.
 */
export function publishedForm(entry: OutboxEntry): OutboxEntry {
  // `eventId` first for readers of the JSON; the entry's id wins over any `eventId` already in the detail.
  return { ...entry, detail: Object.assign({ eventId: entry.id }, entry.detail, { eventId: entry.id }) };
}

/**
 * Publishes unpublished outbox entries, oldest first, `limit` per page. Entries the bus refuses
 * are left in the outbox; so that they do not block the entries behind them, each next page asks
 * for as many more as were refused in this run, and skips them. A page with nothing new ends the run.
 */
export async function publishOutbox(deps: PublishOutboxDeps, limit = 100): Promise<PublishOutboxResult> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`publishOutbox: limit must be a positive integer, got ${limit}`);
  // Ids handled in this run: refused ones are still in the outbox, and the outbox index may still
  // show the ones just marked for a moment (it is eventually consistent). Neither is sent twice in a run.
  const handled = new Set<string>();
  const failedIds: string[] = [];
  let published = 0;
  for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
    const asked = failedIds.length + limit;
    const pending = await deps.csql.listUnpublished(asked);
    const fresh = pending.filter((entry) => !handled.has(entry.id));
    if (fresh.length === 0) break;
    const refused = new Set((await deps.bus.publish(fresh.map(publishedForm))).failedIds);
    const taken = fresh.filter((entry) => !refused.has(entry.id)).map((entry) => entry.id);
    if (taken.length > 0) await deps.csql.markPublished(taken);
    for (const entry of fresh) handled.add(entry.id);
    published += taken.length;
    failedIds.push(...fresh.filter((entry) => refused.has(entry.id)).map((entry) => entry.id));
    // Fewer than asked: the outbox had nothing more when this page was read.
    if (pending.length < asked) break;
  }
  return { published, failed: failedIds.length, failedIds };
}
