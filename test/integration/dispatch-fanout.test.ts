/**
 * A campaign run fanned out on DynamoDB Local: 3,000 contacts (some suppressed, some without
 * consent, some opted out of the topic) over the 256-partition contact listing. With a small
 * contacts-per-worker setting, the run takes as many workers as its estimated contact count needs
 * (a second table with fewer contacts, some still under the old 8-shard listing keys, gets fewer)
 * and still queues everyone once with exact counts. The run killed after a few pages (the process
 * dies between queueing a page and saving its checkpoint), then resumed: every contact who may be
 * emailed is queued, redone contacts are at most one page per shard, and the run's counts
 * (audience, queued, skipped by reason) equal those of an uninterrupted run and of the contacts
 * themselves. Also: the listing streams each partition once, page by page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstImportItemsOf } from '../../adapters/aws/dynamo/customer-store.ts';
import { batchWrite, DynamoTable } from '../../adapters/aws/dynamo/dynamo-table.ts';
import { CONTACT_LIST_PARTITIONS, keys, LEGACY_CONTACT_LIST_SHARDS, shardOf } from '../../adapters/aws/dynamo/table-design.ts';
import { mapBounded } from '../../core/bounded-parallel.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import type { Account } from '../../core/customers/account.ts';
import type { Contact } from '../../core/customers/contact.ts';
import type { ContactListing, DispatchProgressStore } from '../../core/ports.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { dispatchWorkersFor, type FanOutPolicy } from '../../core/sending/run-fan-out.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { RecordingSendQueue } from '../support/memory-dispatch.ts';
import { openConfig } from '../support/sending-fixtures.ts';

const CONTACTS = 3_000;
const PAGE = 100;
const KILL_AFTER_PAGES = 9;
/** Small, so 3,000 contacts need several workers (the shipped setting is 100,000). */
const FAN_OUT: FanOutPolicy = { contactsPerWorker: 500, maxWorkers: 32 };
/** The second table: half its contacts written under the old 8-shard listing keys. */
const MIXED_CONTACTS = 1_200;

let table: TestTable;
let mixed: TestTable;
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
  await load(table, firstImportItemsOf({ accounts, contacts }, now));
  for (let index = 0; index < CONTACTS; index += 97) {
    await table.store.suppressions.suppress({ email: `c${index}@example.com`, reason: 'hard-bounce', suppressedAt: now.toISOString(), source: 'test' });
  }
  mixed = await createTestTable('dispatch-fanout-mixed');
  const mixedContacts = contacts.slice(0, MIXED_CONTACTS).map((contact) => ({ ...contact, consent: 'granted' as const, topicsOptedOut: [] }));
  // Every other contact as a deployment before the 256 partitions wrote it: `CONTACTS#<hash mod 8>`.
  const legacy = new Set(mixedContacts.filter((_, index) => index % 2 === 0).map((contact) => contact.contactId));
  const mixedItems = firstImportItemsOf({ accounts, contacts: mixedContacts }, now).map((item) =>
    item.entity === 'contact' && legacy.has(String(item.contactId)) ? { ...item, ...keys.contactListPartition(shardOf(String(item.contactId), LEGACY_CONTACT_LIST_SHARDS)) } : item,
  );
  await load(mixed, mixedItems);
}, 180_000);
afterAll(async () => {
  await table.drop();
  await mixed.drop();
});

async function load(into: TestTable, items: Record<string, unknown>[]): Promise<void> {
  const chunks: (typeof items)[] = [];
  for (let start = 0; start < items.length; start += 250) chunks.push(items.slice(start, start + 250));
  const writer = new DynamoTable(into.client, into.tableName);
  await mapBounded(chunks, 8, (chunk) => batchWrite(writer, chunk.map((Item) => ({ PutRequest: { Item } }))));
}

/** Every contact id the listing yields, partition by partition and page by page; `check` sees each page. */
async function listEveryPartition(listing: ContactListing, pageSize: number, check: (partition: number, page: readonly Contact[]) => void = () => {}): Promise<string[]> {
  const seen: string[] = [];
  for (let partition = 0; partition < listing.partitions; partition++) {
    let cursor: string | undefined;
    do {
      const page = await listing.page(partition, cursor, pageSize);
      check(partition, page.contacts);
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

/** The shard (worker) of a contact in a run of `shards` workers: its list partition's owner. */
const shardOfContact = (contactId: string, shards: number) => shardOf(contactId, CONTACT_LIST_PARTITIONS) % shards;

describe('campaign run fan-out on DynamoDB Local', () => {
  it('lists every contact exactly once over the 256 partitions, a page at a time', async () => {
    const seen = await listEveryPartition(table.store.contactListing, 250, (partition, page) => {
      expect(page.length).toBeLessThanOrEqual(250);
      for (const contact of page) expect(shardOf(contact.contactId, CONTACT_LIST_PARTITIONS)).toBe(partition);
    });
    expect(table.store.contactListing.partitions).toBe(CONTACT_LIST_PARTITIONS);
    expect(seen.length).toBe(CONTACTS);
    expect(new Set(seen)).toEqual(new Set(contacts.map((contact) => contact.contactId)));
  });

  it('lists contacts written under the old 8-shard keys exactly once too, next to those under today\'s keys, and estimates the count of both', async () => {
    const seen = await listEveryPartition(mixed.store.contactListing, 1000);
    expect(seen.length).toBe(MIXED_CONTACTS);
    expect(new Set(seen).size).toBe(MIXED_CONTACTS);
    const estimate = await mixed.store.contactListing.estimateContacts();
    expect(estimate).toBeGreaterThan(MIXED_CONTACTS * 0.7);
    expect(estimate).toBeLessThan(MIXED_CONTACTS * 1.3);
    const fullEstimate = await table.store.contactListing.estimateContacts();
    expect(fullEstimate).toBeGreaterThan(CONTACTS * 0.75);
    expect(fullEstimate).toBeLessThan(CONTACTS * 1.25);
  });

  it('an uninterrupted run takes as many workers as its estimated contacts need and queues each contact who may be emailed once, with exact counts', async () => {
    const queue = new RecordingSendQueue();
    const scheduledFor = new Date('2026-12-01T00:00:00Z');
    const outcome = await dispatchCampaignRun(campaign, scheduledFor, { ...table.store, runs: table.store.campaignRuns, config, queue, clock, fanOut: FAN_OUT }, { pageSize: PAGE });
    const { queued, counts } = expected();
    expect(outcome).toMatchObject({ outcome: 'dispatched', counts });
    expect(queue.contactIds.length).toBe(queued.size);
    expect(new Set(queue.contactIds)).toEqual(queued);
    const run = await table.store.campaignRuns.getRun(campaign.id, outcome.runId);
    expect(run).toMatchObject({ state: 'dispatched', counts, listPartitions: CONTACT_LIST_PARTITIONS });
    expect(run?.shards).toBe(dispatchWorkersFor(run?.estimatedContacts ?? 0, FAN_OUT, CONTACT_LIST_PARTITIONS));
    // 3,000 contacts at 500 a worker: about six workers (the estimate is a sample).
    expect(run?.shards).toBeGreaterThanOrEqual(5);
    expect(run?.shards).toBeLessThanOrEqual(8);
  }, 180_000);

  it('fewer contacts, half under the old listing keys: fewer workers, and still everyone queued once with exact counts', async () => {
    const queue = new RecordingSendQueue();
    const outcome = await dispatchCampaignRun(campaign, now, { ...mixed.store, runs: mixed.store.campaignRuns, config, queue, clock, fanOut: FAN_OUT }, { pageSize: PAGE });
    expect(outcome).toMatchObject({ outcome: 'dispatched', counts: { audience: MIXED_CONTACTS, queued: MIXED_CONTACTS, deferred: 0 } });
    expect(queue.contactIds.length).toBe(MIXED_CONTACTS);
    expect(new Set(queue.contactIds).size).toBe(MIXED_CONTACTS);
    const mixedRun = await mixed.store.campaignRuns.getRun(campaign.id, outcome.runId);
    const fullRun = await table.store.campaignRuns.getRun(campaign.id, '20261201T000000Z');
    expect(mixedRun?.shards).toBeGreaterThanOrEqual(2);
    expect(mixedRun?.shards).toBeLessThan(fullRun?.shards ?? 0);
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
    const deps = { ...table.store, runs: table.store.campaignRuns, config, queue, clock, fanOut: FAN_OUT };
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
    const shards = run?.shards ?? 0;
    expect(shards).toBeGreaterThan(1);
    const redonePerShard = new Map<number, number>();
    for (const [contactId, count] of times) if (count > 1) redonePerShard.set(shardOfContact(contactId, shards), (redonePerShard.get(shardOfContact(contactId, shards)) ?? 0) + count - 1);
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
