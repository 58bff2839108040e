/**
 * `npm run demo -- --serve` as a newcomer runs it, then its dashboard in a real browser (Debian
 * Chromium, headless): the demo passes and prints the report and a login link; the link opens the
 * dashboard, whose numbers are the CLI's (`npm run report -- campaign`, `npm run webinar -- report`,
 * against the demo's DynamoDB Local); ja and en render (screenshots in test/e2e/screenshots/, with
 * a Japanese font: .ci/run installs fonts-noto-cjk); on a phone-sized screen nothing but the tables
 * scrolls sideways; without a session, or with a forged token, nothing is shown.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript, startScript, type Running } from '../support/spawn-script.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(import.meta.dirname, 'screenshots');

let demo: Running;
let loginLink: string;
let baseUrl: string;
let cliEnv: NodeJS.ProcessEnv;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`this test needs Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)`);
  demo = startScript('local/demo.ts', ['--serve']);
  await demo.waitFor(/serving http:\/\/127\.0\.0\.1:\d+\/dashboard until Ctrl-C/u, 420_000);
  const output = demo.output();
  loginLink = /dashboard (http:\/\/127\.0\.0\.1:\d+\/dashboard\/login\?token=\S+)/u.exec(output)?.[1] ?? '';
  baseUrl = new URL(loginLink).origin;
  const dynamo = /DynamoDB Local (http:\/\/127\.0\.0\.1:\d+) .*table (\S+)/u.exec(output);
  cliEnv = { DYNAMODB_ENDPOINT: dynamo?.[1] ?? '', TABLE_NAME: dynamo?.[2] ?? '' };
  userDataDir = await mkdtemp(join(tmpdir(), 'chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await mkdir(SCREENSHOTS, { recursive: true });
}, 480_000);

afterAll(async () => {
  await context?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  demo?.child.kill('SIGINT');
  await demo?.exited;
}, 60_000);

/** The JSON a CLI prints (the output also carries Node's warnings on stderr). */
function jsonOf<T>(output: string, opening: '[' | '{'): T {
  return JSON.parse(output.slice(output.indexOf(`${opening}\n`))) as T;
}

describe('npm run demo -- --serve', () => {
  it('passes, prints the report and a dashboard login link, and stays up', () => {
    const output = demo.output();
    expect(output).toMatch(/demo passed; serving/u);
    expect(output).toMatch(/config\s+valid/u);
    expect(output).toMatch(/accounts by tier\s+tier1 \d+, tier2 \d+, tier3 \d+/u);
    expect(output).toMatch(/contacts: 0 created, 0 updated, 2000 unchanged/u);
    expect(output).toMatch(/re-invoked run\s+already-dispatched/u);
    expect(output).toMatch(/duplicate emails\s+0/u);
    expect(output).toMatch(/suppressed reached\s+0/u);
    expect(output).toMatch(/skipped by reason\s+.*suppressed 3/u);
    expect(output).toMatch(/sent\s+\d+ \(queued at once \d+, deferred to the send window \d+\)/u);
    expect(output).toMatch(/sequence welcome sent\s+[1-9]\d*/u);
    expect(output).toMatch(/failed\s+0\n/u);
    expect(output).toMatch(/newsletter KPIs\s+delivered [1-9]\d*, opened [1-9]\d* \(\+[1-9]\d* machine\), clicked [1-9]\d* \(\+[1-9]\d* machine\), bounced 1, complained 1, unsubscribed 1/u);
    expect(output).toMatch(/suppressed by tracking\s+3/u);
    expect(output).toMatch(/== report \(npm run report -- campaign\)/u);
    expect(loginLink).toMatch(/\/dashboard\/login\?token=/u);
  });
});

describe('the dashboard', () => {
  it('shows the numbers the CLI reports, in English and Japanese, with charts', async () => {
    const page = await context.newPage();
    await page.goto(loginLink);
    // The token is gone from the address bar; the session cookie carries on.
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
    expect(await page.locator('h1').textContent()).toBe('Engagement dashboard');

    const report = jsonOf<Array<Record<string, number | string>>>((await runScript('scripts/report.ts', ['campaign', '--format', 'json'], cliEnv)).output, '[');
    expect(report.length).toBeGreaterThan(1);
    for (const row of report) {
      const cells = page.locator(`#email-kpis tr[data-email="${String(row.key)}"]`);
      await expect.poll(() => cells.count()).toBe(1);
      for (const count of ['sent', 'delivered', 'openers', 'clickers', 'machineOpens', 'machineClicks', 'bounced', 'complained', 'unsubscribed']) {
        const shown = (await cells.locator(`td[data-kpi="${count}"]`).textContent())?.replace(/,/gu, '');
        expect(Number(shown), `${String(row.key)} ${count}`).toBe(row[count]);
      }
      for (const rate of ['openRate', 'clickRate', 'clickToOpenRate', 'unsubscribeRate', 'bounceRate', 'complaintRate']) {
        expect(Number(await cells.locator(`td[data-kpi="${rate}"]`).getAttribute('data-value')), `${String(row.key)} ${rate}`).toBe(row[rate]);
      }
    }
    const newsletterSent = report.find((row) => row.key === 'monthly-newsletter')?.sent;
    expect(newsletterSent).toBeGreaterThan(0);

    // Webinars: the same registered / attended / watch figures as `npm run webinar -- report`.
    const webinarReport = (await runScript('scripts/webinar.ts', ['report', 'dashboards-101'], cliEnv)).output;
    const sessions = [...webinarReport.matchAll(/dashboards-101 \/ (\S+) .*\n\s+registered (\d+), attended (\d+), no-shows (\d+), attendance rate [\d.]+ %, average watch ([\d.]+) min/gu)];
    expect(sessions.length).toBeGreaterThan(0);
    for (const [, sessionId, registered, attended, noShows, averageWatch] of sessions) {
      const row = page.locator(`#webinar-kpis tr[data-session="dashboards-101/${sessionId}"]`);
      expect(await row.locator('td[data-kpi="registered"]').textContent()).toBe(registered);
      expect(await row.locator('td[data-kpi="attended"]').textContent()).toBe(attended);
      expect(await row.locator('td[data-kpi="noShows"]').textContent()).toBe(noShows);
      expect(Number(await row.locator('td[data-kpi="averageWatchMinutes"]').textContent())).toBe(Number(averageWatch));
    }

    // CSQLs with their reasons, as many as the demo promoted.
    const promoted = Number(/CSQL promotions\s+(\d+) of/u.exec(demo.output())?.[1]);
    expect(await page.locator('#csql-list tbody tr').count()).toBe(promoted);
    expect(await page.locator('#csql-funnel [data-kpi="promoted"]').textContent()).toBe(String(promoted));
    // The most engaged accounts that are not CSQLs: none of the promoted ones among them.
    const rising = await page.locator('#rising-accounts tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-account')));
    expect(rising.length).toBeGreaterThan(0);
    const view = JSON.parse((await page.locator('#dashboard-data').textContent()) ?? '{}') as { view: { csql: { list: Array<{ accountId: string; status: string }> } } };
    const stillCsql = view.view.csql.list.filter((entry) => !entry.status.startsWith('demoted')).map((entry) => entry.accountId);
    expect(stillCsql.length).toBeGreaterThan(0);
    expect(rising.filter((id) => stillCsql.includes(id ?? ''))).toEqual([]);
    // Charts drew on their canvases (Chart.js sizes each canvas when it draws).
    for (const id of ['chart-funnel', 'chart-rates', 'chart-score-trend', 'chart-rising-trend', 'chart-revenue']) expect(Number(await page.locator(`#${id}`).getAttribute('height')), id).toBeGreaterThan(0);
    expect(await page.locator('#sending-state').textContent()).toMatch(/Sending: (active|paused)/u);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-en.png'), fullPage: true });

    await page.goto(`${baseUrl}/dashboard?lang=ja`);
    await page.waitForSelector('html[data-ready="true"]');
    expect(await page.locator('h1').textContent()).toBe('エンゲージメント ダッシュボード');
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(Number((await page.locator('#email-kpis tr[data-email="monthly-newsletter"] td[data-kpi="sent"]').textContent())?.replace(/,/gu, ''))).toBe(newsletterSent);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-ja.png'), fullPage: true });

    // On a phone: the page fits the screen; wide tables scroll inside their own box.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/dashboard?lang=ja`);
    await page.waitForSelector('html[data-ready="true"]');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-ja-phone.png') });
    await page.close();
  }, 120_000);

  it('shows nothing without a session, and refuses a forged or tampered login token', async () => {
    const anonymous = await fetch(`${baseUrl}/dashboard`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('npm run dashboard -- link');
    expect((await fetch(`${baseUrl}/dashboard/api/view`)).status).toBe(401);
    const token = new URL(loginLink).searchParams.get('token') ?? '';
    const [header, payload, signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ purpose: 'dashboard-session', exp: 4_102_444_800 })).toString('base64url');
    // Tampered in the middle of the signature: its last base64url character carries unused bits, so changing it may not change the signature.
    const tampered = `${(signature ?? '').slice(0, 5)}${signature?.[5] === 'A' ? 'B' : 'A'}${(signature ?? '').slice(6)}`;
    for (const bad of [`${header}.${forgedPayload}.${signature}`, `${header}.${payload}.${tampered}`, 'not-a-token']) {
      const response = await fetch(`${baseUrl}/dashboard/login?token=${bad}`, { redirect: 'manual' });
      expect(response.status).toBe(401);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    // A login token is not a session cookie.
    expect((await fetch(`${baseUrl}/dashboard`, { headers: { cookie: `nurture_dashboard=${token}` } })).status).toBe(401);
  });
});
