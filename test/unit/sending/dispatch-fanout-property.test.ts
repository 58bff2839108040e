/**
 * A campaign run fanned out over shards, killed and resumed: whatever the number of contacts,
 * list partitions, workers and page size, and wherever the kill lands (a whole process dying
 * mid-run, a worker out of time, two workers on one shard), every contact is queued, nobody is
 * redone beyond the page its shard was killed in, and the run's counts are exact. The worker count
 * grows with the contact count, within its bounds, and any worker count lists every contact exactly
 * once. Property-based over the in-memory ports (the same contracts as the DynamoDB adapters; those
 * are tested in test/integration/dispatch-fanout).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../../adapters/aws/dynamo/table-design.ts';
import { runIdFor } from '../../../core/campaigns/campaign-run.ts';
import type { EngineConfig } from '../../../core/config/engine-config.ts';
import type { Campaign } from '../../../core/config/schema/messages.ts';
import type { Contact } from '../../../core/customers/contact.ts';
import type { SendQueue, Store } from '../../../core/ports.ts';
import { beginRunDispatch, dispatchCampaignRun } from '../../../core/sending/dispatch-campaign.ts';
import { DISPATCH_TIME_RESERVE_MS, dispatchRunShard } from '../../../core/sending/dispatch-run-shard.ts';
import { dispatchWorkersFor, partitionsOfWorker, type FanOutPolicy } from '../../../core/sending/run-fan-out.ts';
import { readShardPage, type ShardPosition } from '../../../core/sending/shard-page-reader.ts';
import { memoryContactListing, memoryDispatchProgress, RecordingSendQueue } from '../../support/memory-dispatch.ts';
import { createMemoryStore } from '../../support/memory-store.ts';
import { openConfig } from '../../support/sending-fixtures.ts';

let config: EngineConfig;
let campaign: Campaign;
beforeAll(async () => {
  ({ config, campaign } = await openConfig());
});

const now = new Date('2026-12-02T01:00:00Z');
const clock = { now: () => now };


class Killed extends Error {}

/** A store with `contacts` contacts (every 7th without consent) listed over `partitions` partitions. */
async function storeWith(contacts: number, partitions: number): Promise<{ store: Store; people: Contact[]; progress: ReturnType<typeof memoryDispatchProgress> }> {
  const base = createMemoryStore();
  await base.customers.upsertAccount({ accountId: 'acc', name: 'Acme', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  const people: Contact[] = [];
  for (let index = 0; index < contacts; index++) {
    const contact: Contact = { contactId: `c${index}`, accountId: 'acc', email: `c${index}@example.com`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: index % 7 === 3 ? 'withdrawn' : 'granted', topicsOptedOut: [] };
    await base.customers.upsertContact(contact, now);
    people.push(contact);
  }
  const progress = memoryDispatchProgress();
  return { store: { ...base, contactListing: memoryContactListing(() => people, partitions), dispatchProgress: progress }, people, progress };
}

/** A run begun over `contacts` contacts, `partitions` partitions and `shards` workers, its shard tasks not yet run. */
async function begunRun(contacts: number, partitions: number, shards: number) {
  const { store } = await storeWith(contacts, partitions);
  const queue = new RecordingSendQueue();
  const deps = { ...store, runs: store.campaignRuns, config, queue, clock, fanOut: fanOutFor(contacts, shards) };
  const begun = await beginRunDispatch(campaign, now, deps);
  if (begun.outcome !== 'fan-out') throw new Error(`expected a fan-out, got ${begun.outcome}`);
  return { store, queue, deps, begun };
}

/** A fan-out policy that gives `contacts` contacts exactly `shards` workers (when the partitions allow). */
const fanOutFor = (contacts: number, shards: number): FanOutPolicy => ({ contactsPerWorker: contacts > 0 ? contacts / shards : 1, maxWorkers: shards });

/** The shard (worker) of a contact in a run of `shards` workers over `partitions` partitions. */
const shardOfContact = (contactId: string, partitions: number, shards: number) => shardOf(contactId, partitions) % shards;

const expectedCounts = (contacts: number) => {
  const withdrawn = Array.from({ length: contacts }, (_, index) => index).filter((index) => index % 7 === 3).length;
  return { audience: contacts, queued: contacts - withdrawn, deferred: 0, ...(withdrawn > 0 ? { 'skipped:no-consent': withdrawn } : {}) };
};

describe('dispatch fan-out', () => {
  it('gives a run more workers as its contacts grow, one per contactsPerWorker, never fewer than 1 nor more than maxWorkers or the partitions', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 512 }), (a, b, contactsPerWorker, maxWorkers, partitions) => {
        const policy = { contactsPerWorker, maxWorkers };
        const [fewer, more] = a <= b ? [a, b] : [b, a];
        const workers = dispatchWorkersFor(more, policy, partitions);
        expect(dispatchWorkersFor(fewer, policy, partitions)).toBeLessThanOrEqual(workers);
        expect(workers).toBeGreaterThanOrEqual(1);
        expect(workers).toBeLessThanOrEqual(Math.min(maxWorkers, partitions));
        // Unbounded, each worker has at most contactsPerWorker contacts, and one fewer worker would not do.
        if (workers < Math.min(maxWorkers, partitions)) {
          expect(workers * contactsPerWorker).toBeGreaterThanOrEqual(more);
          if (workers > 1) expect((workers - 1) * contactsPerWorker).toBeLessThan(more);
        }
      }),
    );
    // The shipped setting: 1,000,000 contacts take 10 workers of 100,000.
    expect(dispatchWorkersFor(1_000_000, { contactsPerWorker: 100_000, maxWorkers: 32 }, 256)).toBe(10);
  });

  it('lists every contact exactly once over any number of workers, each worker reading only its own partitions, page by page', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 45 }), fc.integer({ min: 1, max: 30 }), async (contacts, partitions, workers, pageSize) => {
        const { people } = await storeWith(contacts, partitions);
        const listing = memoryContactListing(() => people, partitions);
        const shards = Math.min(workers, partitions);
        const seen: string[] = [];
        for (let shard = 0; shard < shards; shard++) {
          const owned = new Set(partitionsOfWorker(shard, shards, partitions));
          let position: ShardPosition | undefined = { partition: shard };
          while (position) {
            const page = await readShardPage(listing, position, { shards, listPartitions: partitions }, pageSize);
            expect(page.contacts.length).toBeLessThanOrEqual(pageSize);
            for (const contact of page.contacts) expect(owned.has(shardOf(contact.contactId, partitions))).toBe(true);
            seen.push(...page.contacts.map((contact) => contact.contactId));
            position = page.next;
          }
        }
        expect(seen.length).toBe(contacts);
        expect(new Set(seen)).toEqual(new Set(people.map((person) => person.contactId)));
      }),
      { numRuns: 80 },
    );
  });

  it('a run begun over more contacts gets more shard tasks, each naming the run\'s width', async () => {
    const policy: FanOutPolicy = { contactsPerWorker: 25, maxWorkers: 6 };
    const tasksFor = async (contacts: number) => {
      const { store } = await storeWith(contacts, 64);
      const begun = await beginRunDispatch(campaign, now, { runs: store.campaignRuns, contactListing: store.contactListing, clock, fanOut: policy });
      if (begun.outcome !== 'fan-out') throw new Error(`expected a fan-out, got ${begun.outcome}`);
      expect((await store.campaignRuns.getRun(campaign.id, begun.runId))).toMatchObject({ shards: begun.tasks.length, listPartitions: 64, estimatedContacts: contacts });
      for (const [shard, task] of begun.tasks.entries()) expect(task).toMatchObject({ shard, shards: begun.tasks.length, listPartitions: 64 });
      return begun.tasks.length;
    };
    expect(await tasksFor(10)).toBe(1);
    expect(await tasksFor(60)).toBe(3);
    expect(await tasksFor(140)).toBe(6);
    expect(await tasksFor(1000)).toBe(6);
  });

  it('queues every contact once per uninterrupted run, whatever the partition count, worker count and page size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 40 }), async (contacts, partitions, shards, pageSize) => {
        const { store, people } = await storeWith(contacts, partitions);
        const queue = new RecordingSendQueue();
        const outcome = await dispatchCampaignRun(campaign, now, { ...store, runs: store.campaignRuns, config, queue, clock, fanOut: fanOutFor(contacts, shards) }, { pageSize });
        expect(outcome).toEqual({ outcome: 'dispatched', runId: runIdFor(now), counts: expectedCounts(contacts) });
        const consenting = people.filter((person) => person.consent === 'granted').map((person) => person.contactId);
        expect([...queue.contactIds].sort()).toEqual([...consenting].sort());
      }),
      { numRuns: 40 },
    );
  });

  it('after a kill mid-run and a resume, every contact is queued, redone ones are at most one page per shard, and the counts are exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 150 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom('after-enqueue', 'before-enqueue'),
        async (contacts, partitions, workers, pageSize, killAfterPages, where) => {
          const { store, people, progress } = await storeWith(contacts, partitions);
          const queue = new RecordingSendQueue();
          // The process dies: from the kill on, every call of every worker fails.
          let killed = false;
          let pagesSaved = 0;
          const die = (): never => {
            killed = true;
            throw new Killed('killed');
          };
          const dyingProgress = {
            ...progress,
            savePage: async (next: Parameters<typeof progress.savePage>[0]) => {
              if (killed || (where === 'after-enqueue' && pagesSaved >= killAfterPages)) die();
              pagesSaved++;
              return progress.savePage(next);
            },
          };
          const dyingQueue: SendQueue = {
            enqueue: async (requests) => {
              if (killed || (where === 'before-enqueue' && pagesSaved >= killAfterPages)) die();
              return queue.enqueue(requests);
            },
          };
          const deps = { ...store, runs: store.campaignRuns, config, queue: dyingQueue, clock, dispatchProgress: dyingProgress, fanOut: fanOutFor(contacts, workers) };
          const first = await dispatchCampaignRun(campaign, now, deps, { pageSize }).catch((error: unknown) => error);
          const queuedBeforeKill = queue.contactIds.length;
          if (first instanceof Error) {
            expect(first).toBeInstanceOf(Killed);
            const resumed = await dispatchCampaignRun(campaign, now, { ...deps, queue, dispatchProgress: progress }, { pageSize });
            expect(resumed).toEqual({ outcome: 'dispatched', runId: runIdFor(now), counts: expectedCounts(contacts) });
          } else {
            expect(first).toEqual({ outcome: 'dispatched', runId: runIdFor(now), counts: expectedCounts(contacts) });
          }
          const consenting = new Set(people.filter((person) => person.consent === 'granted').map((person) => person.contactId));
          expect(new Set(queue.contactIds)).toEqual(consenting);
          // Redone: queued more than once. Per shard, at most the page it was killed in.
          const seen = new Map<string, number>();
          for (const contactId of queue.contactIds) seen.set(contactId, (seen.get(contactId) ?? 0) + 1);
          const redonePerShard = new Map<number, number>();
          const shards = (await store.campaignRuns.getRun(campaign.id, runIdFor(now)))?.shards ?? 0;
          expect(shards).toBe(Math.min(workers, partitions));
          for (const [contactId, times] of seen) if (times > 1) redonePerShard.set(shardOfContact(contactId, partitions, shards), (redonePerShard.get(shardOfContact(contactId, partitions, shards)) ?? 0) + times - 1);
          for (const redone of redonePerShard.values()) expect(redone).toBeLessThanOrEqual(pageSize);
          if (where === 'before-enqueue') expect(queue.contactIds.length).toBe(consenting.size);
          expect(queuedBeforeKill).toBeLessThanOrEqual(queue.contactIds.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a run begun when each shard was one list partition (no listPartitions on the run or its tasks, no partition in its checkpoint) continues as it began, with exact counts', async () => {
    // The listing as it was: 2 partitions, one per shard; shard 1 had saved its first page of 10 (its cursor is in partition 1).
    const { store, people, progress } = await storeWith(60, 2);
    const runId = runIdFor(now);
    await store.campaignRuns.createRun({ campaignId: campaign.id, runId, state: 'dispatching', scheduledFor: now.toISOString(), createdAt: now.toISOString(), counts: {}, shards: 2 });
    const firstPage = await store.contactListing.page(1, undefined, 10);
    const withdrawn = firstPage.contacts.filter((contact) => contact.consent !== 'granted').length;
    await progress.savePage({
      campaignId: campaign.id,
      runId,
      shard: 1,
      pages: 1,
      ...(firstPage.cursor ? { cursor: firstPage.cursor } : {}),
      done: false,
      counts: { audience: 10, queued: 10 - withdrawn, deferred: 0, ...(withdrawn > 0 ? { 'skipped:no-consent': withdrawn } : {}) },
      updatedAt: now.toISOString(),
    });
    const queue = new RecordingSendQueue();
    const deps = { ...store, runs: store.campaignRuns, config, queue, clock };
    for (const shard of [0, 1]) await dispatchRunShard(campaign, { campaignId: campaign.id, scheduledFor: now.toISOString(), shard }, deps, { pageSize: 10 });
    expect(await store.campaignRuns.getRun(campaign.id, runId)).toMatchObject({ state: 'dispatched', counts: expectedCounts(60) });
    const alreadyQueued = new Set(firstPage.contacts.map((contact) => contact.contactId));
    const rest = people.filter((person) => person.consent === 'granted' && !alreadyQueued.has(person.contactId)).map((person) => person.contactId);
    expect([...queue.contactIds].sort()).toEqual(rest.sort());
  });

  it('a worker out of time stops before its next page and its continuation finishes the shard with exact counts', async () => {
    const { store, queue, deps, begun } = await begunRun(90, 1, 1);
    const [task] = begun.tasks;
    if (!task) throw new Error('no shard task');
    let pagesLeftInInvocation = 2;
    const outOfTime = () => (pagesLeftInInvocation-- > 0 ? DISPATCH_TIME_RESERVE_MS * 10 : DISPATCH_TIME_RESERVE_MS - 1);
    expect(await dispatchRunShard(campaign, task, deps, { pageSize: 20, timeLeftMs: outOfTime })).toEqual({ outcome: 'time-budget-spent', pages: 2 });
    expect(queue.contactIds).toHaveLength(40 - 6);
    expect((await store.campaignRuns.getRun(campaign.id, begun.runId))?.state).toBe('dispatching');
    const finished = await dispatchRunShard(campaign, task, deps, { pageSize: 20 });
    expect(finished).toMatchObject({ outcome: 'shard-done', runDispatched: true, pages: 5 });
    expect((await store.campaignRuns.getRun(campaign.id, begun.runId))?.counts).toEqual(expectedCounts(90));
    expect(new Set(queue.contactIds).size).toBe(queue.contactIds.length);
  });

  it('two workers delivered the same shard task: one saves each page, the other stops, and the counts are counted once', async () => {
    const { store, queue, deps, begun } = await begunRun(200, 8, 2);
    const outcomes = await Promise.all([...begun.tasks, ...begun.tasks].map((task) => dispatchRunShard(campaign, task, deps, { pageSize: 10 })));
    expect(outcomes.filter((outcome) => outcome.outcome === 'superseded').length).toBeGreaterThan(0);
    expect((await store.campaignRuns.getRun(campaign.id, begun.runId))).toMatchObject({ state: 'dispatched', counts: expectedCounts(200) });
    expect(new Set(queue.contactIds).size).toBe(expectedCounts(200).queued);
  });
});
