/**
 * Answering the NPS survey in a real browser (Debian Chromium, headless): the survey email as the
 * sender renders it, a click on "8" opens the engine's answer page (nothing saved yet), the Save
 * button saves it, and a comment typed in Japanese on the thank-you page is stored with it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfigLocation, loadConfigOrThrow } from '../../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { createHttpApp } from '../../http/app.ts';
import { freePort } from '../../local/ports.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { openConfig, RecordingMailer, REPO_ROOT, senderDeps } from '../support/sending-fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN_SECRET = 'browser-survey-secret-0123456789';

let table: TestTable;
let engine: ReturnType<typeof serve>;
let context: BrowserContext;
let userDataDir: string;
let emailHtml: string;
const clock = { now: () => new Date('2027-01-19T01:00:00Z') };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`this test needs Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)`);
  table = await createTestTable('browser-nps');
  const shipped = await loadConfigOrThrow(defaultConfigLocation(REPO_ROOT));
  const { config: relaxed } = await openConfig();
  const config: EngineConfig = { ...relaxed, campaigns: shipped.campaigns.filter((campaign) => campaign.id === 'nps-survey') };
  const store = withEngagementPath(table.store, config.scoring, clock);

  const enginePort = await freePort();
  const baseUrl = `http://127.0.0.1:${enginePort}`;
  const app = createHttpApp({
    customers: table.store.customers,
    clock,
    ingestToken: 'unused-ingest-token-0123456789',
    tracking: {
      ...store,
      topics: config.topics,
      clock,
      tokenSecret: TOKEN_SECRET,
      surveyLinks: { surveys: config.surveys, customers: table.store.customers, answers: table.store.surveys, engagement: store.engagement, clock, tokenSecret: TOKEN_SECRET },
    },
  });
  await new Promise<void>((resolve) => {
    engine = serve({ fetch: app.fetch, port: enginePort, hostname: '127.0.0.1' }, () => resolve());
  });

  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'サンプル商事', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, clock.now());
  await table.store.customers.upsertContact({ contactId: 'hanako', accountId: 'acc', email: 'hanako@example.co.jp', firstName: '花子', lastName: '佐藤', locale: 'ja', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, clock.now());
  const mailer = new RecordingMailer();
  const deps = { ...senderDeps(table.store, config, mailer, clock), links: { baseUrl, tokenSecret: TOKEN_SECRET } };
  const result = await processSendBatch([{ id: 'm1', body: { source: { kind: 'campaign', campaignId: 'nps-survey' }, runId: 'run-1', contactId: 'hanako', accountId: 'acc' } }], deps);
  if (result.retryIds.length > 0 || mailer.sent.length !== 1) throw new Error('test setup: the survey email was not sent');
  emailHtml = mailer.sent[0]?.html ?? '';

  userDataDir = await mkdtemp(join(tmpdir(), 'chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await new Promise<void>((resolve) => (engine ? engine.close(() => resolve()) : resolve()));
  await table?.drop();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe('answering the NPS survey in a real browser', () => {
  it('clicks 8 in the email, saves it with the button, then adds a comment in Japanese', async () => {
    const page = await context.newPage();
    await page.setContent(emailHtml);
    await Promise.all([page.waitForURL(/\/s\//), page.getByRole('link', { name: '8', exact: true }).click()]);
    await expect(page.locator('.answer strong').textContent()).resolves.toBe('8');
    // Opening the link saved nothing: only the button does.
    expect(await table.store.surveys.listAnswers('nps-2026-h2')).toEqual([]);

    await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'この回答を保存する' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('回答を保存しました');
    expect(await table.store.surveys.getAnswer('nps-2026-h2', 'hanako')).toMatchObject({ score: 8 });

    await page.getByLabel(/評価された一番の理由/).fill('ダッシュボードがとても使いやすいです。');
    await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'コメントを送信する' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('コメントをお送りいただきありがとうございます');
    expect(await table.store.surveys.getAnswer('nps-2026-h2', 'hanako')).toMatchObject({ score: 8, comment: 'ダッシュボードがとても使いやすいです。', revision: 2 });
    const events = (await table.store.engagement.listEventsOfContact('hanako')).filter((event) => event.type === 'survey-answered');
    expect(events).toHaveLength(1);
  });
});
