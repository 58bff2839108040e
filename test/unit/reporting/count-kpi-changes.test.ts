/**
 * Counting from the change stream (core/reporting/count-kpi-changes.ts): however a stream consumer
 * retries its batches (the same changes again, more of them, fewer of them, a failure half way
 * through the writes or after all of them), each change counts exactly once and each contact once
 * per unique count, as counting the changes one by one would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterIdOf, countKpiChanges, type KpiChange } from '../../../core/reporting/count-kpi-changes.ts';
import { counterAttributes, kpiMoveOf, sentMove, type KpiCounts } from '../../../core/reporting/kpi-counters.ts';
import type { KpiBatchStore } from '../../../core/ports.ts';
import type { EngagementEvent } from '../../../core/tracking/engagement-event.ts';
import { MemoryKpiBatchStore } from '../../support/memory-kpi-batches.ts';

const RUNS = [
  { messageId: 'news', runId: 'r1' },
  { messageId: 'news', runId: 'r2' },
];

const changeArbitrary = fc.record({
  kind: fc.constantFrom('sent', 'delivery', 'open', 'open', 'click', 'bounce', 'complaint', 'unsubscribe', 'click-reclassified'),
  run: fc.integer({ min: 0, max: 1 }),
  contact: fc.integer({ min: 0, max: 5 }),
  machine: fc.boolean(),
  tier: fc.constantFrom('tier1', 'tier3'),
  link: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  linkSet: fc.constantFrom('stored', 'never-stored'),
});

type Drawn = typeof changeArbitrary extends fc.Arbitrary<infer T> ? T : never;

function changesOf(drawn: readonly Drawn[]): KpiChange[] {
  return drawn.flatMap((draw, index) => {
    const run = RUNS[draw.run]!;
    const at = new Date(Date.UTC(2026, 11, 1, 0, 0, index)).toISOString();
    if (draw.kind === 'sent') return [{ sourceId: `send-${index}`, at, move: sentMove(run, { tier: draw.tier }, `c${draw.contact}`) }];
    const event: EngagementEvent = {
      eventId: `e${index}`,
      type: draw.kind as EngagementEvent['type'],
      contactId: `c${draw.contact}`,
      accountId: 'a1',
      occurredAt: at,
      campaignId: run.messageId,
      runId: run.runId,
      machine: draw.machine,
      detail: { tier: draw.tier, ...(draw.link === undefined ? {} : { link: draw.link, linkSet: draw.linkSet }), ...(draw.kind === 'bounce' ? { bounceType: draw.machine ? 'Permanent' : 'Transient' } : {}) },
    };
    const move = kpiMoveOf(event);
    return move ? [{ sourceId: event.eventId, at, move }] : [];
  });
}

/** Counting each change once, in order, with a set of contacts already counted per unique kind. */
function countedOneByOne(changes: readonly KpiChange[]): { runs: Map<string, Record<string, number>>; links: Map<string, Record<string, number>> } {
  const runs = new Map<string, Record<string, number>>();
  const links = new Map<string, Record<string, number>>();
  const seen = new Set<string>();
  const addTo = (into: Map<string, Record<string, number>>, id: string, add: Record<string, number>) => {
    const counts = into.get(id) ?? into.set(id, {}).get(id)!;
    for (const [name, amount] of Object.entries(add)) counts[name] = (counts[name] ?? 0) + amount;
  };
  for (const { move } of changes) {
    const add: Partial<KpiCounts> = { ...move.add };
    for (const first of move.firsts) {
      const key = [move.run.messageId, move.run.runId, move.contactId, first.kind].join('|');
      if (seen.has(key)) continue;
      seen.add(key);
      for (const [count, amount] of Object.entries(first.add) as Array<[keyof KpiCounts, number]>) add[count] = (add[count] ?? 0) + amount;
    }
    addTo(runs, counterIdOf({ kind: 'run', run: move.run }), counterAttributes(add, move.segment));
    if (move.link && move.link.linkSet === 'stored') {
      const id = counterIdOf({ kind: 'link', run: { messageId: move.run.messageId, runId: move.run.runId }, linkSet: move.link.linkSet });
      addTo(links, id, { [`clicks_${move.link.position}`]: move.link.clicks, [`machineClicks_${move.link.position}`]: move.link.machineClicks });
    }
  }
  return { runs, links };
}

/** The store, failing (throwing) at its `failAt`-th write, as a crashed or throttled attempt does. */
function failingAt(store: MemoryKpiBatchStore, failAt: number): KpiBatchStore {
  let writes = 0;
  const tick = () => {
    if (++writes === failAt) throw new Error('injected: the attempt stops here');
  };
  return {
    appliedOf: (batchId) => store.appliedOf(batchId),
    applyDelta: async (batchId, previous, next) => {
      tick();
      return store.applyDelta(batchId, previous, next);
    },
    claimFirst: async (...args) => {
      tick();
      return store.claimFirst(...args);
    },
  };
}

const nonZero = (counts: Record<string, number> | undefined) => Object.fromEntries(Object.entries(counts ?? {}).filter(([, amount]) => amount !== 0));

describe('countKpiChanges', () => {
  it('counts each change once and each contact once per unique count, however batches are retried', async () => {
    const attemptArbitrary = fc.record({ length: fc.integer({ min: 1, max: 12 }), failAt: fc.integer({ min: 1, max: 8 }), failAfter: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(changeArbitrary, { minLength: 1, maxLength: 60 }), fc.array(fc.array(attemptArbitrary, { maxLength: 3 }), { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 30 }), async (drawn, failures, lengths) => {
        const changes = changesOf(drawn);
        const store = new MemoryKpiBatchStore();
        store.linkSets.add(counterIdOf({ kind: 'link', run: RUNS[0]!, linkSet: 'stored' }));
        store.linkSets.add(counterIdOf({ kind: 'link', run: RUNS[1]!, linkSet: 'stored' }));
        // Like a stream consumer: a batch starts where the last successful one ended; failed attempts of it come first.
        for (let position = 0, batch = 0; position < changes.length; batch++) {
          const batchId = `b${position}`;
          for (const failure of failures[batch % failures.length] ?? []) {
            const slice = changes.slice(position, position + failure.length);
            const attempt = countKpiChanges(batchId, slice, { batches: failure.failAfter ? store : failingAt(store, failure.failAt) });
            await (failure.failAfter ? attempt : attempt.catch(() => undefined));
          }
          const length = lengths[batch % lengths.length] ?? 1;
          await countKpiChanges(batchId, changes.slice(position, position + length), { batches: store });
          position += length;
        }
        const expected = countedOneByOne(changes);
        for (const run of RUNS) expect(store.countsOf(run)).toEqual(nonZero(expected.runs.get(counterIdOf({ kind: 'run', run }))));
        for (const id of store.linkSets) expect(nonZero(store.counters.get(id))).toEqual(nonZero(expected.links.get(id)));
      }),
      { numRuns: 300 },
    );
  });

  it('moves nothing when the same batch comes again', async () => {
    const store = new MemoryKpiBatchStore();
    const changes = changesOf([{ kind: 'open', run: 0, contact: 1, machine: false, tier: 'tier1', link: undefined, linkSet: 'stored' }]);
    const first = await countKpiChanges('b0', changes, { batches: store });
    const again = await countKpiChanges('b0', changes, { batches: store });
    expect(first).toMatchObject({ countersMoved: 1, firsts: 1 });
    expect(again).toMatchObject({ countersMoved: 0, firsts: 1 });
    expect(store.countsOf(RUNS[0]!)).toEqual({ opens: 1, openers: 1, tier_tier1_opens: 1, tier_tier1_openers: 1 });
  });

  it('counts a contact counted before the stream (a marker without its change) no more', async () => {
    const store = new MemoryKpiBatchStore();
    store.markers.set(['news', 'r1', 'c1', 'opened'].join('|'), 'an older marker');
    await countKpiChanges('b0', changesOf([{ kind: 'open', run: 0, contact: 1, machine: false, tier: 'tier1', link: undefined, linkSet: 'stored' }]), { batches: store });
    expect(store.countsOf(RUNS[0]!)).toEqual({ opens: 1, tier_tier1_opens: 1 });
  });
});
