/**
 * The click route's use case with its context, on in-memory fakes (no I/O): a click is judged by
 * what the recipient did before with the same email (click-context.ts), a honeypot or a burst
 * takes back earlier clicks judged a person's through `click-reclassified` events on the same
 * engagement path, and the per-link counts move with them. A scanner counted as a person would
 * inflate scores and send contacts down "clicked" branches; a person counted as a machine is lost.
 */
import { kpiMoveOf } from '../../../core/reporting/kpi-counters.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SendStore } from '../../../core/ports.ts';
import { campaignKpis } from '../../../core/reporting/campaign-kpis.ts';
import { signalWeights } from '../../../core/scoring/score-event.ts';
import type { Send } from '../../../core/sending/send.ts';
import { classifyRecipientClicks } from '../../../core/tracking/click-context.ts';
import type { EngagementEvent } from '../../../core/tracking/engagement-event.ts';
import { recordClick, type ClickTrackingDeps, type ResolvedClick } from '../../../core/tracking/follow-click.ts';
import { clickReclassifiedEvent, withReclassifiedClicks } from '../../../core/tracking/recipient-clicks.ts';
import { configFrom } from '../rendering/rendering-fixtures.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SCANNER_IP = '203.0.113.9';
const PERSON_IP = '198.51.100.7';
const SENT_AT = new Date('2026-12-02T01:00:00Z');
const LINKS = ['https://example.com/a', 'https://example.com/b', 'https://example.com/c', 'https://links.example.com/about/email-links'];
const HONEYPOT = 3;
const scoring = configFrom().scoring;

/** Sends, link counts and the engagement path in memory: events once per id, scores as the sum of signal weights. */
function memoryTracking(contactIds: readonly string[]) {
  let now = SENT_AT;
  const events = new Map<string, EngagementEvent>();
  const counts = { human: LINKS.map(() => 0), machine: LINKS.map(() => 0) };
  const sends = new Map<string, Send>(
    contactIds.map((contactId) => [contactId, { campaignId: 'news', runId: 'r1', contactId, accountId: 'acc', state: 'sent', claimedAt: SENT_AT.toISOString(), sentAt: SENT_AT.toISOString() }]),
  );
  const store: ClickTrackingDeps['sends'] = {
    getSend: async (_campaign, _run, contactId) => sends.get(contactId),
    getMessageLinks: async () => undefined,
    trackedEventsOfSend: (async (messageId, runId, contactId, since, limit) =>
      [...events.values()]
        .filter((event) => event.contactId === contactId && event.campaignId === messageId && event.runId === runId && event.occurredAt >= since.toISOString())
        .filter((event) => ['open', 'click', 'click-reclassified'].includes(event.type))
        .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))
        .slice(0, limit)) satisfies SendStore['trackedEventsOfSend'],
  };
  const deps: ClickTrackingDeps = {
    sends: store,
    engagement: {
      recordEvent: async (event) => {
        if (events.has(event.eventId)) return false;
        events.set(event.eventId, structuredClone(event));
        // The link's counts move with the event, as the store's transaction moves them.
        const link = kpiMoveOf(event)?.link;
        if (link?.clicks) counts.human[link.position]! += link.clicks;
        if (link?.machineClicks) counts.machine[link.position]! += link.machineClicks;
        return true;
      },
    },
    clock: { now: () => now },
    tokenSecret: 'unit-secret-0123456789',
  };
  const at = (ms: number) => (now = new Date(SENT_AT.getTime() + ms));
  const click = (contactId: string, position: number, ip = SCANNER_IP, userAgent = CHROME) => {
    const resolved: ResolvedClick = { messageId: 'news', runId: 'r1', contactId, linkSet: 'set-1', position, target: LINKS[position]!, honeypot: position === HONEYPOT, send: sends.get(contactId) };
    return recordClick(resolved, { method: 'GET', ip, userAgent }, deps);
  };
  const open = (contactId: string) => {
    const event: EngagementEvent = { eventId: `open-${contactId}-${now.toISOString()}`, type: 'open', contactId, accountId: 'acc', occurredAt: now.toISOString(), campaignId: 'news', runId: 'r1', machine: false, detail: {} };
    events.set(event.eventId, event);
  };
  /** The undecayed score: the sum of every stored event's signal weights (compensations included). */
  const score = (contactId: string) =>
    [...events.values()].filter((event) => event.contactId === contactId).flatMap((event) => signalWeights(event, scoring)).reduce((sum, { weight }) => sum + weight, 0);
  const clicksOf = (contactId: string) => withReclassifiedClicks([...events.values()]).filter((event) => event.type === 'click' && event.contactId === contactId);
  return { events, counts, at, click, open, score, clicksOf, store };
}

describe('recordClick in context', () => {
  it('a scanner that waits 2 minutes, sends Chrome and clicks 3 links within 1 s: a burst, the first click taken back', async () => {
    const t = memoryTracking(['c1']);
    t.at(120_000);
    const first = await t.click('c1', 0);
    // Alone, the first click looks like a person's: it is recorded and scored as one.
    expect(first).toMatchObject({ outcome: 'recorded', verdict: { machine: false }, reclassified: 0 });
    expect(t.score('c1')).toBe(scoring.weights.click);
    t.at(120_400);
    expect(await t.click('c1', 1)).toMatchObject({ outcome: 'recorded', verdict: { machine: true, reason: 'burst' }, reclassified: 1 });
    t.at(120_800);
    expect(await t.click('c1', 2)).toMatchObject({ outcome: 'recorded', verdict: { machine: true, reason: 'burst' }, reclassified: 0 });
    expect(t.score('c1')).toBe(0);
    expect(t.counts).toEqual({ human: [0, 0, 0, 0], machine: [1, 1, 1, 0] });
    expect(t.clicksOf('c1').map((event) => [event.machine, event.detail.machineReason])).toEqual([
      [true, 'burst'],
      [true, 'burst'],
      [true, 'burst'],
    ]);
    expect(campaignKpis(1, [...t.events.values()]).clicked).toEqual({ human: 0, machineOnly: 1 });
  });

  it('a honeypot click after two human-looking clicks of the same client takes both back', async () => {
    const t = memoryTracking(['c2']);
    t.at(30 * 60_000);
    expect(await t.click('c2', 0)).toMatchObject({ verdict: { machine: false } });
    t.at(30 * 60_000 + 20_000);
    expect(await t.click('c2', 2)).toMatchObject({ verdict: { machine: false } });
    expect(t.score('c2')).toBe(2 * scoring.weights.click);
    t.at(30 * 60_000 + 40_000);
    expect(await t.click('c2', HONEYPOT)).toMatchObject({ outcome: 'recorded', verdict: { machine: true, reason: 'honeypot' }, reclassified: 2 });
    expect(t.score('c2')).toBe(0);
    expect(t.counts).toEqual({ human: [0, 0, 0, 0], machine: [1, 0, 1, 1] });
    const stored = [...t.events.values()].filter((event) => event.type === 'click-reclassified');
    expect(stored.map((event) => event.detail.reason)).toEqual(['honeypot', 'honeypot']);
  });

  it('a person who opens, then clicks one link 5 minutes later, stays a person and scores; no raw address is stored', async () => {
    const t = memoryTracking(['c3']);
    t.at(60 * 60_000);
    t.open('c3');
    t.at(65 * 60_000);
    expect(await t.click('c3', 1, PERSON_IP)).toMatchObject({ outcome: 'recorded', verdict: { machine: false, weakSignals: [] } });
    expect(t.score('c3')).toBe(scoring.weights.open + scoring.weights.click);
    expect(t.counts.human).toEqual([0, 1, 0, 0]);
    const [click] = t.clicksOf('c3');
    expect(click?.detail).toMatchObject({ link: 1, linkSet: 'set-1', at: new Date(SENT_AT.getTime() + 65 * 60_000).toISOString(), clientKey: expect.any(String) });
    expect(JSON.stringify([...t.events.values()])).not.toContain(PERSON_IP);
  });

  it('repeating the same requests changes nothing', async () => {
    const t = memoryTracking(['c4']);
    const sweep = async () => {
      for (const [ms, position] of [[120_000, 0], [120_400, 1], [120_800, 2], [121_000, HONEYPOT]] as const) {
        t.at(ms);
        await t.click('c4', position);
      }
    };
    await sweep();
    const events = structuredClone([...t.events.entries()]);
    const counts = structuredClone(t.counts);
    await sweep();
    expect([...t.events.entries()]).toEqual(events);
    expect(t.counts).toEqual(counts);
  });

  it('whatever the clicks, compensations cancel exactly: score and people counts are those of the clicks still judged human, and a replay changes nothing', async () => {
    const clickArb = fc.record({
      // At least 1 ms apart: two clicks at the very same millisecond have no order, and the live path
      // (which sees them in arrival order) and a replay (which sees both) may then judge them apart.
      gapMs: fc.integer({ min: 1, max: 90_000 }),
      position: fc.integer({ min: 0, max: HONEYPOT }),
      client: fc.constantFrom(SCANNER_IP, PERSON_IP),
    });
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(clickArb, { minLength: 1, maxLength: 8 }), async (opened, clicks) => {
        const t = memoryTracking(['p']);
        t.at(15 * 60_000);
        if (opened) t.open('p');
        const replay = async () => {
          let ms = 20 * 60_000;
          for (const { gapMs, position, client } of clicks) {
            ms += gapMs;
            t.at(ms);
            await t.click('p', position, client);
          }
        };
        // No two requests of one client on one link in one minute: those are one click (one event) by design.
        let minuteMs = 20 * 60_000;
        const requests = clicks.map(({ gapMs, position, client }) => ({ at: new Date(SENT_AT.getTime() + (minuteMs += gapMs)), position, client }));
        fc.pre(new Set(requests.map(({ at, position, client }) => `${Math.floor(at.getTime() / 60_000)}|${position}|${client}`)).size === requests.length);
        await replay();
        const effective = t.clicksOf('p');
        // The live path ends where the batch replay of the same clicks ends (classifyRecipientClicks).
        const batch = classifyRecipientClicks({
          sentAt: SENT_AT,
          opens: opened ? [{ at: new Date(SENT_AT.getTime() + 15 * 60_000), machine: false }] : [],
          clicks: requests.map(({ at, position, client }) => ({ at, ip: client, userAgent: CHROME, linkPosition: position, honeypot: position === HONEYPOT })),
        });
        const key = (at: string, link: unknown, machine: boolean) => `${at}|${String(link)}|${machine}`;
        expect(effective.map((event) => key(String(event.detail.at), event.detail.link, event.machine)).sort()).toEqual(
          requests.map(({ at, position }, index) => key(at.toISOString(), position, batch.final[index]!.machine)).sort(),
        );
        const human = effective.filter((event) => !event.machine);
        expect(t.score('p')).toBeCloseTo((opened ? scoring.weights.open : 0) + human.length * scoring.weights.click, 9);
        expect(t.counts.human).toEqual(LINKS.map((_, position) => human.filter((event) => event.detail.link === position).length));
        expect(t.counts.human.reduce((a, b) => a + b, 0) + t.counts.machine.reduce((a, b) => a + b, 0)).toBe(effective.length);
        // Nobody clicks the honeypot: every click on it, and whatever it swept, is a machine's.
        for (const event of effective) if (event.detail.link === HONEYPOT) expect(event.machine).toBe(true);
        const before = structuredClone([...t.events.entries()]);
        await replay();
        expect([...t.events.entries()]).toEqual(before);
      }),
      { numRuns: 80, examples: [[false, [{ gapMs: 1, position: 3, client: '198.51.100.7' }, { gapMs: 1, position: 0, client: '203.0.113.9' }, { gapMs: 2001, position: 1, client: '203.0.113.9' }]]] },
    );
  });
});

describe('a click whose context cannot be read', () => {
  it('is still recorded, judged by the request and the honeypot alone, and says why', async () => {
    const t = memoryTracking(['c5']);
    t.store.trackedEventsOfSend = async () => Promise.reject(new Error('AccessDeniedException: not authorized to perform dynamodb:Query'));
    t.at(30 * 60_000);
    const person = await t.click('c5', 0, PERSON_IP);
    expect(person).toMatchObject({ outcome: 'recorded', verdict: { machine: false }, contextUnavailable: expect.stringContaining('dynamodb:Query') });
    t.at(30 * 60_000 + 1_000);
    expect(await t.click('c5', HONEYPOT)).toMatchObject({ outcome: 'recorded', verdict: { machine: true, reason: 'honeypot' }, reclassified: 0 });
    expect(t.counts).toEqual({ human: [1, 0, 0, 0], machine: [0, 0, 0, 1] });
  });
});

describe('the compensating event', () => {
  const click: EngagementEvent = { eventId: 'click-abc', type: 'click', contactId: 'c', accountId: 'a', occurredAt: '2026-12-02T01:05:00.000Z', campaignId: 'news', runId: 'r1', machine: false, detail: { link: 2, linkSet: 's' } };

  it('takes back exactly the click weight at the click time, and has an id of its own derived from the click', () => {
    const compensation = clickReclassifiedEvent(click, 'burst', 'click-def');
    expect(compensation).toMatchObject({ type: 'click-reclassified', occurredAt: click.occurredAt, machine: true, detail: { clickEventId: 'click-abc', reason: 'burst', link: 2, linkSet: 's' } });
    expect(clickReclassifiedEvent(click, 'honeypot', 'click-xyz').eventId).toBe(compensation.eventId);
    expect(signalWeights(compensation, scoring)).toEqual([{ signal: 'click', weight: -scoring.weights.click }]);
    expect(signalWeights(click, scoring)).toEqual([{ signal: 'click', weight: scoring.weights.click }]);
  });

  it('refuses to reclassify anything but a click', () => {
    expect(() => clickReclassifiedEvent({ ...click, type: 'open' }, 'burst', 'x')).toThrow(/only a click can be reclassified, got a open event \(click-abc\)/);
  });
});
