/**
 * The every-minute jobs stay inside one Lambda invocation whatever the backlog, on DynamoDB Local:
 * the deferred-send release and the sequence steps page through their due indexes shard by shard,
 * stop when the invocation's time is nearly up, and leave the rest due for the next run, which
 * finishes it: every parked send released once, every due step advanced once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUE_INDEX_SHARDS, shardOf } from '../../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { RELEASE_TIME_RESERVE_MS, releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { advanceDueEnrollments, SEQUENCE_TIME_RESERVE_MS } from '../../core/sequences/advance-enrollments.ts';
import { enrollAccounts } from '../../core/sequences/enroll-contacts.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { RecordingSendQueue } from '../support/memory-dispatch.ts';
import { openConfig } from '../support/sending-fixtures.ts';

const PARKED = 1_300;
const ENROLLED = 120;

let table: TestTable;
let config: EngineConfig;
const now = new Date('2026-12-01T01:00:00Z');
const clock = { now: () => now };


/** Time left that lasts `calls` checks, then says the invocation is nearly over. */
function budgetOf(calls: number, reserveMs: number): () => number {
  let left = calls;
  return () => (left-- > 0 ? reserveMs * 10 : reserveMs - 1);
}

beforeAll(async () => {
  table = await createTestTable('bounded-jobs');
  ({ config } = await openConfig());
}, 60_000);
afterAll(() => table.drop());

describe('bounded every-minute jobs', () => {
  it('releases a backlog of parked sends a page at a time, stopping at the time budget and finishing on the next run', async () => {
    const source = { kind: 'campaign' as const, campaignId: 'backlog' };
    // All in one due-index shard, so it takes several pages of 500.
    const contactIds: string[] = [];
    for (let index = 0; contactIds.length < PARKED; index++) if (shardOf(`p${index}`, DUE_INDEX_SHARDS) === 0) contactIds.push(`p${index}`);
    const parked = contactIds.map((contactId, index) => ({ request: { source, runId: 'r1', contactId, accountId: 'acc' }, notBefore: new Date(now.getTime() - index * 1000).toISOString() }));
    await table.store.sends.deferSends(parked);
    const queue = new RecordingSendQueue();
    const deps = { sends: table.store.sends, pauses: table.store.pauses, queue, clock, caps: [] };

    const first = await releaseDeferredSends(deps, { timeLeftMs: budgetOf(1, RELEASE_TIME_RESERVE_MS) });
    expect(first).toBe(500);
    expect(await table.store.sends.listDueDeferredSends(now, PARKED)).toHaveLength(PARKED - first);

    const rest = await releaseDeferredSends(deps);
    expect(first + rest).toBe(PARKED);
    expect(new Set(queue.requests.map((request) => request.contactId)).size).toBe(PARKED);
    expect(queue.requests).toHaveLength(PARKED);
    expect(await table.store.sends.listDueDeferredSends(now, PARKED)).toEqual([]);
    // 1,300 releases, each a few writes: minutes on a loaded 2-core machine (the table's stream slows DynamoDB Local's writes).
  }, 360_000);

  it('advances due sequence steps a page at a time, stopping at the time budget; the next run advances the rest, each once', async () => {
    const account = { accountId: 'acc-seq', name: 'Acme K.K.', tier: 'tier3' as const, plan: 'standard', products: ['core'], phase: 'adoption' as const, mrr: 1, currency: 'JPY' };
    await table.store.customers.upsertAccount(account, now);
    for (let index = 0; index < ENROLLED; index++) {
      await table.store.customers.upsertContact({ contactId: `s${index}`, accountId: 'acc-seq', email: `s${index}@example.com`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
    }
    expect(await enrollAccounts(['acc-seq'], { ...table.store, config, clock })).toBe(ENROLLED);
    const queue = new RecordingSendQueue();
    const deps = { ...table.store, config, queue, clock };

    // Three pages of at most 10 (a shard's last page may be short), then out of time.
    const first = (await advanceDueEnrollments(deps, { pageSize: 10, timeLeftMs: budgetOf(3, SEQUENCE_TIME_RESERVE_MS) })).get('queued') ?? 0;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(30);
    const rest = Object.fromEntries(await advanceDueEnrollments(deps, { pageSize: 10 }));
    expect(rest).toEqual({ queued: ENROLLED - first });
    expect(Object.fromEntries(await advanceDueEnrollments(deps))).toEqual({});
    expect(new Set(queue.requests.map((request) => request.contactId)).size).toBe(ENROLLED);
    expect(queue.requests).toHaveLength(ENROLLED);
  }, 360_000);
});
