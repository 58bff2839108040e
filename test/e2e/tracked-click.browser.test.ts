/**
 * A person's path through a tracked email, in a real browser (Debian Chromium, headless):
 * open the email on the SES emulator's mail page, click its button, pass through the engine's
 * click redirect and land on the real target page; the click is recorded (and counted per link).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { serve } from '@hono/node-server';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../adapters/aws/ses-mailer.ts';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { createHttpApp } from '../../http/app.ts';
import { LOCAL_AWS } from '../../local/dynamodb-local.ts';
import { freePort } from '../../local/ports.ts';
import { startSesEmulator, type SesEmulator } from '../../local/ses-emulator.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { drainQueue, openConfig, senderDeps } from '../support/sending-fixtures.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN_SECRET = 'browser-test-secret-0123456789';

let table: TestTable;
let ses: SesEmulator;
let landing: Server;
let engine: ReturnType<typeof serve>;
let context: BrowserContext;
let userDataDir: string;
let landingUrl: string;
let config: EngineConfig;
let campaign: Campaign;
// Sent an hour ago: a click seconds after sending would (rightly) count as a link scanner's.
const sentAt = new Date(Date.now() - 3_600_000);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`this test needs Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)`);
  table = await createTestTable('browser');
  ses = await startSesEmulator(await freePort(), 1000);
  const landingPort = await freePort();
  landingUrl = `http://127.0.0.1:${landingPort}/release-notes`;
  landing = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Release notes</title><h1>Release notes</h1><p>${request.url}</p>`);
  });
  await new Promise<void>((resolve) => landing.listen(landingPort, '127.0.0.1', resolve));

  // The shipped newsletter, with its button pointing at a page this machine serves.
  ({ config, campaign } = await openConfig());
  const versions = new Map(config.templates.get(campaign.template));
  for (const [locale, version] of versions) versions.set(locale, { ...version, mjml: version.mjml.replace(/https:\/\/example\.com(\/ja)?\/releases/g, landingUrl) });
  const { sendWindow: _anyTime, ...guardrails } = config.guardrails;
  config = { ...config, guardrails, templates: new Map([...config.templates, [campaign.template, versions]]) };

  const enginePort = await freePort();
  const app = createHttpApp({
    customers: table.store.customers,
    clock: { now: () => new Date() },
    ingestToken: 'unused-ingest-token-0123456789',
    tracking: { ...withEngagementPath(table.store, config.scoring, { now: () => new Date() }), topics: config.topics, clock: { now: () => new Date() }, tokenSecret: TOKEN_SECRET },
  });
  await new Promise<void>((resolve) => {
    engine = serve({ fetch: app.fetch, port: enginePort, hostname: '127.0.0.1' }, () => resolve());
  });

  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme K.K.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, sentAt);
  await table.store.customers.upsertContact({ contactId: 'reader', accountId: 'acc', email: 'reader@example.com', firstName: 'Rin', lastName: 'Sato', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, sentAt);
  const queue = new InProcessQueue();
  const clock = { now: () => sentAt };
  await dispatchCampaignRun(campaign, sentAt, { ...table.store, runs: table.store.campaignRuns, config, queue, clock });
  const deps = senderDeps(table.store, config, new SesMailer(new SESv2Client({ ...LOCAL_AWS, endpoint: ses.endpoint, maxAttempts: 1 })), clock);
  await drainQueue(queue, { ...deps, links: { baseUrl: `http://127.0.0.1:${enginePort}`, tokenSecret: TOKEN_SECRET } }, processSendBatch);

  userDataDir = await mkdtemp(join(tmpdir(), 'chromium-'));
  // A fresh profile each run; the flags keep Chromium off the (closed) network.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    // The user agent a person's Chrome sends: headless Chromium names itself `HeadlessChrome`,
    // which is what link scanners run, so the classifier would rightly count its click as a machine's.
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await new Promise<void>((resolve) => (engine ? engine.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (landing ? landing.close(() => resolve()) : resolve()));
  await ses?.stop();
  await table?.drop();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe('a tracked link in a real browser', () => {
  it('opens the email on the SES emulator page, clicks the button, lands on the target, and the click is recorded', async () => {
    const page = await context.newPage();
    await page.goto(ses.mailListUrl);
    await page.getByText('Toggle HTML view').first().click();
    const email = page.frameLocator('iframe[id$="-html-iframe"]').first();
    const button = email.getByRole('link', { name: 'Read the release notes' });
    await expect(button.getAttribute('href')).resolves.toMatch(/^http:\/\/127\.0\.0\.1:\d+\/c\//);

    const [landed] = await Promise.all([context.waitForEvent('page'), button.click()]);
    await landed.waitForLoadState();
    expect(landed.url()).toBe(landingUrl);
    await expect(landed.locator('h1').textContent()).resolves.toBe('Release notes');

    const clicks = (await table.store.engagement.listEventsOfContact('reader')).filter((event) => event.type === 'click');
    expect(clicks).toHaveLength(1);
    expect(clicks[0]).toMatchObject({ campaignId: campaign.id, machine: false });
  });
});
