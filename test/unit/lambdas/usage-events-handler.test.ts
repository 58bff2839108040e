/**
 * The usage events function's handling of one EventBridge event: a valid ProductUsageReported
 * record is stored and, naming a contact, recorded once through the engagement path; an event it
 * refuses (malformed, unknown account) is logged by path and dropped, with nothing written and
 * nothing thrown (a retry could not make it better); only a store failure throws, for Lambda to
 * retry and then park in the dead-letter queue.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../core/customers/contact.ts';
import type { EngagementEvent } from '../../../core/tracking/engagement-event.ts';
import type { UsageStore } from '../../../core/ports.ts';
import { createUsageEventsHandler, type UsageEventsDeps, type UsageEventsHandlerDeps } from '../../../lambdas/usage-events/handler.ts';
import { memoryUsageStore } from '../../support/memory-store.ts';

const now = new Date('2026-12-10T06:00:00Z');
const record = { accountId: 'acc-1', contactId: 'c-1', at: '2026-12-10T14:00:00+09:00', metrics: { seats_used: 12, logins_30d: 40 } };
const event = (detail: unknown, detailType = 'ProductUsageReported') =>
  ({ version: '0', id: 'evt-1', source: 'product', account: '123456789012', time: '2026-12-10T05:00:00Z', region: 'ap-northeast-1', resources: [], 'detail-type': detailType, detail }) as EventBridgeEvent<string, unknown>;

function harness(usage: UsageStore = memoryUsageStore()) {
  const recorded: EngagementEvent[] = [];
  const lines: Array<{ level: string; message: string; attributes: Record<string, unknown> }> = [];
  const deps: UsageEventsDeps = {
    metrics: ['seats_bought', 'seats_used', 'logins_30d'],
    usage,
    customers: {
      existingAccountIds: async (ids) => new Set(ids.filter((id) => id === 'acc-1')),
      getContacts: async (ids) => new Map(ids.flatMap((id) => (id === 'c-1' ? [[id, { contactId: 'c-1', accountId: 'acc-1' } as Contact] as const] : []))),
    },
    engagement: {
      recordEvent: async (engagementEvent) => {
        if (recorded.some((seen) => seen.eventId === engagementEvent.eventId)) return false;
        recorded.push(engagementEvent);
        return true;
      },
    },
    clock: { now: () => now },
  };
  const log = (level: string) => (message: string, attributes: Record<string, unknown>) => void lines.push({ level, message, attributes });
  const handler = createUsageEventsHandler({ deps: async () => deps, logger: { info: log('info'), warn: log('warn'), error: log('error') } as UsageEventsHandlerDeps['logger'] });
  return { handler, usage, recorded, lines };
}

describe('usage events handler', () => {
  it('stores a valid record and records its contact\'s product-usage signal once, even when the event comes again', async () => {
    const { handler, usage, recorded, lines } = harness();
    await expect(handler(event(record))).resolves.toEqual({ outcome: 'stored', accountId: 'acc-1', signals: 1 });
    expect(await usage.listUsageRecords('acc-1')).toEqual([expect.objectContaining({ accountId: 'acc-1', contactId: 'c-1', at: '2026-12-10T05:00:00.000Z', metrics: { seats_used: 12, logins_30d: 40 } })]);
    expect((await usage.latestUsage('acc-1'))?.metrics.seats_used?.value).toBe(12);
    expect(recorded).toEqual([expect.objectContaining({ type: 'product-usage', contactId: 'c-1', accountId: 'acc-1' })]);

    await expect(handler(event(record))).resolves.toEqual({ outcome: 'duplicate', accountId: 'acc-1', signals: 0 });
    expect(await usage.listUsageRecords('acc-1')).toHaveLength(1);
    expect(recorded).toHaveLength(1);
    expect(lines.map((line) => [line.level, line.attributes.eventId, line.attributes.outcome])).toEqual([['info', 'evt-1', 'stored'], ['info', 'evt-1', 'duplicate']]);
  });

  it('refuses a malformed event without writing or throwing, logging each problem by path', async () => {
    const { handler, usage, recorded, lines } = harness();
    await expect(handler(event({ ...record, metrics: { seats_used: '12', unknown_metric: 1 } }))).resolves.toEqual({ outcome: 'refused', problems: 2 });
    await expect(handler(event(record, 'SomethingElse'))).resolves.toEqual({ outcome: 'refused', problems: 1 });
    expect(await usage.listUsageRecords('acc-1')).toEqual([]);
    expect(recorded).toEqual([]);
    expect(lines.map((line) => line.level)).toEqual(['warn', 'warn']);
    expect(lines[0]?.attributes.problems).toMatch(/detail\.metrics\.seats_used: expected a number, got "12"/);
    expect(lines[0]?.attributes.problems).toMatch(/detail\.metrics\.unknown_metric: unknown metric/);
  });

  it('masks an address the refused event quotes (an address sent as a metric), in a line of bounded length', async () => {
    const { handler, lines } = harness();
    await expect(handler(event({ ...record, metrics: { seats_used: 'hanako.sato@example.co.jp', logins_30d: 'A'.repeat(100_000) } }))).resolves.toMatchObject({ outcome: 'refused' });
    expect(lines[0]?.attributes.problems).toMatch(/detail\.metrics\.seats_used: expected a number, got "\[address\]"/);
    expect(JSON.stringify(lines)).not.toContain('@');
    expect(String(lines[0]?.attributes.problems).length).toBeLessThanOrEqual(2_000);
  });

  it('refuses a record of an unknown account or of another account\'s contact without writing or throwing', async () => {
    const { handler, usage, recorded, lines } = harness();
    await expect(handler(event({ ...record, accountId: 'acc-9' }))).resolves.toEqual({ outcome: 'refused', problems: 1 });
    await expect(handler(event({ ...record, contactId: 'c-404' }))).resolves.toEqual({ outcome: 'refused', problems: 1 });
    expect(await usage.listUsageRecords('acc-1')).toEqual([]);
    expect(await usage.listUsageRecords('acc-9')).toEqual([]);
    expect(recorded).toEqual([]);
    expect(lines[0]?.attributes.problems).toMatch(/detail\.accountId: unknown account 'acc-9'/);
  });

  it('throws when the store fails, for Lambda to retry and then park the event in the dead-letter queue', async () => {
    const failing: UsageStore = { ...memoryUsageStore(), recordUsage: async () => Promise.reject(Object.assign(new Error('ProvisionedThroughputExceededException'), { name: 'ProvisionedThroughputExceededException' })) };
    const { handler, recorded, lines } = harness(failing);
    await expect(handler(event(record))).rejects.toThrow(/ProvisionedThroughputExceeded/);
    expect(recorded).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ level: 'error', attributes: expect.objectContaining({ eventId: 'evt-1', errorName: 'ProvisionedThroughputExceededException' }) })]);
  });
});
