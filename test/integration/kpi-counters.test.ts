/**
 * KPI counters against DynamoDB Local: a run's counters move with its events in the engagement
 * path's transaction. Property: whatever the order and however often each event is delivered, the
 * counters equal what the distinct events say (totals, unique contacts by first-of-kind marker, per
 * tier and per locale). The sender's `sent` count moves once per send, however often it is marked.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runScript } from '../support/spawn-script.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { emptyCounts, kpiMoveOf, type KpiCounts } from '../../core/reporting/kpi-counters.ts';
import { recordEngagement } from '../../core/scoring/record-engagement.ts';
import type { EngagementEvent } from '../../core/tracking/engagement-event.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
const now = new Date('2026-12-02T00:00:00Z');
const clock = { now: () => now };

beforeAll(async () => {
  table = await createTestTable('kpi-counters', { kpiStream: true });
  ({ config } = await openConfig());
});
afterAll(() => table.drop());

const CONTACTS = [
  { contactId: 'k1', tier: 'tier1', locale: 'ja' },
  { contactId: 'k2', tier: 'tier2', locale: 'en' },
  { contactId: 'k3', tier: 'tier2', locale: 'ja' },
] as const;
const TYPES = ['delivery', 'bounce', 'complaint', 'open', 'click', 'unsubscribe'] as const;

const eventArb = fc.record({
  contact: fc.constantFrom(...CONTACTS),
  type: fc.constantFrom(...TYPES),
  machine: fc.boolean(),
  hard: fc.boolean(),
  minute: fc.integer({ min: 0, max: 600 }),
});

/** What the distinct events say, counted the plain way (sets of contacts for the unique counts). */
function expectedCounts(events: readonly EngagementEvent[], keep: (event: EngagementEvent) => boolean = () => true): KpiCounts {
  const counts = emptyCounts();
  const firsts = new Set<string>();
  for (const event of events.filter(keep)) {
    const move = kpiMoveOf(event);
    if (!move) continue;
    for (const [count, amount] of Object.entries(move.add)) counts[count as keyof KpiCounts] += amount;
    for (const first of move.firsts) {
      if (firsts.has(`${first.kind}|${move.contactId}`)) continue;
      firsts.add(`${first.kind}|${move.contactId}`);
      for (const [count, amount] of Object.entries(first.add)) counts[count as keyof KpiCounts] += amount;
    }
  }
  return counts;
}

describe('KPI counters', () => {
  it('equal the distinct events whatever their order and repeats (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 14 }), fc.array(fc.nat(), { maxLength: 10 }), fc.nat(), async (drawn, repeats, seed) => {
        run += 1;
        const runId = `r${run}`;
        const events: EngagementEvent[] = drawn.map((draw, index) => ({
          eventId: `${runId}-e${index}`,
          type: draw.type,
          contactId: draw.contact.contactId,
          accountId: `acc-${draw.contact.contactId}`,
          occurredAt: new Date(now.getTime() - draw.minute * 60_000).toISOString(),
          campaignId: 'news',
          runId,
          machine: (draw.type === 'open' || draw.type === 'click') && draw.machine,
          detail: { tier: draw.contact.tier, locale: draw.contact.locale, ...(draw.type === 'bounce' ? { bounceType: draw.hard ? 'Permanent' : 'Transient' } : {}) },
        }));
        // Delivered out of order (a seeded shuffle) with some events resent.
        const delivery = [...events, ...repeats.map((pick) => events[pick % events.length]!)];
        let state = seed;
        for (let i = delivery.length - 1; i > 0; i--) {
          state = (state * 1103515245 + 12345) % 2 ** 31;
          const j = state % (i + 1);
          [delivery[i], delivery[j]] = [delivery[j]!, delivery[i]!];
        }
        const path = { engagement: table.store.engagement, scores: table.store.scores, scoring: config.scoring, clock };
        for (const event of delivery) await recordEngagement(event, path);
        // Counted from the table's stream, as the KpiCounters function counts.
        await table.countKpis();

        const stored = await table.store.kpis.runCounters('news', runId);
        expect(stored?.totals).toEqual(expectedCounts(events));
        for (const tier of ['tier1', 'tier2']) {
          const expected = expectedCounts(events, (event) => event.detail.tier === tier);
          expect(stored?.byTier[tier] ?? emptyCounts()).toEqual(expected);
        }
        for (const locale of ['ja', 'en']) {
          expect(stored?.byLocale[locale] ?? emptyCounts()).toEqual(expectedCounts(events, (event) => event.detail.locale === locale));
        }
      }),
      { numRuns: 25 },
    );
  }, 240_000);

  it('counts a send once however often it is marked sent, per tier and locale, and refuses a send never claimed', async () => {
    const ref = { campaignId: 'news', runId: 'sent-run', contactId: 'k1' };
    expect(await table.store.sends.claimSend({ ...ref, accountId: 'acc-k1', tier: 'tier1', locale: 'ja', state: 'claimed', claimedAt: now.toISOString() })).toBe(true);
    await table.store.sends.markSent(ref, 'ses-1', now, { tier: 'tier1', locale: 'ja' });
    await table.store.sends.markSent(ref, 'ses-1', now, { tier: 'tier1', locale: 'ja' });
    await table.countKpis();
    const counters = await table.store.kpis.runCounters('news', 'sent-run');
    expect(counters?.totals.sent).toBe(1);
    expect(counters?.byTier.tier1?.sent).toBe(1);
    expect(counters?.byLocale.ja?.sent).toBe(1);
    expect((await table.store.sends.getSend('news', 'sent-run', 'k1'))?.state).toBe('sent');
    await expect(table.store.sends.markSent({ ...ref, contactId: 'nobody' }, 'ses-2', now)).rejects.toThrow(/no claimed send/);
    await table.countKpis();
    expect((await table.store.kpis.runCounters('news', 'sent-run'))?.totals.sent).toBe(1);
  });

  it('counts a link\'s clicks from the stream: once however often the click is delivered, moved to machines by a reclassification, never creating a link set that was not stored', async () => {
    const deps = { engagement: table.store.engagement, scores: table.store.scores, scoring: config.scoring, clock };
    expect(await table.store.sends.saveMessageLinks({ messageId: 'news', runId: 'link-run', linkSet: 'set-a', locale: 'ja', links: ['https://example.com/a', 'https://example.com/b'], savedAt: now.toISOString() })).toBe(true);
    const click = (eventId: string, link: number, machine: boolean, linkSet = 'set-a'): EngagementEvent => ({
      eventId, type: 'click', contactId: 'k1', accountId: 'acc-k1', occurredAt: now.toISOString(), campaignId: 'news', runId: 'link-run', machine, detail: { link, linkSet, tier: 'tier1', locale: 'ja' },
    });
    for (const event of [click('c1', 1, false), click('c1', 1, false), click('c2', 1, false), click('c3', 0, true)]) await recordEngagement(event, deps);
    const reclassified: EngagementEvent = { eventId: 'c2-r', type: 'click-reclassified', contactId: 'k1', accountId: 'acc-k1', occurredAt: now.toISOString(), campaignId: 'news', runId: 'link-run', machine: true, detail: { clickEventId: 'c2', reason: 'burst', link: 1, linkSet: 'set-a' } };
    await recordEngagement(reclassified, deps);
    await recordEngagement(reclassified, deps);
    await table.countKpis();
    const [links] = await table.store.sends.listMessageLinksOfRun('news', 'link-run');
    expect(links?.clicks).toEqual({ human: [0, 1], machine: [1, 1] });
    // A click naming a link set the run never stored: the click and its run counts go in, no stray link set appears.
    expect(await recordEngagement(click('c4', 0, false, 'never-stored'), deps)).toBe(true);
    await table.countKpis();
    expect((await table.store.sends.listMessageLinksOfRun('news', 'link-run')).map((set) => set.linkSet)).toEqual(['set-a']);
    expect((await table.store.kpis.runCounters('news', 'link-run'))?.totals).toMatchObject({ clicks: 2, machineClicks: 2, clickers: 1 });
  });

  it('lists every run of a campaign with its counters (one query, whatever the number of sends)', async () => {
    const runs = await table.store.kpis.runCountersOf('news');
    expect(runs.map((run) => run.run.runId)).toContain('sent-run');
    expect(runs.every((run) => run.run.messageId === 'news' && run.firstAt.length > 0)).toBe(true);
  });

  it('npm run report prints the counters by run, by tier and as CSV, and refuses an unknown campaign', async () => {
    // A run of the shipped newsletter: two people open, one of them clicks twice, a scanner clicks.
    const path = { engagement: table.store.engagement, scores: table.store.scores, scoring: config.scoring, clock };
    const at = now.toISOString();
    const base = { accountId: 'acc-r', occurredAt: at, campaignId: 'monthly-newsletter', runId: 'report-run', machine: false };
    const events: EngagementEvent[] = [
      { ...base, eventId: 'rep-1', type: 'open', contactId: 'a', detail: { tier: 'tier1', locale: 'ja' } },
      { ...base, eventId: 'rep-2', type: 'open', contactId: 'b', detail: { tier: 'tier2', locale: 'en' } },
      { ...base, eventId: 'rep-3', type: 'click', contactId: 'a', detail: { tier: 'tier1', locale: 'ja', link: 0 } },
      { ...base, eventId: 'rep-4', type: 'click', contactId: 'a', detail: { tier: 'tier1', locale: 'ja', link: 1 } },
      { ...base, eventId: 'rep-5', type: 'click', contactId: 'b', machine: true, detail: { tier: 'tier2', locale: 'en', link: 0 } },
    ];
    for (const event of events) await recordEngagement(event, path);
    await table.store.customers.upsertAccount({ accountId: 'acc-r', name: 'R', tier: 'tier1', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
    await table.store.customers.upsertContact({ contactId: 'a', accountId: 'acc-r', email: 'a@example.com', firstName: 'Aiko', lastName: 'Sato', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
    const env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.tableName };
    // A table named by DYNAMODB_ENDPOINT is counted by whoever reads its stream (here the test), not by the report.
    await table.countKpis();

    const byRun = await runScript('scripts/report.ts', ['campaign', 'monthly-newsletter'], env);
    expect(byRun.code).toBe(0);
    expect(byRun.output).toMatch(/report-run\s+0\s+0\s+0 \(0\)\s+0\s+0\s+2\s+2\s+0\s+1\s+2\s+1/);
    const csv = await runScript('scripts/report.ts', ['tier', 'monthly-newsletter', '--format', 'csv'], env);
    expect(csv.code).toBe(0);
    // The output holds the tool's stderr too (Node's warnings): the CSV starts at its header.
    const lines = csv.output.slice(csv.output.indexOf('key,')).trim().split('\n');
    expect(lines[0]).toMatch(/^key,sent,delivered,/);
    expect(lines.find((line) => line.startsWith('tier1,'))).toMatch(/^tier1,0,0,0,0,0,0,0,0,1,2,0,0,1,1,/);
    const who = await runScript('scripts/report.ts', ['who-clicked', 'monthly-newsletter', '--format', 'json'], env);
    expect(JSON.parse(who.output.slice(who.output.indexOf('['), who.output.lastIndexOf(']') + 1))).toEqual([{ contactId: 'a', email: 'a@example.com', name: 'Aiko Sato', accountId: 'acc-r', clicks: 2, links: '0 1', firstClickAt: at }]);
    const unknown = await runScript('scripts/report.ts', ['campaign', 'monthly-newsleter'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/no campaign, sequence or webinar 'monthly-newsleter'; known: /);
  }, 120_000);
});
