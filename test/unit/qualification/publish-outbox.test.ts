/**
 * The outbox publisher over in-memory ports: everything unpublished goes out once and leaves the
 * outbox; what the bus refuses stays for the next run without holding up the entries behind it;
 * a crash between publishing and marking publishes the same events again (at least once), each
 * carrying its idempotency key in `detail.eventId` so the receiver can drop the copy.
 */
import { describe, expect, it } from 'vitest';
import { InProcessBus } from '../../../adapters/local/in-process-bus.ts';
import type { CsqlStore, EventBus } from '../../../core/ports.ts';
import { CSQL_EVENT_SOURCE, CSQL_QUALIFIED, qualifiedEvent, type CsqlPromotion, type OutboxEntry } from '../../../core/qualification/csql-promotion.ts';
import { MAX_PAGES_PER_RUN, publishedForm, publishOutbox } from '../../../core/qualification/publish-outbox.ts';

/** The outbox as the DynamoDB store keeps it: unpublished entries, oldest first; marking is idempotent. */
class MemoryOutbox implements Pick<CsqlStore, 'listUnpublished' | 'markPublished'> {
  readonly pending = new Map<string, OutboxEntry>();
  readonly listCalls: number[] = [];
  failNextMark = false;

  add(...entries: OutboxEntry[]): void {
    for (const entry of entries) this.pending.set(entry.id, entry);
  }

  async listUnpublished(limit: number): Promise<OutboxEntry[]> {
    this.listCalls.push(limit);
    return [...this.pending.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)).slice(0, limit);
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (this.failNextMark) {
      this.failNextMark = false;
      throw new Error('ProvisionedThroughputExceededException');
    }
    for (const id of ids) this.pending.delete(id);
  }
}

/** A bus that refuses the ids it is told to, and records what it took. */
class RefusingBus implements EventBus {
  readonly taken: OutboxEntry[] = [];
  readonly calls: string[][] = [];
  constructor(private readonly refuse: (id: string) => boolean) {}
  async publish(entries: readonly OutboxEntry[]): Promise<{ failedIds: string[] }> {
    this.calls.push(entries.map((entry) => entry.id));
    this.taken.push(...entries.filter((entry) => !this.refuse(entry.id)));
    return { failedIds: entries.filter((entry) => this.refuse(entry.id)).map((entry) => entry.id) };
  }
}

function promotion(accountId: string, minute: number): CsqlPromotion {
  return {
    accountId,
    promotedAt: new Date(Date.UTC(2026, 11, 10, 5, minute)).toISOString(),
    ruleId: 'engaged-account',
    ruleDescription: 'account score >= 40 and 3 engaged contacts',
    accountScore: 47.5,
    health: 72,
    values: { accountScore: 47.5, engagedContacts: 3 },
    topSignals: [{ signal: 'webinarAttended', contribution: 20 }],
    evidence: [{ contactId: 'c-1', type: 'webinarAttended', occurredAt: '2026-12-09T05:00:00.000Z', source: 'analytics-webinar' }],
  };
}

const entries = (count: number, prefix = 'acct') => Array.from({ length: count }, (_, index) => qualifiedEvent(promotion(`${prefix}-${String(index).padStart(3, '0')}`, index % 60)));

describe('publishOutbox', () => {
  it('publishes every unpublished entry once, page by page, and takes each off the outbox', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(...entries(25));
    const bus = new InProcessBus();
    const result = await publishOutbox({ csql: outbox, bus }, 10);
    expect(result).toEqual({ published: 25, failed: 0, failedIds: [] });
    expect(outbox.pending.size).toBe(0);
    expect(bus.published.map((event) => event.id).sort()).toEqual(entries(25).map((entry) => entry.id).sort());
    expect(new Set(bus.published.map((event) => event.id)).size).toBe(25);
    // Nothing left: a second run publishes nothing.
    expect(await publishOutbox({ csql: outbox, bus }, 10)).toEqual({ published: 0, failed: 0, failedIds: [] });
    expect(bus.published).toHaveLength(25);
  });

  it('publishes the promotion as AccountQualifiedAsCsql with the versioned detail and its idempotency key in detail.eventId', async () => {
    const outbox = new MemoryOutbox();
    const entry = qualifiedEvent(promotion('acct-42', 7));
    outbox.add(entry);
    const bus = new InProcessBus();
    await publishOutbox({ csql: outbox, bus });
    expect(bus.published).toEqual([
      {
        id: 'csql-qualified:acct-42:2026-12-10T05:07:00.000Z',
        source: CSQL_EVENT_SOURCE,
        detailType: CSQL_QUALIFIED,
        time: '2026-12-10T05:07:00.000Z',
        detail: { eventId: 'csql-qualified:acct-42:2026-12-10T05:07:00.000Z', version: '1', ...promotion('acct-42', 7) },
      },
    ]);
    expect(Object.keys(bus.published[0]!.detail)[0]).toBe('eventId');
  });

  it('leaves refused entries in the outbox for the next run, and still publishes the ones behind them', async () => {
    const outbox = new MemoryOutbox();
    const all = entries(12);
    outbox.add(...all);
    // The two oldest are refused: with a page of 2 they would block everything if the run kept re-reading them.
    const refused = new Set([all[0]!.id, all[1]!.id]);
    const bus = new RefusingBus((id) => refused.has(id));
    const result = await publishOutbox({ csql: outbox, bus }, 2);
    expect(result.published).toBe(10);
    expect(result.failed).toBe(2);
    expect(result.failedIds.sort()).toEqual([...refused].sort());
    expect([...outbox.pending.keys()].sort()).toEqual([...refused].sort());
    // Each entry was offered once in the run: refused ones are not retried in a loop.
    expect(bus.calls.flat().sort()).toEqual(all.map((entry) => entry.id).sort());

    // The bus takes them on the next run.
    const recovered = new RefusingBus(() => false);
    expect(await publishOutbox({ csql: outbox, bus: recovered }, 2)).toEqual({ published: 2, failed: 0, failedIds: [] });
    expect(outbox.pending.size).toBe(0);
  });

  it('publishes again after a crash between publishing and marking: at least once, the copies share detail.eventId', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(...entries(3));
    const bus = new InProcessBus();
    outbox.failNextMark = true;
    await expect(publishOutbox({ csql: outbox, bus })).rejects.toThrow('ProvisionedThroughputExceededException');
    // Published, not marked: still in the outbox, nothing lost.
    expect(bus.published).toHaveLength(3);
    expect(outbox.pending.size).toBe(3);

    expect(await publishOutbox({ csql: outbox, bus })).toEqual({ published: 3, failed: 0, failedIds: [] });
    expect(outbox.pending.size).toBe(0);
    expect(bus.published).toHaveLength(6);
    // What a receiver does: dedupe by detail.eventId, and it sees each promotion once.
    const seen = new Map(bus.published.map((event) => [event.detail.eventId, event]));
    expect(seen.size).toBe(3);
    for (const event of bus.published) expect(event.detail.eventId).toBe(event.id);
  });

  it('marks nothing when the bus throws (the job fails and the next run retries everything)', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(...entries(2));
    const bus: EventBus = {
      publish: async () => {
        throw new Error('ThrottlingException');
      },
    };
    await expect(publishOutbox({ csql: outbox, bus })).rejects.toThrow('ThrottlingException');
    expect(outbox.pending.size).toBe(2);
  });

  it('does not publish again in the same run what the outbox index still lists right after marking (it is eventually consistent)', async () => {
    const outbox = new MemoryOutbox();
    const all = entries(4);
    outbox.add(...all);
    // An index that lags: the first read after a mark still lists the entries just marked.
    let justMarked: OutboxEntry[] = [];
    const lagging: Pick<CsqlStore, 'listUnpublished' | 'markPublished'> = {
      listUnpublished: async (limit) => {
        const stale = justMarked;
        justMarked = [];
        return [...stale, ...(await outbox.listUnpublished(limit))].slice(0, limit);
      },
      markPublished: async (ids) => {
        justMarked = all.filter((entry) => ids.includes(entry.id));
        await outbox.markPublished(ids);
      },
    };
    const bus = new RefusingBus(() => false);
    // The stale page brings nothing new: the run ends there instead of re-sending it.
    expect(await publishOutbox({ csql: lagging, bus }, 2)).toEqual({ published: 2, failed: 0, failedIds: [] });
    expect(bus.calls.flat()).toEqual([all[0]!.id, all[1]!.id]);
    // The next run (a minute later, the index caught up) goes on with the rest.
    justMarked = [];
    expect(await publishOutbox({ csql: lagging, bus }, 2)).toEqual({ published: 2, failed: 0, failedIds: [] });
    expect(bus.calls.flat().sort()).toEqual(all.map((entry) => entry.id).sort());
  });

  it('stops after MAX_PAGES_PER_RUN pages, leaving the rest for the next run', async () => {
    const outbox = new MemoryOutbox();
    outbox.add(...entries(MAX_PAGES_PER_RUN + 5));
    const bus = new InProcessBus();
    const result = await publishOutbox({ csql: outbox, bus }, 1);
    expect(result.published).toBe(MAX_PAGES_PER_RUN);
    expect(outbox.pending.size).toBe(5);
  });

  it('refuses a page size that is not a positive integer', async () => {
    const outbox = new MemoryOutbox();
    await expect(publishOutbox({ csql: outbox, bus: new InProcessBus() }, 0)).rejects.toThrow(/limit must be a positive integer/);
  });
});

describe('publishedForm', () => {
  it('puts the entry id first in the detail, over any eventId the detail already had', () => {
    const entry: OutboxEntry = { id: 'csql-demoted:a:2026-12-10T00:00:00.000Z', detailType: 'AccountCsqlDemoted', detail: { version: '1', eventId: 'stale' }, createdAt: '2026-12-10T00:00:00.000Z' };
    const form = publishedForm(entry);
    expect(form.detail).toEqual({ eventId: entry.id, version: '1' });
    expect(Object.keys(form.detail)).toEqual(['eventId', 'version']);
    expect(entry.detail.eventId).toBe('stale');
  });
});

describe('InProcessBus', () => {
  it('never fails a publish: a throwing listener leaves the event in the dead letters and logs it', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const bus = new InProcessBus({
      listener: () => {
        throw new Error('CRM down');
      },
      log: (entry) => logged.push(entry),
    });
    const [entry] = entries(1);
    expect(await bus.publish([entry!])).toEqual({ failedIds: [] });
    expect(bus.published).toHaveLength(1);
    expect(bus.deadLetters).toEqual([{ event: bus.published[0], error: 'CRM down' }]);
    expect(logged[0]).toMatchObject({ level: 'ERROR', eventId: entry!.id });
    expect(bus.ofType(CSQL_QUALIFIED)).toHaveLength(1);
  });
});
