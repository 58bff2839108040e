/**
 * The webinar links in emails against DynamoDB Local: the one-click registration page registers
 * nobody on GET (link scanners fetch every link) and registers on its button's POST, once; the
 * question after it is stored with the registration; the calendar file follows a reschedule; the
 * survey redirect records a person's click and not a scanner's; a forged token writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { WebinarDeps } from '../../core/webinars/register-for-webinar.ts';
import { changeSession } from '../../core/webinars/change-session.ts';
import { requireSession } from '../../core/webinars/webinar-catalog.ts';
import { personalLink } from '../../core/webinars/webinar-message.ts';
import { createTrackingApp } from '../../http/tracking-app.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig, TEST_TOKEN_SECRET } from '../support/sending-fixtures.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';

let table: TestTable;
let config: EngineConfig;
let app: ReturnType<typeof createTrackingApp>;
let deps: WebinarDeps;
const now = new Date('2026-12-02T01:00:00Z');
const clock = { now: () => now };
const BASE = 'https://links.example.com';
const SCANNER = 'Mozilla/5.0 (compatible; Proofpoint URL Defense)';
const PERSON = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const path = (url: string) => url.slice(BASE.length);

beforeAll(async () => {
  table = await createTestTable('webinar-links');
  ({ config } = await openConfig());
  deps = { config, webinars: table.store.webinars, customers: table.store.customers, engagement: withEngagementPath(table.store, config.scoring, clock).engagement, sends: table.store.sends, clock };
  app = createTrackingApp({ ...withEngagementPath(table.store, config.scoring, clock), topics: config.topics, clock, tokenSecret: TEST_TOKEN_SECRET, webinarLinks: { ...deps, customers: table.store.customers, tokenSecret: TEST_TOKEN_SECRET, baseUrl: BASE } });
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  await table.store.customers.upsertContact({ contactId: 'taro', accountId: 'acc', email: 'taro@example.co.jp', firstName: '太郎', lastName: '山田', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
});
afterAll(() => table.drop());

describe('one-click registration', () => {
  const tokyo = () => requireSession(config, 'dashboards-101', 'tokyo-dec-10');
  const registerUrl = () => path(personalLink('register', tokyo(), { contactId: 'taro' }, { baseUrl: BASE, tokenSecret: TEST_TOKEN_SECRET }));

  it('shows a page with one button on GET and registers nobody, however often a scanner fetches it', async () => {
    for (const agent of [SCANNER, PERSON]) {
      const response = await app.request(registerUrl(), { headers: { 'user-agent': agent } });
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('このボタンで申し込む');
      expect(html).toContain('2026年12月10日(木) 14:00～15:00');
    }
    expect(await table.store.webinars.listRegistrants('dashboards-101')).toEqual([]);
    expect(await table.store.sends.listDueDeferredSends(new Date('2027-01-01'), 100)).toEqual([]);
  });

  it('registers on the button, once, plans the confirmation and reminders, and stores the answer to the question', async () => {
    const press = () => app.request(registerUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': PERSON }, body: 'form=register' });
    const first = await press();
    expect(await first.text()).toContain('お申し込みを受け付けました');
    await press();
    const registrants = await table.store.webinars.listRegistrants('dashboards-101');
    expect(registrants.map((registrant) => [registrant.email, registrant.contactId, registrant.source])).toEqual([['taro@example.co.jp', 'taro', 'link']]);
    const parked = await table.store.sends.listDueDeferredSends(new Date('2027-01-01'), 100);
    expect(parked.map((entry) => entry.request.runId).sort()).toEqual(['confirmation-tokyo-dec-10', 'reminder-1h-tokyo-dec-10-r0', 'reminder-24h-tokyo-dec-10-r0']);
    await app.request(registerUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `form=answer&answer=${encodeURIComponent('Slack 連携の設定方法')}` });
    expect((await table.store.webinars.getRegistrant('dashboards-101', 'tokyo-dec-10', 'taro@example.co.jp'))?.answers).toEqual([{ question: '当日聞いてみたいことはありますか？', answer: 'Slack 連携の設定方法' }]);
    expect((await table.store.engagement.listEventsOfContact('taro')).filter((event) => event.type === 'webinar-registered')).toHaveLength(1);
  });

  it('refuses a forged or altered token and writes nothing', async () => {
    const url = registerUrl();
    const forged = `${url.slice(0, -3)}${url.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const response = await app.request(forged, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'form=register' });
    expect(response.status).toBe(404);
    expect(await table.store.webinars.listRegistrants('dashboards-101')).toHaveLength(1);
  });

  it('serves the calendar file, and after a reschedule the new time under the same UID with a higher SEQUENCE', async () => {
    const icsUrl = path(personalLink('calendar', tokyo(), { contactId: 'taro' }, { baseUrl: BASE, tokenSecret: TEST_TOKEN_SECRET }));
    const before = await (await app.request(icsUrl)).text();
    expect(before).toContain('DTSTART:20261210T050000Z');
    expect(before).toContain('SEQUENCE:0');
    await changeSession('dashboards-101', 'tokyo-dec-10', { kind: 'reschedule', startsAt: new Date('2026-12-11T05:00:00Z'), endsAt: new Date('2026-12-11T06:00:00Z'), changedAt: now }, deps);
    const after = await (await app.request(icsUrl)).text();
    expect(after).toContain('DTSTART:20261211T050000Z');
    expect(after).toContain('SEQUENCE:1');
    expect(after.match(/^UID:.*$/mu)?.[0]).toBe(before.match(/^UID:.*$/mu)?.[0]);
  });

  it("records a person's survey click once and a scanner's not at all, and redirects both to the survey", async () => {
    const surveyUrl = path(personalLink('survey', tokyo(), { contactId: 'taro' }, { baseUrl: BASE, tokenSecret: TEST_TOKEN_SECRET }));
    const scanner = await app.request(surveyUrl, { headers: { 'user-agent': SCANNER } });
    expect(scanner.status).toBe(302);
    expect((await table.store.engagement.listEventsOfContact('taro')).filter((event) => event.type === 'webinar-survey')).toHaveLength(0);
    for (let i = 0; i < 2; i++) {
      const person = await app.request(surveyUrl, { headers: { 'user-agent': PERSON } });
      expect(person.headers.get('location')).toBe('https://example.com/survey/webinar');
    }
    expect((await table.store.engagement.listEventsOfContact('taro')).filter((event) => event.type === 'webinar-survey')).toHaveLength(1);
  });
});
