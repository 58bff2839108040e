/**
 * NPS survey answers through the HTTP app against DynamoDB Local, from the email the sender renders:
 * a GET (a link scanner, or a person looking) records nothing; the Save button's POST saves the
 * answer once, and a resent POST converges; a later answer changes it (the previous score kept); a
 * comment in ja or en is added and changed with the same link; a tampered token writes nothing; a
 * detractor raises one AccountChurnRiskRaised in the outbox, published by the existing job; the
 * account's NPS feeds its health score.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfigLocation, loadConfigOrThrow } from '../../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { OutboxEntry } from '../../core/qualification/csql-promotion.ts';
import { publishOutbox } from '../../core/qualification/publish-outbox.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';
import { readAccountHealth } from '../../core/scoring/health-score.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { CHURN_RISK_RAISED } from '../../core/surveys/churn-risk.ts';
import { createTrackingApp } from '../../http/tracking-app.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig, RecordingMailer, REPO_ROOT, senderDeps, TEST_TOKEN_SECRET } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
let app: ReturnType<typeof createTrackingApp>;
let now = new Date('2027-01-19T01:00:00Z');
const clock = { now: () => now };
const BASE = 'https://links.example.com';
const SCANNER = 'Mozilla/5.0 (compatible; Proofpoint URL Defense)';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** Answer links by contact, 0..10, as they are in each recipient's email. */
const answerLinks = new Map<string, string[]>();

const answersOf = () => table.store.surveys.listAnswers('nps-2026-h2');
const surveyEvents = async (contactId: string) => (await table.store.engagement.listEventsOfContact(contactId)).filter((event) => event.type === 'survey-answered');
const churnEntries = async () => (await table.store.csql.listUnpublished(100)).filter((entry) => entry.detailType === CHURN_RISK_RAISED);
const link = (contactId: string, score: number) => (answerLinks.get(contactId)?.[score] ?? '').slice(BASE.length);
const save = (path: string, body = 'form=answer') => app.request(path, { method: 'POST', headers: FORM, body });

beforeAll(async () => {
  table = await createTestTable('nps-survey');
  const shipped = await loadConfigOrThrow(defaultConfigLocation(REPO_ROOT));
  const { config: relaxed } = await openConfig();
  config = { ...relaxed, campaigns: shipped.campaigns.filter((campaign) => campaign.id === 'nps-survey') };
  const store = withEngagementPath(table.store, config.scoring, clock);
  app = createTrackingApp({
    ...store,
    topics: config.topics,
    clock,
    tokenSecret: TEST_TOKEN_SECRET,
    surveyLinks: { surveys: config.surveys, customers: table.store.customers, answers: table.store.surveys, engagement: store.engagement, clock, tokenSecret: TEST_TOKEN_SECRET },
  });
  await table.store.customers.upsertAccount({ accountId: 'acme', name: 'Acme', tier: 'tier1', plan: 'professional', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY', csmOwner: 'csm-sato' }, now);
  await table.store.customers.upsertContact({ contactId: 'taro', accountId: 'acme', email: 'taro@example.co.jp', firstName: '太郎', lastName: '山田', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  await table.store.customers.upsertContact({ contactId: 'alex', accountId: 'acme', email: 'alex@example.com', firstName: 'Alex', lastName: 'Kim', locale: 'en', timeZone: 'America/New_York', consent: 'granted', topicsOptedOut: [] }, now);
});
afterAll(() => table.drop());

describe('the survey email', () => {
  it('carries eleven signed answer links, 0 to 10, not rewritten to click redirects, in the recipient’s language', async () => {
    const mailer = new RecordingMailer();
    const request = (contactId: string) => ({ id: contactId, body: { source: { kind: 'campaign', campaignId: 'nps-survey' }, runId: 'run-2027-h1', contactId, accountId: 'acme' } });
    const result = await processSendBatch([request('taro'), request('alex')], senderDeps(table.store, config, mailer, clock));
    expect(result.retryIds).toEqual([]);
    for (const email of mailer.sent) {
      const links = [...email.html.matchAll(/href="(https:\/\/links\.example\.com\/s\/[^"]+)"/g)].map((match) => match[1] as string);
      expect(links).toHaveLength(11);
      answerLinks.set(email.to.startsWith('taro') ? 'taro' : 'alex', links);
    }
    expect(mailer.sent.find((email) => email.to.startsWith('taro'))?.html).toContain('同僚やお知り合いに薦める可能性');
    expect(mailer.sent.find((email) => email.to.startsWith('alex'))?.html).toContain('How likely are you to recommend Example');
  });
});

describe('answering', () => {
  it('records nothing on GET, however often a scanner fetches every link: the page asks to press Save', async () => {
    for (const score of [0, 5, 8, 10]) {
      const response = await app.request(link('taro', score), { headers: { 'user-agent': SCANNER } });
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('この回答を保存する');
      expect(html).toContain(`data-score="${score}"`);
    }
    expect(await answersOf()).toEqual([]);
    expect(await surveyEvents('taro')).toEqual([]);
    expect(await table.store.csql.listUnpublished(100)).toEqual([]);
  });

  it('saves on the button, once: a resent POST converges on one answer and one engagement event', async () => {
    const first = await save(link('taro', 8));
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('回答を保存しました');
    now = new Date(now.getTime() + 60_000);
    await save(link('taro', 8));
    const answers = await answersOf();
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ contactId: 'taro', accountId: 'acme', tier: 'tier1', score: 8, revision: 1, history: [], messageId: 'nps-survey', runId: 'run-2027-h1' });
    expect(await surveyEvents('taro')).toMatchObject([{ eventId: 'survey-answered:nps-2026-h2:taro', detail: { survey: 'nps-2026-h2', score: 8, group: 'passive' } }]);
    expect((await table.store.scores.getScore('contact', 'taro'))?.signals).toHaveProperty('surveyAnswered');
    // The GET of a saved answer says so, and still writes nothing.
    expect(await (await app.request(link('taro', 8))).text()).toContain('回答を保存しました');
    expect(await churnEntries()).toEqual([]);
  });

  it('changes the answer on a later click, keeping the previous score; a detractor raises one churn-risk event, not another on 3 -> 2', async () => {
    now = new Date(now.getTime() + 3_600_000);
    expect(await (await app.request(link('taro', 3))).text()).toContain('以前の回答（8）');
    await save(link('taro', 3));
    now = new Date(now.getTime() + 60_000);
    await save(link('taro', 2));
    const [answer] = await answersOf();
    expect(answer).toMatchObject({ score: 2, history: [{ score: 8 }, { score: 3 }], revision: 3 });
    const entries = await churnEntries();
    expect(entries).toHaveLength(1);
    const detail = (entries[0] as OutboxEntry).detail;
    expect(detail).toEqual({ version: '1', accountId: 'acme', contactId: 'taro', survey: 'nps-2026-h2', score: 3, commentPresent: false, csmOwner: 'csm-sato', tier: 'tier1', answeredAt: expect.any(String) });
    expect(JSON.stringify(entries)).not.toContain('@');
    // Still one engagement event: answering is the signal, a change is history.
    expect(await surveyEvents('taro')).toHaveLength(1);
  });

  it('publishes the churn-risk event through the existing outbox job, once', async () => {
    const published: OutboxEntry[] = [];
    const bus = { publish: async (entries: readonly OutboxEntry[]) => (published.push(...entries), { failedIds: [] }) };
    expect((await publishOutbox({ csql: table.store.csql, bus })).published).toBe(1);
    expect(published.map((entry) => [entry.detailType, entry.detail.eventId])).toEqual([[CHURN_RISK_RAISED, 'churn-risk:nps-2026-h2:taro']]);
    expect((await publishOutbox({ csql: table.store.csql, bus })).published).toBe(0);
  });

  it('adds a comment in Japanese with the same link, and changes it later; an English contact’s page is in English', async () => {
    const commented = await save(link('taro', 2), `form=comment&comment=${encodeURIComponent('レポートの読み込みが遅いです。')}`);
    expect(await commented.text()).toContain('コメントをお送りいただきありがとうございます');
    await save(link('taro', 2), `form=comment&comment=${encodeURIComponent('改善されました。')}`);
    expect((await answersOf())[0]).toMatchObject({ score: 2, comment: '改善されました。' });

    const page = await (await app.request(link('alex', 10))).text();
    expect(page).toContain('Save this answer');
    await save(link('alex', 10), `form=answer&comment=${encodeURIComponent('Great onboarding.')}`);
    expect((await table.store.surveys.getAnswer('nps-2026-h2', 'alex'))).toMatchObject({ score: 10, comment: 'Great onboarding.' });
    expect(await churnEntries()).toEqual([]);
  });

  it('gives a tampered or made-up token a plain 404 and writes nothing', async () => {
    const before = JSON.stringify(await answersOf());
    const genuine = link('alex', 0);
    const [payload, mac] = genuine.slice('/s/'.length).split('.');
    const forgedScore = `/s/${Buffer.from(JSON.stringify(['survey-answer', 'nps-2026-h2', 'nps-survey', 'run-2027-h1', 'alex', 10])).toString('base64url')}.${mac}`;
    for (const path of [`/s/${payload}.${(mac ?? '').slice(0, -2)}AA`, forgedScore, '/s/not-a-token']) {
      expect((await app.request(path)).status).toBe(404);
      expect((await save(path)).status).toBe(404);
    }
    expect(JSON.stringify(await answersOf())).toBe(before);
    expect(await table.store.csql.listUnpublished(100)).toEqual([]);
  });

  it('refuses a form that is not the survey’s with 400 and writes nothing', async () => {
    const before = JSON.stringify(await answersOf());
    expect((await save(link('alex', 3), 'form=register')).status).toBe(400);
    expect(JSON.stringify(await answersOf())).toBe(before);
  });
});

describe('NPS in the health score', () => {
  it('reads the account’s NPS (latest answer per contact) into the health input', async () => {
    // taro 2 (detractor), alex 10 (promoter): NPS 0.
    const { health, nps } = await readAccountHealth('acme', { usage: table.store.usage, scores: table.store.scores, surveys: table.store.surveys, scoring: config.scoring, now });
    expect(nps).toBe(0);
    const input = health.components.find((component) => component.dimension === 'engagement')?.inputs.find((candidate) => candidate.label === 'NPS (account)');
    expect(input).toMatchObject({ value: 0, missingMetrics: [] });
    expect(input?.score).toBeCloseTo((100 * 100) / 130, 5);
    // Another account nobody there answered: listed as missing, left out.
    const other = await readAccountHealth('nobody', { usage: table.store.usage, scores: table.store.scores, surveys: table.store.surveys, scoring: config.scoring, now });
    expect(other.health.missing).toContainEqual(expect.objectContaining({ input: 'NPS (account)' }));
  });
});

describe('a closed survey', () => {
  it('shows "closed" and saves nothing after closesAt', async () => {
    const saved = now;
    now = new Date('2027-03-01T00:00:00Z');
    try {
      const before = JSON.stringify(await answersOf());
      expect(await (await save(link('alex', 1))).text()).toContain('This survey is closed');
      expect(JSON.stringify(await answersOf())).toBe(before);
    } finally {
      now = saved;
    }
  });
});
