/**
 * A campaign run fanned out over shards, killed and resumed: whatever the number of contacts,
 * shards and page size, and wherever the kill lands (a whole process dying mid-run, a worker out of
 * time, two workers on one shard), every contact is queued, nobody is redone beyond the page its
 * shard was killed in, and the run's counts are exact. Property-based over the in-memory ports
 * (the same contracts as the DynamoDB adapters; those are tested in test/integration/dispatch-fanout).
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

/** A store with `contacts` contacts (every 7th without consent) listed over `shards` shards. */
async function storeWith(contacts: number, shards: number): Promise<{ store: Store; people: Contact[]; progress: ReturnType<typeof memoryDispatchProgress> }> {
  const base = createMemoryStore();
  await base.customers.upsertAccount({ accountId: 'acc', name: 'Acme', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  const people: Contact[] = [];
  for (let index = 0; index < contacts; index++) {
    const contact: Contact = { contactId: `c${index}`, accountId: 'acc', email: `c${index}@example.com`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: index % 7 === 3 ? 'withdrawn' : 'granted', topicsOptedOut: [] };
    await base.customers.upsertContact(contact, now);
    people.push(contact);
  }
  const progress = memoryDispatchProgress();
  return { store: { ...base, contactListing: memoryContactListing(() => people, shards), dispatchProgress: progress }, people, progress };
}

/** A run begun over `contacts` contacts and `shards` shards, its shard tasks not yet run. */
async function begunRun(contacts: number, shards: number) {
  const { store } = await storeWith(contacts, shards);
  const queue = new RecordingSendQueue();
  const deps = { ...store, runs: store.campaignRuns, config, queue, clock };
  const begun = await beginRunDispatch(campaign, now, deps);
  if (begun.outcome !== 'fan-out') throw new Error(`expected a fan-out, got ${begun.outcome}`);
  return { store, queue, deps, begun };
}

const expectedCounts = (contacts: number) => {
  const withdrawn = Array.from({ length: contacts }, (_, index) => index).filter((index) => index % 7 === 3).length;
  return { audience: contacts, queued: contacts - withdrawn, deferred: 0, ...(withdrawn > 0 ? { 'skipped:no-consent': withdrawn } : {}) };
};

describe('dispatch fan-out', () => {
  it('queues every contact once per uninterrupted run, whatever the shard count and page size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 40 }), async (contacts, shards, pageSize) => {
        const { store, people } = await storeWith(contacts, shards);
        const queue = new RecordingSendQueue();
        const outcome = await dispatchCampaignRun(campaign, now, { ...store, runs: store.campaignRuns, config, queue, clock }, { pageSize });
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
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom('after-enqueue', 'before-enqueue'),
        async (contacts, shards, pageSize, killAfterPages, where) => {
          const { store, people, progress } = await storeWith(contacts, shards);
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
          const deps = { ...store, runs: store.campaignRuns, config, queue: dyingQueue, clock, dispatchProgress: dyingProgress };
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
          for (const [contactId, times] of seen) if (times > 1) redonePerShard.set(shardOf(contactId, shards), (redonePerShard.get(shardOf(contactId, shards)) ?? 0) + times - 1);
          for (const redone of redonePerShard.values()) expect(redone).toBeLessThanOrEqual(pageSize);
          if (where === 'before-enqueue') expect(queue.contactIds.length).toBe(consenting.size);
          expect(queuedBeforeKill).toBeLessThanOrEqual(queue.contactIds.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a worker out of time stops before its next page and its continuation finishes the shard with exact counts', async () => {
    const { store, queue, deps, begun } = await begunRun(90, 1);
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
    const { store, queue, deps, begun } = await begunRun(200, 2);
    const outcomes = await Promise.all([...begun.tasks, ...begun.tasks].map((task) => dispatchRunShard(campaign, task, deps, { pageSize: 10 })));
    expect(outcomes.filter((outcome) => outcome.outcome === 'superseded').length).toBeGreaterThan(0);
    expect((await store.campaignRuns.getRun(campaign.id, begun.runId))).toMatchObject({ state: 'dispatched', counts: expectedCounts(200) });
    expect(new Set(queue.contactIds).size).toBe(expectedCounts(200).queued);
  });
});
