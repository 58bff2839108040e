/**
 * An in-memory KpiBatchStore (core/ports.ts) for unit tests of the stream's counting: the batch
 * records, the counters and the first-of-kind markers as maps, with the same conditions as the
 * DynamoDB one (a batch record's version, a link set that must exist, a marker naming its change).
 */
import { counterIdOf, type KpiCounterDelta } from '../../core/reporting/count-kpi-changes.ts';
import type { FirstKind, KpiRunRef } from '../../core/reporting/kpi-counters.ts';
import type { KpiBatchStore } from '../../core/ports.ts';

export class MemoryKpiBatchStore implements KpiBatchStore {
  readonly records = new Map<string, Map<string, KpiCounterDelta & { version: number }>>();
  /** Counter id (counterIdOf) to its stored amounts. */
  readonly counters = new Map<string, Record<string, number>>();
  readonly markers = new Map<string, string>();
  /** Link sets the runs stored, as counterIdOf of their link counter. */
  readonly linkSets = new Set<string>();

  appliedOf(batchId: string): Promise<KpiCounterDelta[]> {
    return Promise.resolve([...(this.records.get(batchId)?.values() ?? [])].map((record) => structuredClone(record)));
  }

  applyDelta(batchId: string, previous: KpiCounterDelta | undefined, next: KpiCounterDelta): Promise<'applied' | 'conflict' | 'missing'> {
    const id = counterIdOf(next.counter);
    const records = this.records.get(batchId) ?? this.records.set(batchId, new Map()).get(batchId)!;
    const stored = records.get(id);
    if (previous ? stored?.version !== previous.version : stored !== undefined) return Promise.resolve('conflict');
    if (next.counter.kind === 'link' && !this.linkSets.has(id)) return Promise.resolve('missing');
    const counter = this.counters.get(id) ?? this.counters.set(id, {}).get(id)!;
    for (const name of new Set([...Object.keys(previous?.add ?? {}), ...Object.keys(next.add)])) {
      counter[name] = (counter[name] ?? 0) + (next.add[name] ?? 0) - (previous?.add[name] ?? 0);
    }
    records.set(id, { ...structuredClone(next), version: (previous?.version ?? 0) + 1 });
    return Promise.resolve('applied');
  }

  claimFirst(run: KpiRunRef, contactId: string, kind: FirstKind, sourceId: string, _at?: string): Promise<boolean> {
    const key = [run.messageId, run.runId, contactId, kind].join('|');
    const holder = this.markers.get(key);
    if (holder !== undefined && holder !== sourceId) return Promise.resolve(false);
    this.markers.set(key, sourceId);
    return Promise.resolve(true);
  }

  /** A run's stored counts (zeros left out). */
  countsOf(run: KpiRunRef): Record<string, number> {
    return Object.fromEntries(Object.entries(this.counters.get(counterIdOf({ kind: 'run', run })) ?? {}).filter(([, amount]) => amount !== 0));
  }
}
