/**
 * Machine clicks judged in context, end to end against DynamoDB Local: real emails go through the
 * dispatcher and the sender (link sets stored with their honeypot), then the HTTP app's click
 * route judges each click by the recipient's earlier clicks and opens of that email (one query),
 * and takes back earlier clicks a honeypot or burst shows to be a machine's through
 * `click-reclassified` events on the engagement path: the score and the per-link people counts
 * end as if the scanner had never been taken for a person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import type { OutgoingEmail } from '../../core/ports.ts';
import { campaignEventsOf, campaignKpis } from '../../core/reporting/campaign-kpis.ts';
import { scoreAt } from '../../core/scoring/decayed-score.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';
import { halfLifeOf } from '../../core/scoring/score-event.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { processSendBatch, type SenderDeps } from '../../core/sending/send-emails.ts';
import { HONEYPOT_LANDING_PATH } from '../../core/tracking/honeypot-link.ts';
import { verifyToken } from '../../core/tracking/link-token.ts';
import { createHttpApp } from '../../http/app.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { drainQueue, openConfig, RecordingMailer, senderDeps } from '../support/sending-fixtures.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SCANNER_IP = '203.0.113.9';
const PERSON_IP = '198.51.100.7';
const SENT_AT = new Date('2026-12-02T01:00:00Z');
let now = SENT_AT;
const clock = { now: () => now };
const at = (ms: number) => (now = new Date(SENT_AT.getTime() + ms));

let table: TestTable;
let config: EngineConfig;
let campaign: Campaign;
let deps: SenderDeps;
let runId: string;
const mailer = new RecordingMailer();

const CONTACTS = [
  { contactId: 'scanned-1', email: 'scanned@example.com' },
  { contactId: 'trapped-1', email: 'trapped@example.com' },
  { contactId: 'person-1', email: 'person@example.com' },
] as const;

beforeAll(async () => {
  table = await createTestTable('machine-clicks', { kpiStream: true });
  ({ config, campaign } = await openConfig());
  deps = senderDeps(table.store, config, mailer, clock);
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme Inc.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'USD' }, now);
  for (const contact of CONTACTS) {
    await table.store.customers.upsertContact(
      { ...contact, locale: 'en', accountId: 'acc', firstName: 'Alex', lastName: 'Kim', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] },
      now,
    );
  }
  const queue = new InProcessQueue();
  runId = (await dispatchCampaignRun(campaign, SENT_AT, { ...table.store, runs: table.store.campaignRuns, config, queue, clock })).runId;
  await drainQueue(queue, deps, processSendBatch);
  expect(mailer.sent).toHaveLength(CONTACTS.length);
}, 60_000);
afterAll(() => table.drop());

const app = () =>
  createHttpApp({
    customers: table.store.customers,
    clock,
    ingestToken: 'ingest-token-0123456789',
    tracking: { ...withEngagementPath(table.store, config.scoring, clock), topics: config.topics, clock, tokenSecret: deps.links.tokenSecret, log: () => {} },
  });

const emailTo = (contactId: string): OutgoingEmail => mailer.sent.find((email) => email.to === CONTACTS.find((contact) => contact.contactId === contactId)!.email)!;
const HONEYPOT_ANCHOR = /<a href="(https:\/\/links\.example\.com\/c\/[^"]+)" aria-hidden="true" tabindex="-1" style="[^"]*display:none[^"]*">/g;
const honeypotUrl = (email: OutgoingEmail) => [...email.html.matchAll(HONEYPOT_ANCHOR)].map((match) => match[1]!);
const contentUrls = (email: OutgoingEmail) => {
  const trap = new Set(honeypotUrl(email));
  return [...email.html.matchAll(/href="(https:\/\/links\.example\.com\/c\/[^"]+)"/g)].map((match) => match[1]!).filter((url) => !trap.has(url));
};
const pathOf = (url: string) => new URL(url).pathname;
const linkSetOf = (url: string) => verifyToken(pathOf(url).slice('/c/'.length), deps.links.tokenSecret)!.linkSet!;
const click = (url: string, ip: string, userAgent = CHROME) => app().request(pathOf(url), { headers: { 'user-agent': userAgent, 'x-forwarded-for': ip } });
const scoreOf = async (contactId: string) => {
  const stored = await table.store.scores.getScore('contact', contactId);
  return stored ? scoreAt(stored.scaledSum, now, halfLifeOf(config.scoring), stored.epoch) : 0;
};
const eventsOf = async (contactId: string) => table.store.engagement.listEventsOfContact(contactId);

describe('the honeypot link in a sent email', () => {
  it('is in the HTML part once, hidden, leading to a real page through a normal click URL, and absent from the text part', async () => {
    const email = emailTo('person-1');
    const [trap, ...more] = honeypotUrl(email);
    expect(trap).toBeDefined();
    expect(more).toEqual([]);
    expect(email.text).not.toContain(pathOf(trap!).slice('/c/'.length));
    await table.countKpis();
    const stored = await table.store.sends.getMessageLinks(campaign.id, runId, linkSetOf(trap!));
    const position = verifyToken(pathOf(trap!).slice('/c/'.length), deps.links.tokenSecret)!.link!;
    expect(stored?.honeypot).toBe(position);
    expect(position).toBe(stored!.links.length - 1);
    // Where a scanner following it lands: a 200 page, not a 404.
    expect(stored!.links[position]).toBe(`https://links.example.com${HONEYPOT_LANDING_PATH}`);
    const landing = await app().request(HONEYPOT_LANDING_PATH);
    expect(landing.status).toBe(200);
    expect(landing.headers.get('x-robots-tag')).toBe('noindex');
  });
});

describe('clicks judged in context', () => {
  it('a scanner waiting 2 minutes with a Chrome user agent, clicking 3 links within 1 s, is a burst: its first click is taken back', async () => {
    const email = emailTo('scanned-1');
    const urls = contentUrls(email).slice(0, 3);
    expect(urls).toHaveLength(3);
    const before = await scoreOf('scanned-1');
    for (const [index, url] of urls.entries()) {
      at(120_000 + index * 400);
      const response = await click(url, SCANNER_IP);
      expect(response.status).toBe(302);
      if (index === 0) expect(await scoreOf('scanned-1')).toBeCloseTo(before + config.scoring.weights.click, 9);
    }
    const events = await eventsOf('scanned-1');
    const clicks = events.filter((event) => event.type === 'click');
    expect(clicks.map((event) => event.machine)).toEqual([false, true, true]);
    expect(clicks.slice(1).map((event) => event.detail.machineReason)).toEqual(['burst', 'burst']);
    expect(events.filter((event) => event.type === 'click-reclassified')).toEqual([
      expect.objectContaining({ occurredAt: clicks[0]!.occurredAt, detail: expect.objectContaining({ clickEventId: clicks[0]!.eventId, reason: 'burst' }) }),
    ]);
    // The contact's score is as if the scanner had never clicked.
    expect(await scoreOf('scanned-1')).toBeCloseTo(before, 9);
    await table.countKpis();
    const counts = (await table.store.sends.getMessageLinks(campaign.id, runId, linkSetOf(urls[0]!)))!.clicks;
    expect(counts.human.slice(0, 3)).toEqual([0, 0, 0]);
    expect(counts.machine.slice(0, 3)).toEqual([1, 1, 1]);
    const kpis = campaignKpis(CONTACTS.length, await campaignEventsOf(campaign.id, CONTACTS.map((contact) => contact.contactId), table.store.engagement));
    expect(kpis.clicked.human).toBe(0);
    expect(kpis.clicked.machineOnly).toBe(1);
  });

  it('a honeypot click after two human-looking clicks takes both back', async () => {
    const email = emailTo('trapped-1');
    const [first, second] = contentUrls(email);
    at(40 * 60_000);
    await click(first!, SCANNER_IP);
    at(40 * 60_000 + 30_000);
    await click(second!, SCANNER_IP);
    // Two clicks judged a person's, decayed over the half-minute between them: scored as such for now.
    expect(await scoreOf('trapped-1')).toBeCloseTo(2 * config.scoring.weights.click, 3);
    at(40 * 60_000 + 45_000);
    const trap = await click(honeypotUrl(email)[0]!, SCANNER_IP);
    expect(trap.status).toBe(302);
    expect(trap.headers.get('location')).toBe(`https://links.example.com${HONEYPOT_LANDING_PATH}`);
    const events = await eventsOf('trapped-1');
    expect(events.filter((event) => event.type === 'click').find((event) => event.detail.honeypot === true)).toMatchObject({ machine: true, detail: { machineReason: 'honeypot' } });
    expect(events.filter((event) => event.type === 'click-reclassified').map((event) => event.detail.reason)).toEqual(['honeypot', 'honeypot']);
    expect(await scoreOf('trapped-1')).toBeCloseTo(0, 9);
  });

  it('a person who opens, then clicks one link 5 minutes later, stays a person and scores', async () => {
    const email = emailTo('person-1');
    at(60 * 60_000);
    const pixel = /<img src="(https:\/\/links\.example\.com\/o\/[^"]+)"/.exec(email.html)![1]!;
    expect((await app().request(pathOf(pixel), { headers: { 'user-agent': CHROME, 'x-forwarded-for': PERSON_IP } })).status).toBe(200);
    at(65 * 60_000);
    expect((await click(contentUrls(email)[1]!, PERSON_IP)).status).toBe(302);
    const clicks = (await eventsOf('person-1')).filter((event) => event.type === 'click');
    expect(clicks).toEqual([expect.objectContaining({ machine: false, detail: expect.objectContaining({ link: 1, clientKey: expect.any(String) }) })]);
    expect(JSON.stringify(clicks)).not.toContain(PERSON_IP);
    // The open 5 minutes before the click has decayed a little.
    expect(await scoreOf('person-1')).toBeCloseTo(config.scoring.weights.open + config.scoring.weights.click, 3);
    expect(await scoreOf('person-1')).toBeGreaterThan(config.scoring.weights.click);
    expect(campaignKpis(CONTACTS.length, await campaignEventsOf(campaign.id, CONTACTS.map((contact) => contact.contactId), table.store.engagement)).clicked).toEqual({ human: 1, machineOnly: 2 });
  });

  it('repeating the same requests at the same times changes nothing', async () => {
    const snapshot = async () => ({
      // Counted first: the counts come from the table's stream.
      counted: (await table.countKpis()).length >= 0,
      events: await Promise.all(CONTACTS.map(({ contactId }) => eventsOf(contactId))),
      scores: await Promise.all(CONTACTS.map(({ contactId }) => table.store.scores.getScore('contact', contactId))),
      counts: (await table.store.sends.getMessageLinks(campaign.id, runId, linkSetOf(contentUrls(emailTo('scanned-1'))[0]!)))!.clicks,
    });
    const before = await snapshot();
    const scanned = contentUrls(emailTo('scanned-1')).slice(0, 3);
    for (const [index, url] of scanned.entries()) {
      at(120_000 + index * 400);
      expect((await click(url, SCANNER_IP)).status).toBe(302);
    }
    const trapped = emailTo('trapped-1');
    for (const [ms, url] of [[40 * 60_000, contentUrls(trapped)[0]!], [40 * 60_000 + 30_000, contentUrls(trapped)[1]!], [40 * 60_000 + 45_000, honeypotUrl(trapped)[0]!]] as const) {
      at(ms);
      await click(url, SCANNER_IP);
    }
    at(65 * 60_000);
    await click(contentUrls(emailTo('person-1'))[1]!, PERSON_IP);
    expect(await snapshot()).toEqual(before);
  });
});
