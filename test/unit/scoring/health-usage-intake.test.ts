/**
 * Product usage coming in for the health score, by the ingest API's body or an EventBridge
 * event: the same record is accepted the same way by both, every wrong field is named with its
 * path, a request with any bad record writes nothing, and the same record twice is one record.
 */
import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../core/customers/contact.ts';
import { ingestUsage, parseUsageBody, parseUsageEvent, usageEngagementEvents, type ParsedUsage, type UsageParse } from '../../../core/scoring/usage-event.ts';
import { engagementEventSchema } from '../../../core/tracking/engagement-event.ts';
import { memoryUsageStore } from '../../support/memory-store.ts';

const METRICS = ['seats_bought', 'seats_used', 'logins_30d'];
const now = new Date('2026-12-10T06:00:00Z');
const context = { metrics: METRICS, now };
const record = { accountId: 'acc-1', at: '2026-12-10T14:00:00+09:00', metrics: { seats_used: 12, logins_30d: 40 } };

const parsed = (result: UsageParse): ParsedUsage => {
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.usage;
};
const problems = (result: UsageParse) => (result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`));

describe('parsing usage records', () => {
  it('reads the same record from the API body and from an EventBridge event, its time in UTC', () => {
    const fromBody = parsed(parseUsageBody({ usage: [record] }, context));
    const fromEvent = parsed(parseUsageEvent({ version: '0', id: 'e-1', source: 'product', 'detail-type': 'ProductUsageReported', time: '2026-12-10T05:00:00Z', detail: record }, context));
    expect(fromBody.records).toEqual(fromEvent.records);
    expect(fromBody.records[0]).toMatchObject({ accountId: 'acc-1', at: '2026-12-10T05:00:00.000Z', metrics: { seats_used: 12, logins_30d: 40 } });
    expect(fromBody.sources).toEqual(['usage[0]']);
    expect(fromEvent.sources).toEqual(['detail']);
  });

  it('gives a record the same id whatever order its metrics come in, another id for other figures, and the source id when given', () => {
    const [a, b, c, d] = parsed(
      parseUsageBody(
        {
          usage: [
            record,
            { ...record, metrics: { logins_30d: 40, seats_used: 12 } },
            { ...record, metrics: { seats_used: 13, logins_30d: 40 } },
            { ...record, eventId: 'evt-7' },
          ],
        },
        context,
      ),
    ).records;
    expect(a?.recordId).toBe(b?.recordId);
    expect(c?.recordId).not.toBe(a?.recordId);
    expect(d?.recordId).toBe('e:evt-7');
  });

  it('names every wrong field with its path', () => {
    const result = parseUsageBody(
      {
        usage: [
          record,
          { ...record, metrics: { seats_used: '12' } },
          { ...record, metrics: { seat_used: 3, logins_30d: -1, seats_bought: 1e16 } },
          { ...record, at: '2026-12-10T14:00:00' },
          { at: record.at, metrics: {}, extra: true },
          { ...record, at: '2026-12-10T06:10:00Z' },
        ],
      },
      context,
    );
    expect(problems(result)).toEqual([
      'usage[1].metrics.seats_used: expected a number, got "12"',
      "usage[2].metrics.seat_used: unknown metric 'seat_used': the declared metrics are seats_bought, seats_used, logins_30d",
      'usage[2].metrics.logins_30d: expected a number 0 or more, got -1',
      'usage[2].metrics.seats_bought: expected a number up to 9007199254740991, got 10000000000000000',
      'usage[3].at: expected an ISO-8601 time with an offset, e.g. 2026-12-10T14:05:00+09:00, got "2026-12-10T14:00:00"',
      'usage[4].accountId: required: the account id',
      'usage[4].metrics: give at least one metric (seats_bought, seats_used, logins_30d)',
      "usage[4].extra: unknown field 'extra'",
      "usage[5].at: 2026-12-10T06:10:00Z is in the future (the engine's clock says 2026-12-10T06:00:00.000Z): send figures once they are true",
    ]);
  });

  it('refuses a body that is not a usage list, more than 1000 records, and an event of another type', () => {
    expect(problems(parseUsageBody({ records: [] }, context))).toEqual(['usage: required: a list of usage records', "records: unknown field 'records'"]);
    expect(problems(parseUsageBody({ usage: Array.from({ length: 1001 }, () => record) }, context))).toEqual(['usage: at most 1000 records per request: split the batch']);
    expect(problems(parseUsageEvent({ 'detail-type': 'SomethingElse', detail: record }, context))).toEqual(['detail-type: expected \'ProductUsageReported\', got "SomethingElse"']);
    expect(problems(parseUsageEvent({ 'detail-type': 'ProductUsageReported', detail: { ...record, metrics: { seats_used: null } } }, context))).toEqual([
      'detail.metrics.seats_used: expected a number, got null',
    ]);
  });
});

describe('ingestUsage', () => {
  const contact = (contactId: string, accountId: string) => ({ contactId, accountId }) as Contact;
  const customers = {
    existingAccountIds: async (ids: readonly string[]) => new Set(ids.filter((id) => id === 'acc-1' || id === 'acc-2')),
    getContacts: async (ids: readonly string[]) => new Map(ids.flatMap((id) => (id === 'c-1' ? [[id, contact('c-1', 'acc-1')] as const] : []))),
  };

  it('writes nothing when one record names an unknown account or a contact of another account', async () => {
    const usage = memoryUsageStore();
    const body = { usage: [record, { ...record, accountId: 'acc-9' }, { ...record, accountId: 'acc-2', contactId: 'c-1' }, { ...record, contactId: 'c-404' }] };
    const result = await ingestUsage(parsed(parseUsageBody(body, context)), { usage, customers });
    expect(result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([
      "usage[1].accountId: unknown account 'acc-9': import the account first (POST /api/ingest/customers or npm run import)",
      "usage[2].contactId: contact 'c-1' belongs to account 'acc-1', not 'acc-2'",
      "usage[3].contactId: unknown contact 'c-404'",
    ]);
    expect(await usage.listUsageRecords('acc-1')).toEqual([]);
    expect(await usage.latestUsage('acc-1')).toBeUndefined();
  });

  it('stores the same records once, however often they come', async () => {
    const usage = memoryUsageStore();
    const input = parsed(parseUsageBody({ usage: [record, { ...record, contactId: 'c-1' }, record] }, context));
    expect(await ingestUsage(input, { usage, customers })).toMatchObject({ ok: true, stored: 2, duplicates: 1 });
    expect(await ingestUsage(input, { usage, customers })).toMatchObject({ ok: true, stored: 0, duplicates: 3 });
    expect(await usage.listUsageRecords('acc-1')).toHaveLength(2);
  });
});

describe('usageEngagementEvents', () => {
  it('gives one product-usage event per record of a contact, with the same id every time', () => {
    const { records } = parsed(parseUsageBody({ usage: [{ ...record, contactId: 'c-1' }, record] }, context));
    const events = usageEngagementEvents(records);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual(
      engagementEventSchema.parse({
        eventId: `product-usage:acc-1:2026-12-10T05:00:00.000Z:${records[0]?.recordId}`,
        type: 'product-usage',
        contactId: 'c-1',
        accountId: 'acc-1',
        occurredAt: '2026-12-10T05:00:00.000Z',
        detail: { seats_used: 12, logins_30d: 40 },
      }),
    );
    expect(usageEngagementEvents(parsed(parseUsageBody({ usage: [{ ...record, contactId: 'c-1' }] }, context)).records)).toEqual(events);
  });
});
