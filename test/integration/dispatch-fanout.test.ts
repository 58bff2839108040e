/**
 * A campaign run fanned out over the contact listing's shards on DynamoDB Local: 3,000 contacts
 * (some suppressed, some without consent, some opted out of the topic), the run killed after a few
 * pages (the process dies between queueing a page and saving its checkpoint), then resumed: every
 * contact who may be emailed is queued, redone contacts are at most one page per shard, and the
 * run's counts (audience, queued, skipped by reason) equal those of an uninterrupted run and of
 * the contacts themselves. Also: the listing streams each shard once, page by page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoContactListing } from '../../adapters/aws/dynamo/contact-listing.ts';
import { firstImportItemsOf } from '../../adapters/aws/dynamo/customer-store.ts';
import { batchWrite, DynamoTable } from '../../adapters/aws/dynamo/dynamo-table.ts';
import { shardOf } from '../../adapters/aws/dynamo/table-design.ts';
import { mapBounded } from '../../core/bounded-parallel.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import type { Account } from '../../core/customers/account.ts';
import type { Contact } from '../../core/customers/contact.ts';
import type { ContactListing, DispatchProgressStore } from '../../core/ports.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { RecordingSendQueue } from '../support/memory-dispatch.ts';
import { openConfig } from '../support/sending-fixtures.ts';

const CONTACTS = 3_000;
const PAGE = 100;
const KILL_AFTER_PAGES = 9;

let table: TestTable;
let config: EngineConfig;
let campaign: Campaign;
const contacts: Contact[] = [];
const now = new Date('2026-12-02T01:00:00Z');
const clock = { now: () => now };


beforeAll(async () => {
  table = await createTestTable('dispatch-fanout');
  ({ config, campaign } = await openConfig());
  const accounts: Account[] = Array.from({ length: 30 }, (_, index) => ({ accountId: `a${index}`, name: `Account ${index}`, tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }));
  for (let index = 0; index < CONTACTS; index++) {
    contacts.push({
      contactId: `c${String(index).padStart(5, '0')}`,
      accountId: `a${index % 30}`,
      email: `c${index}@example.com`,
      firstName: 'A',
      lastName: 'B',
      locale: 'en',
      timeZone: 'Asia/Tokyo',
      consent: index % 11 === 5 ? 'withdrawn' : 'granted',
      topicsOptedOut: index % 13 === 7 ? [campaign.topic] : [],
    });
  }
  const items = firstImportItemsOf({ accounts, contacts }, now);
  const chunks: (typeof items)[] = [];
  for (let start = 0; start < items.length; start += 250) chunks.push(items.slice(start, start + 250));
  const writer = new DynamoTable(table.client, table.tableName);
  await mapBounded(chunks, 8, (chunk) => batchWrite(writer, chunk.map((Item) => ({ PutRequest: { Item } }))));
  for (let index = 0; index < CONTACTS; index += 97) {
    await table.store.suppressions.suppress({ email: `c${index}@example.com`, reason: 'hard-bounce', suppressedAt: now.toISOString(), source: 'test' });
  }
}, 180_000);
afterAll(async () => {
  await table.drop();
});

/** Every contact id the listing yields, shard by shard and page by page; `check` sees each page. */
async function listEveryShard(listing: ContactListing, pageSize: number, check: (shard: number, page: readonly Contact[]) => void = () => {}): Promise<string[]> {
  const seen: string[] = [];
  for (let shard = 0; shard < listing.shards; shard++) {
    let cursor: string | undefined;
    do {
      const page = await listing.page(shard, cursor, pageSize);
      check(shard, page.contacts);
      seen.push(...page.contacts.map((contact) => contact.contactId));
      cursor = page.cursor;
    } while (cursor);
  }
  return seen;
}

/** Who the guardrails let through, and why the others are skipped, from the contacts themselves. */
function expected(): { queued: Set<string>; counts: Record<string, number> } {
  const counts: Record<string, number> = { audience: CONTACTS, queued: 0, deferred: 0 };
  const queued = new Set<string>();
  const skip = (reason: string) => (counts[`skipped:${reason}`] = (counts[`skipped:${reason}`] ?? 0) + 1);
  for (const [index, contact] of contacts.entries()) {
    if (index % 97 === 0) skip('suppressed');
    else if (contact.consent !== 'granted') skip('no-consent');
    else if (contact.topicsOptedOut.length > 0) skip('topic-opted-out');
    else queued.add(contact.contactId);
  }
  counts.queued = queued.size;
  return { queued, counts };
}

describe('campaign run fan-out on DynamoDB Local', () => {
  it('lists every contact exactly once over the shards, a page at a time', async () => {
    const seen = await listEveryShard(table.store.contactListing, 250, (shard, page) => {
      expect(page.length).toBeLessThanOrEqual(250);
      for (const contact of page) expect(shardOf(contact.contactId)).toBe(shard);
    });
    expect(seen.length).toBe(CONTACTS);
    expect(new Set(seen)).toEqual(new Set(contacts.map((contact) => contact.contactId)));
  });

  it('after CONTACT_LIST_SHARDS is raised, reading more shards than the contacts were written with still lists each exactly once', async () => {
    const seen = await listEveryShard(new DynamoContactListing(new DynamoTable(table.client, table.tableName), 32), 1000);
    expect(seen.length).toBe(CONTACTS);
    expect(new Set(seen).size).toBe(CONTACTS);
  });

  it('an uninterrupted run queues each contact who may be emailed once, with exact counts', async () => {
    const queue = new RecordingSendQueue();
    const scheduledFor = new Date('2026-12-01T00:00:00Z');
    const outcome = await dispatchCampaignRun(campaign, scheduledFor, { ...table.store, runs: table.store.campaignRuns, config, queue, clock }, { pageSize: PAGE });
    const { queued, counts } = expected();
    expect(outcome).toMatchObject({ outcome: 'dispatched', counts });
    expect(queue.contactIds.length).toBe(queued.size);
    expect(new Set(queue.contactIds)).toEqual(queued);
    expect(await table.store.campaignRuns.getRun(campaign.id, outcome.runId)).toMatchObject({ state: 'dispatched', counts, shards: table.store.contactListing.shards });
  }, 180_000);

  it('killed after a few pages (queued, not checkpointed), then resumed: everyone queued, at most one page redone per shard, exact counts', async () => {
    const queue = new RecordingSendQueue();
    const progress = table.store.dispatchProgress;
    let killed = false;
    let saved = 0;
    // The process dies right after queueing a page, before its checkpoint: the worst place.
    const dying: DispatchProgressStore = {
      ...progress,
      shardProgress: (...args) => progress.shardProgress(...args),
      listShardProgress: (...args) => progress.listShardProgress(...args),
      savePage: async (next) => {
        if (killed || saved >= KILL_AFTER_PAGES) {
          killed = true;
          throw new Error('killed');
        }
        saved++;
        return progress.savePage(next);
      },
    };
    const deps = { ...table.store, runs: table.store.campaignRuns, config, queue, clock };
    await expect(dispatchCampaignRun(campaign, now, { ...deps, dispatchProgress: dying }, { pageSize: PAGE })).rejects.toThrow('killed');
    const run = await table.store.campaignRuns.getRun(campaign.id, '20261202T010000Z');
    expect(run?.state).toBe('dispatching');
    const queuedBeforeKill = queue.contactIds.length;
    expect(queuedBeforeKill).toBeGreaterThan(0);

    const resumed = await dispatchCampaignRun(campaign, now, deps, { pageSize: PAGE });
    const { queued, counts } = expected();
    expect(resumed).toMatchObject({ outcome: 'dispatched', counts });
    expect(new Set(queue.contactIds)).toEqual(queued);
    const times = new Map<string, number>();
    for (const contactId of queue.contactIds) times.set(contactId, (times.get(contactId) ?? 0) + 1);
    const redonePerShard = new Map<number, number>();
    for (const [contactId, count] of times) if (count > 1) redonePerShard.set(shardOf(contactId), (redonePerShard.get(shardOf(contactId)) ?? 0) + count - 1);
    const redone = [...redonePerShard.values()].reduce((sum, count) => sum + count, 0);
    // Every shard was killed at most once, in one page: its redone contacts are at most that page.
    for (const count of redonePerShard.values()) expect(count).toBeLessThanOrEqual(PAGE);
    expect(redone).toBe(queue.contactIds.length - queued.size);
    // The kill did land after some queueing that was then redone.
    expect(redone).toBeGreaterThan(0);
    // A third invocation of the dispatched run does nothing.
    expect(await dispatchCampaignRun(campaign, now, deps, { pageSize: PAGE })).toEqual({ outcome: 'already-dispatched', runId: resumed.runId });
  }, 300_000);
});
