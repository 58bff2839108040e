/**
 * The links inside real emails, against DynamoDB Local: emails go through the dispatcher and the
 * sender (which stores their link sets), then the HTTP app answers their open pixel, click,
 * unsubscribe and preference links. Tampered tokens and fuzzed paths never write and never 5xx.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import type { OutgoingEmail } from '../../core/ports.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { processSendBatch, type SenderDeps } from '../../core/sending/send-emails.ts';
import { signToken, verifyToken } from '../../core/tracking/link-token.ts';
import { createHttpApp } from '../../http/app.ts';
import { createTestTable, scanTable, type TestTable } from '../support/dynamo.ts';
import { drainQueue, openConfig, RecordingMailer, senderDeps } from '../support/sending-fixtures.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SENT_AT = new Date('2026-12-02T01:00:00Z');
let now = SENT_AT;
const clock = { now: () => now };

let table: TestTable;
let config: EngineConfig;
let campaign: Campaign;
let deps: SenderDeps;
let runId: string;
const mailer = new RecordingMailer();

const CONTACTS = [
  { contactId: 'ja-1', email: 'hanako@example.co.jp', locale: 'ja' },
  { contactId: 'en-1', email: 'lee@example.com', locale: 'en' },
  { contactId: 'unsub-1', email: 'taro@example.co.jp', locale: 'ja' },
  { contactId: 'pref-1', email: 'kim@example.com', locale: 'en' },
] as const;

beforeAll(async () => {
  table = await createTestTable('tracking', { kpiStream: true });
  ({ config, campaign } = await openConfig());
  deps = senderDeps(table.store, config, mailer, clock);
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme K.K.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  for (const contact of CONTACTS) {
    await table.store.customers.upsertContact({ ...contact, accountId: 'acc', firstName: '花', lastName: '佐藤', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  }
  const queue = new InProcessQueue();
  const outcome = await dispatchCampaignRun(campaign, SENT_AT, { ...table.store, runs: table.store.campaignRuns, config, queue, clock });
  runId = outcome.runId;
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

function emailTo(contactId: string): OutgoingEmail {
  const address = CONTACTS.find((contact) => contact.contactId === contactId)!.email;
  return mailer.sent.find((email) => email.to === address)!;
}
const pathOf = (url: string) => new URL(url).pathname;
/** The content links' click URLs, in order (not the hidden honeypot link at the end of the body). */
const clickUrls = (email: OutgoingEmail) => [...email.html.matchAll(/href="(https:\/\/links\.example\.com\/c\/[^"]+)"(?! aria-hidden)/g)].map((match) => match[1]!);
const pixelUrl = (email: OutgoingEmail) => /<img src="(https:\/\/links\.example\.com\/o\/[^"]+)"/.exec(email.html)![1]!;
const unsubscribeUrl = (email: OutgoingEmail) => /^<(.+)>$/.exec(email.headers.find((header) => header.name === 'List-Unsubscribe')!.value)![1]!;
const preferencesUrl = (email: OutgoingEmail) => /href="(https:\/\/links\.example\.com\/p\/[^"]+)"/.exec(email.html)![1]!;
const get = (path: string, userAgent = CHROME, method = 'GET') => app().request(path, { method, headers: { 'user-agent': userAgent } });

async function itemCount(): Promise<number> {
  const doc = DynamoDBDocumentClient.from(table.client);
  let count = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT', ExclusiveStartKey }));
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
}

/** Every stored attribute of every item: proves "no write" beyond a count (counters are updates). */
async function tableSnapshot(): Promise<string> {
  return JSON.stringify((await scanTable(table)).map((item) => JSON.stringify(item)).sort());
}

async function eventsOf(contactId: string, type: string) {
  return (await table.store.engagement.listEventsOfContact(contactId)).filter((event) => event.type === type);
}

describe('open pixel', () => {
  it('answers a transparent GIF that is never cached, and records the open once per minute', async () => {
    now = new Date(SENT_AT.getTime() + 30 * 60_000);
    const path = pathOf(pixelUrl(emailTo('ja-1')));
    expect(path).toMatch(/^\/o\/[^/]+\.gif$/);
    for (let i = 0; i < 2; i++) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/gif');
      expect(response.headers.get('cache-control')).toMatch(/no-store/);
      expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.subarray(0, 6).toString('latin1')).toBe('GIF89a');
      expect(body.readUInt16LE(6)).toBe(1);
      expect(body.readUInt16LE(8)).toBe(1);
    }
    const opens = await eventsOf('ja-1', 'open');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ campaignId: campaign.id, runId, accountId: 'acc', machine: false });
  });

  it('flags an Apple Mail Privacy Protection fetch as a machine open', async () => {
    const response = await app().request(pathOf(pixelUrl(emailTo('en-1'))), { headers: { 'user-agent': 'Mozilla/5.0', 'x-forwarded-for': '17.58.63.10' } });
    expect(response.status).toBe(200);
    expect(await eventsOf('en-1', 'open')).toEqual([expect.objectContaining({ machine: true, detail: { tier: 'tier3', locale: 'en', machineReason: 'apple-mpp' } })]);
  });
});

describe('click redirect', () => {
  it('flags a click seconds after the send as a scanner', async () => {
    now = new Date(SENT_AT.getTime() + 2_000);
    const response = await get(pathOf(clickUrls(emailTo('en-1'))[0]!));
    expect(response.status).toBe(302);
    expect(await eventsOf('en-1', 'click')).toEqual([expect.objectContaining({ machine: true, detail: expect.objectContaining({ machineReason: 'too-fast' }) })]);
  });

  it('redirects a person to the stored link of their email, records the click and counts it for that link', async () => {
    now = new Date(SENT_AT.getTime() + 60 * 60_000);
    const [url] = clickUrls(emailTo('ja-1'));
    const claims = verifyToken(pathOf(url!).slice('/c/'.length), deps.links.tokenSecret)!;
    const response = await get(pathOf(url!));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://example.com/ja/releases');
    expect(await eventsOf('ja-1', 'click')).toEqual([
      expect.objectContaining({ machine: false, campaignId: campaign.id, runId, detail: { link: 0, linkSet: claims.linkSet, host: 'example.com', at: now.toISOString(), tier: 'tier3', locale: 'ja' } }),
    ]);
    // Link counts move from the table's stream (the KpiCounters function in AWS).
    await table.countKpis();
    const stored = await table.store.sends.getMessageLinks(campaign.id, runId, claims.linkSet!);
    // The newsletter has three content links (then its honeypot); only the first was clicked.
    expect(stored?.clicks).toEqual({ human: [1, 0, 0, 0], machine: [0, 0, 0, 0] });
    // The English email has its own link set and target.
    const english = await get(pathOf(clickUrls(emailTo('en-1'))[0]!));
    expect(english.headers.get('location')).toBe('https://example.com/releases');
  });

  it('counts scanner and HEAD clicks as machine clicks, and still redirects them', async () => {
    const path = pathOf(clickUrls(emailTo('ja-1'))[0]!);
    const linkSet = verifyToken(path.slice('/c/'.length), deps.links.tokenSecret)!.linkSet!;
    const scanner = await get(path, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b');
    expect(scanner.status).toBe(302);
    now = new Date(now.getTime() + 60_000);
    const head = await get(path, CHROME, 'HEAD');
    expect(head.status).toBe(302);
    const machine = (await eventsOf('ja-1', 'click')).filter((event) => event.machine);
    expect(machine.map((event) => event.detail.machineReason).sort()).toEqual(['head-request', 'scanner']);
    await table.countKpis();
    expect((await table.store.sends.getMessageLinks(campaign.id, runId, linkSet))?.clicks).toEqual({ human: [1, 0, 0, 0], machine: [2, 0, 0, 0] });
  });
});

describe('tampered and unknown tokens', () => {
  it('get a neutral answer and write nothing', async () => {
    const email = emailTo('ja-1');
    const click = pathOf(clickUrls(email)[0]!).slice('/c/'.length);
    const claims = verifyToken(click, deps.links.tokenSecret)!;
    const flip = (token: string) => token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    const secret = deps.links.tokenSecret;
    const before = await tableSnapshot();

    for (const path of [`/c/${flip(click)}`, `/c/${click}x`, `/c/not-a-token`]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).not.toMatch(/signature|token|expired|contact/i);
    }
    // Genuine signatures, but no stored link: a position past the end, or another link set.
    for (const forged of [{ ...claims, link: 7 }, { ...claims, linkSet: 'AAAAAAAAAAAAAAAA' }, { ...claims, purpose: 'open' as const }]) {
      expect((await get(`/c/${signToken(forged, secret)}`)).status).toBe(404);
    }
    const pixel = pathOf(pixelUrl(email));
    for (const path of [`/o/${flip(pixel.slice('/o/'.length))}`, `/o/${click}.gif`, '/o/anything.gif', `/o/${signToken({ ...claims, link: undefined, linkSet: undefined, purpose: 'open', contactId: 'nobody' }, secret)}.gif`]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/gif');
    }
    const unsubscribe = pathOf(unsubscribeUrl(email)).slice('/u/'.length);
    for (const path of [`/u/${flip(unsubscribe)}`, `/p/${unsubscribe}`, `/u/${click}`]) {
      expect((await app().request(path, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, path).toBe(404);
      expect((await get(path)).status, path).toBe(404);
    }
    expect(await tableSnapshot()).toBe(before);
    expect(await table.store.suppressions.suppressedAmong([email.to])).toEqual(new Map());
  });
});

describe('unsubscribe', () => {
  it('RFC 8058 one-click POST suppresses the address at once: the next send is skipped', async () => {
    const email = emailTo('unsub-1');
    expect(email.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    const response = await app().request(pathOf(unsubscribeUrl(email)), {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(200);
    expect((await table.store.suppressions.suppressedAmong([email.to])).get(email.to)).toMatchObject({ reason: 'unsubscribe' });
    expect(await eventsOf('unsub-1', 'unsubscribe')).toEqual([expect.objectContaining({ campaignId: campaign.id, runId, machine: false, detail: { scope: 'all', tier: 'tier3', locale: 'ja' } })]);
    // Again (a mail client retrying): still 200, still one event.
    expect((await app().request(pathOf(unsubscribeUrl(email)), { method: 'POST' })).status).toBe(200);
    expect(await eventsOf('unsub-1', 'unsubscribe')).toHaveLength(1);

    const sentBefore = mailer.sent.length;
    const next = { source: { kind: 'campaign', campaignId: campaign.id }, runId: '20270102T010000Z', contactId: 'unsub-1', accountId: 'acc' };
    const { outcomes } = await processSendBatch([{ id: 'm1', body: next }], deps);
    expect(outcomes.get('m1')).toBe('skipped');
    expect(mailer.sent.length).toBe(sentBefore);
    expect(await table.store.sends.listSkipsOfRun(campaign.id, next.runId)).toEqual([expect.objectContaining({ contactId: 'unsub-1', reason: 'suppressed' })]);
  });

  it('GET shows a confirmation page in the contact\'s language, whose button unsubscribes; GET alone changes nothing', async () => {
    const email = emailTo('ja-1');
    const path = pathOf(unsubscribeUrl(email));
    const before = await itemCount();
    const page = await get(path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('すべてのメール配信を停止する');
    expect(html).toContain('h***@example.co.jp');
    expect(html).not.toContain(email.to);
    expect(html).toContain('製品ニュース');
    expect(await itemCount()).toBe(before);
    expect(await table.store.suppressions.suppressedAmong([email.to])).toEqual(new Map());

    const english = await (await get(`${path}?lang=en`)).text();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('Unsubscribe from all emails');

    // The button, as a browser would submit it.
    const form = /<form method="post" action="([^"]+)">\s*<input type="hidden" name="List-Unsubscribe" value="One-Click">/.exec(html)!;
    const action = new URL(form[1]!.replace(/&amp;/g, '&'), `http://localhost${path}`);
    const done = await app().request(action.pathname + action.search, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('配信を停止しました');
    expect(await table.store.suppressions.suppressedAmong([email.to])).toHaveProperty('size', 1);
  });
});

describe('preference centre', () => {
  it('shows the topics in the contact\'s language (ja and en), with a language switch', async () => {
    const english = await get(pathOf(preferencesUrl(emailTo('pref-1'))));
    expect(english.status).toBe(200);
    const en = await english.text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Email preferences');
    for (const label of ['Product news', 'Tips and best practices', 'Webinars']) expect(en).toContain(label);
    expect(en.match(/type="checkbox" name="topic" value="[^"]+" checked/g)).toHaveLength(3);

    const japanese = await (await get(`${pathOf(preferencesUrl(emailTo('pref-1')))}?lang=ja`)).text();
    expect(japanese).toContain('<html lang="ja">');
    for (const label of ['配信設定', '製品ニュース', '活用のヒント', 'ウェビナーのご案内']) expect(japanese).toContain(label);
  });

  it('POST saves the topics opted out of; the sender then skips that topic', async () => {
    const path = pathOf(preferencesUrl(emailTo('pref-1')));
    const response = await app().request(path, {
      method: 'POST',
      body: 'form=preferences&topic=tips',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Your preferences are saved.');
    expect(html).toContain('value="tips" checked');
    expect(html).not.toContain('value="product-news" checked');
    expect((await table.store.customers.getContact('pref-1'))?.topicsOptedOut.sort()).toEqual(['product-news', 'webinars']);
    expect(await eventsOf('pref-1', 'unsubscribe')).toEqual([expect.objectContaining({ detail: { scope: 'topics', topics: 'product-news,webinars', tier: 'tier3', locale: 'en' } })]);

    expect(campaign.topic).toBe('product-news');
    const next = { source: { kind: 'campaign', campaignId: campaign.id }, runId: '20270102T010000Z', contactId: 'pref-1', accountId: 'acc' };
    const { outcomes } = await processSendBatch([{ id: 'm2', body: next }], deps);
    expect(outcomes.get('m2')).toBe('skipped');
  });

  it('refuses a body that is not the preference form, writing nothing', async () => {
    const before = await tableSnapshot();
    const path = pathOf(preferencesUrl(emailTo('en-1')));
    const response = await app().request(path, { method: 'POST', body: 'topic=tips', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(400);
    expect(await tableSnapshot()).toBe(before);
  });
});

describe('fuzzed tokens and paths', () => {
  it('never answer 5xx and never write', async () => {
    const genuine = [
      ...clickUrls(emailTo('ja-1')).map((url) => pathOf(url).slice(3)),
      pathOf(pixelUrl(emailTo('en-1'))).slice(3).replace(/\.gif$/, ''),
      pathOf(unsubscribeUrl(emailTo('en-1'))).slice(3),
      pathOf(preferencesUrl(emailTo('en-1'))).slice(3),
    ];
    const altered = fc
      .tuple(fc.constantFrom(...genuine), fc.nat(), fc.string({ minLength: 1, maxLength: 3 }))
      .map(([token, at, insert]) => {
        const index = at % token.length;
        return token.slice(0, index) + insert + token.slice(index + 1);
      })
      .filter((token) => !genuine.includes(token));
    const token = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,160}\.[A-Za-z0-9_-]{0,30}(\.gif)?$/),
      altered,
      altered.map((value) => `${value}.gif`),
      fc.string({ unit: 'binary', maxLength: 60 }),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'HEAD'),
      prefix: fc.constantFrom('o', 'c', 'u', 'p'),
      token,
      encode: fc.boolean(),
      tail: fc.constantFrom('', '/', '/extra', '?lang=xx', '?lang=en', '/..', '%', '%E0%A4%A'),
      body: fc.option(fc.oneof(fc.string({ maxLength: 100 }), fc.constant('List-Unsubscribe=One-Click'), fc.constant('form=preferences&topic=tips')), { nil: undefined }),
    });
    const before = await tableSnapshot();
    await fc.assert(
      fc.asyncProperty(request, async ({ method, prefix, token: value, encode, tail, body }) => {
        const segment = encode ? encodeURIComponent(value) : value.replace(/[#?\s]/g, '');
        const path = `/${prefix}/${segment}${tail}`;
        let response: Response;
        try {
          response = await app().request(path, {
            method,
            headers: { 'user-agent': CHROME, 'content-type': 'application/x-www-form-urlencoded' },
            ...(method === 'POST' && body !== undefined ? { body } : {}),
          });
        } catch (error) {
          // Only a URL the fetch API itself refuses may fail here; the app never sees it.
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        expect(response.status, `${method} ${path}`).toBeLessThan(500);
        if (prefix === 'c' && response.status === 302) throw new Error(`redirected for a fuzzed token: ${path}`);
      }),
      { numRuns: 400 },
    );
    expect(await tableSnapshot()).toBe(before);
  });
});
