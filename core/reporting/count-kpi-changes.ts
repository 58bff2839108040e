/**
 * KPI counters moved from the table's change stream, a batch of changes at a time (the writes that
 * record an event or a send move no counter: a transaction bills every item twice, docs/cost.md).
 *
 * Exact under retries without a transaction per email: a batch is always retried from the same
 * first change (a stream consumer's position moves only past a batch that succeeded), so the batch
 * is named by its first change, and each attempt records, per counter, what it applied under that
 * name. An attempt moves each counter by the difference between what it counts and what an earlier
 * attempt of the same batch applied: a retry of the same changes moves nothing, a longer retry
 * moves only the new ones, a shorter one takes back what it no longer holds (the next batch, named
 * by its own first change, counts those). Unique counts ("openers") move only for the change that
 * claimed the contact's first-of-kind marker; the marker names its change, so a retry of that
 * change still counts it.
 *
 * After the counts, runs whose bounces or complaints moved are checked by the reputation guard
 * (core/sending/reputation-guard.ts), which reads the counters just moved.
 */
import { mapBounded } from '../bounded-parallel.ts';
import type { KpiBatchStore } from '../ports.ts';
import { guardReputation, type ReputationGuardDeps } from '../sending/reputation-guard.ts';
import { counterAttributes, type FirstKind, type KpiCounts, type KpiMove, type KpiRunRef } from './kpi-counters.ts';

/** One counted change from the stream: a recorded event or a send SES took. */
export interface KpiChange {
  /** The event id (or the send's key): a first-of-kind marker names the change that claimed it. */
  sourceId: string;
  /** When it happened (ISO-8601): the run counter's first and last times. */
  at: string;
  move: KpiMove;
}

/** A counter item a batch moves: a run's counters, or the per-link click counts of one of its link sets. */
export type KpiCounterRef = { kind: 'run'; run: KpiRunRef } | { kind: 'link'; run: KpiRunRef; linkSet: string };

/** What one attempt of a batch moves one counter by: stored attribute name to amount. */
export interface KpiCounterDelta {
  counter: KpiCounterRef;
  add: Record<string, number>;
  /** The earliest and latest change counted (ISO-8601). */
  firstAt: string;
  lastAt: string;
  /** The store's version of this record, when read back (opaque to the core: handed back to `applyDelta`). */
  version?: number;
}

export interface CountKpiDeps {
  batches: KpiBatchStore;
  /** The reputation auto-pause; absent: counts only. */
  reputation?: ReputationGuardDeps;
}

export interface KpiBatchOutcome {
  /** Counters this attempt wrote (a retry that changes nothing writes none). */
  countersMoved: number;
  /** First-of-kind markers this batch's changes hold. */
  firsts: number;
  /** Scopes the reputation guard paused after this batch. */
  autoPaused: Array<{ scope: string; reason: string }>;
}

/** Marker claims in flight at once. */
const CLAIM_CONCURRENCY = 16;

/** Stable name of a counter: matches an attempt's deltas to an earlier attempt's. */
export function counterIdOf(counter: KpiCounterRef): string {
  return JSON.stringify(counter.kind === 'run' ? ['run', counter.run.messageId, counter.run.runId] : ['link', counter.run.messageId, counter.run.runId, counter.linkSet]);
}

/** Counts a batch of changes named `batchId` (its first change's id in the stream). Throws when the batch must be retried. */
export async function countKpiChanges(batchId: string, changes: readonly KpiChange[], deps: CountKpiDeps): Promise<KpiBatchOutcome> {
  const firsts = await claimedFirsts(changes, deps.batches);
  const deltas = deltasOf(changes, firsts);
  const previous = new Map((await deps.batches.appliedOf(batchId)).map((delta) => [counterIdOf(delta.counter), delta]));
  let countersMoved = 0;
  for (const id of new Set([...deltas.keys(), ...previous.keys()])) {
    const before = previous.get(id);
    const next = deltas.get(id) ?? { ...(before as KpiCounterDelta), add: {} };
    if (sameAdds(before?.add ?? {}, next.add)) continue;
    const result = await deps.batches.applyDelta(batchId, before, next);
    if (result === 'conflict') throw new KpiBatchConflictError(batchId);
    if (result === 'applied') countersMoved++;
  }
  const autoPaused: KpiBatchOutcome['autoPaused'] = [];
  if (deps.reputation) {
    // Every run whose bounces or complaints this batch counts (a retry too: the guard is idempotent, and an earlier attempt may have failed in it).
    for (const delta of deltas.values()) {
      if (delta.counter.kind !== 'run' || !((delta.add.bounced ?? 0) > 0 || (delta.add.complained ?? 0) > 0)) continue;
      const outcome = await guardReputation(delta.counter.run.messageId, delta.counter.run.runId, deps.reputation);
      autoPaused.push(...outcome.paused.map(({ scope, reason }) => ({ scope, reason })));
    }
  }
  return { countersMoved, firsts: firsts.size, autoPaused };
}

export class KpiBatchConflictError extends Error {
  constructor(batchId: string) {
    super(`KPI batch ${batchId}: another attempt of the same batch moved a counter meanwhile; the batch is retried`);
    this.name = 'KpiBatchConflictError';
  }
}

/** The changes (by index) whose first-of-kind markers they hold, each kind of each. */
async function claimedFirsts(changes: readonly KpiChange[], batches: KpiBatchStore): Promise<Map<number, Set<FirstKind>>> {
  // Only a contact's earliest change of a kind in the batch can be its first: later ones are not.
  const claims = new Map<string, { index: number; kind: FirstKind }>();
  changes.forEach((change, index) => {
    for (const first of change.move.firsts) {
      const key = [change.move.run.messageId, change.move.run.runId, change.move.contactId, first.kind].join('\u0000');
      if (!claims.has(key)) claims.set(key, { index, kind: first.kind });
    }
  });
  const held = new Map<number, Set<FirstKind>>();
  const results = await mapBounded([...claims.values()], CLAIM_CONCURRENCY, async ({ index, kind }) => {
    const change = changes[index] as KpiChange;
    return { index, kind, first: await batches.claimFirst(change.move.run, change.move.contactId, kind, change.sourceId, change.at) };
  });
  for (const { index, kind, first } of results) if (first) (held.get(index) ?? held.set(index, new Set()).get(index))?.add(kind);
  return held;
}

/** What the batch's changes move, per counter. */
function deltasOf(changes: readonly KpiChange[], firsts: ReadonlyMap<number, ReadonlySet<FirstKind>>): Map<string, KpiCounterDelta> {
  const deltas = new Map<string, KpiCounterDelta>();
  const addTo = (counter: KpiCounterRef, add: Record<string, number>, at: string) => {
    const id = counterIdOf(counter);
    const delta = deltas.get(id) ?? deltas.set(id, { counter, add: {}, firstAt: at, lastAt: at }).get(id);
    if (!delta) return;
    for (const [name, amount] of Object.entries(add)) delta.add[name] = (delta.add[name] ?? 0) + amount;
    if (at < delta.firstAt) delta.firstAt = at;
    if (at > delta.lastAt) delta.lastAt = at;
    // A sequence step's run is filed under its step (reports group by it): any change naming it does.
    if (counter.kind === 'run' && counter.run.stepId && !delta.counter.run.stepId) delta.counter = counter;
  };
  changes.forEach((change, index) => {
    const { move } = change;
    const add: Partial<KpiCounts> = { ...move.add };
    const held = firsts.get(index);
    for (const first of move.firsts) {
      if (!held?.has(first.kind)) continue;
      for (const [count, amount] of Object.entries(first.add) as Array<[keyof KpiCounts, number]>) add[count] = (add[count] ?? 0) + amount;
    }
    const attributes = counterAttributes(add, move.segment);
    if (Object.keys(attributes).length > 0) addTo({ kind: 'run', run: move.run }, attributes, change.at);
    if (move.link) {
      const { linkSet, position, clicks, machineClicks } = move.link;
      const counts = Object.fromEntries(Object.entries({ [`clicks_${position}`]: clicks, [`machineClicks_${position}`]: machineClicks }).filter(([, amount]) => amount !== 0));
      if (Object.keys(counts).length > 0) addTo({ kind: 'link', run: { messageId: move.run.messageId, runId: move.run.runId }, linkSet }, counts, change.at);
    }
  });
  // Amounts that cancel out within the batch (a click and its reclassification) move nothing.
  for (const delta of deltas.values()) for (const [name, amount] of Object.entries(delta.add)) if (amount === 0) delete delta.add[name];
  return deltas;
}

function sameAdds(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if ((a[name] ?? 0) !== (b[name] ?? 0)) return false;
  return true;
}
