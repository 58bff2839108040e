/**
 * The pause switch against DynamoDB Local: a run paused mid-way stops at once (the rest is parked,
 * nothing failed), stays parked through the release job while paused, and after resume goes out
 * where it stopped: every recipient gets exactly one email. A campaign pause leaves other
 * campaigns alone; `npm run pause` / `resume` drive the same stored switch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { processSendBatch, type SenderDeps } from '../../core/sending/send-emails.ts';
import { PAUSE_ALL, PAUSED_RECHECK_MS } from '../../core/sending/sending-pause.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { drainQueue, openConfig, RecordingMailer, senderDeps } from '../support/sending-fixtures.ts';
import { runScript } from '../support/spawn-script.ts';
import { inject } from 'vitest';

let table: TestTable;
let config: EngineConfig;
let campaign: Campaign;
// Inside the shipped guardrails' send window: Wednesday 10:00 in Tokyo.
let now = new Date('2026-12-02T01:00:00Z');
const clock = { now: () => now };
const CONTACTS = 30;

beforeAll(async () => {
  table = await createTestTable('pause');
  ({ config, campaign } = await openConfig());
  // Everyone in the newsletter's audience, no caps or quiet hours in the way.
  campaign = { ...campaign, audience: {} };
  config = { ...config, guardrails: { ...config.guardrails, frequencyCaps: [], quietHours: { start: '00:00', end: '00:00' } } };
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme K.K.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'nurturing', mrr: 1, currency: 'JPY' }, now);
  for (let i = 0; i < CONTACTS; i++) {
    await table.store.customers.upsertContact({ contactId: `p${i}`, accountId: 'acc', email: `p${i}@example.com`, firstName: 'A', lastName: 'B', locale: i % 2 ? 'ja' : 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  }
}, 60_000);
afterAll(() => table.drop());

async function oneBatch(queue: InProcessQueue, deps: SenderDeps) {
  const messages = queue.receive(10);
  const result = await processSendBatch(messages.map((message) => ({ id: message.id, body: message.body })), deps);
  const retry = new Set(result.retryIds);
  for (const message of messages) {
    if (retry.has(message.id)) queue.release(message.id, 0);
    else queue.delete(message.id);
  }
  return result;
}

describe('pausing a campaign mid-run', () => {
  it('parks the rest at once, keeps it parked while paused, and sends each email once after resume', async () => {
    const queue = new InProcessQueue();
    const mailer = new RecordingMailer();
    const deps = senderDeps(table.store, config, mailer, clock);
    const dispatchDeps = { ...table.store, runs: table.store.campaignRuns, config, queue, clock };
    const run = await dispatchCampaignRun(campaign, now, dispatchDeps);
    expect(run).toMatchObject({ outcome: 'dispatched', counts: { queued: CONTACTS } });

    const first = await oneBatch(queue, deps);
    expect([...first.outcomes.values()]).toEqual(Array(10).fill('sent'));
    await table.store.pauses.pause({ scope: campaign.id, reason: 'wrong link in the hero', pausedAt: now.toISOString(), pausedBy: 'ops-1' });

    await drainQueue(queue, deps, processSendBatch);
    expect(mailer.sent).toHaveLength(10);
    const sends = await table.store.sends.listSendsOfRun(campaign.id, run.runId);
    expect(sends.map((send) => send.state)).toEqual(Array(10).fill('sent'));

    // The release job leaves them parked while the pause lasts, however often it runs.
    now = new Date(now.getTime() + 10 * 60_000);
    expect(await releaseDeferredSends({ ...table.store, queue, clock, caps: [] })).toBe(0);
    expect(queue.size).toBe(0);

    // Resumed: the next release queues the rest; each recipient gets exactly one email.
    expect(await table.store.pauses.resume(campaign.id)).toBe(true);
    now = new Date(now.getTime() + PAUSED_RECHECK_MS);
    expect(await releaseDeferredSends({ ...table.store, queue, clock, caps: [] })).toBe(CONTACTS - 10);
    await drainQueue(queue, deps, processSendBatch);
    const recipients = mailer.sent.map((email) => email.to).sort();
    expect(recipients).toHaveLength(CONTACTS);
    expect(new Set(recipients).size).toBe(CONTACTS);
    expect((await table.store.sends.listSendsOfRun(campaign.id, run.runId)).filter((send) => send.state === 'sent')).toHaveLength(CONTACTS);
  });

  it('a run dispatched while all sending is paused queues nothing, and goes out once on resume', async () => {
    const queue = new InProcessQueue();
    const mailer = new RecordingMailer();
    const deps = senderDeps(table.store, config, mailer, clock);
    await table.store.pauses.pause({ scope: PAUSE_ALL, reason: 'SES review', pausedAt: now.toISOString() });
    const scheduledFor = new Date(now.getTime() + 60_000);
    now = scheduledFor;
    const run = await dispatchCampaignRun(campaign, scheduledFor, { ...table.store, runs: table.store.campaignRuns, config, queue, clock });
    expect(run).toMatchObject({ outcome: 'dispatched', counts: { queued: 0, paused: CONTACTS } });
    expect(queue.size).toBe(0);

    await table.store.pauses.resume(PAUSE_ALL);
    expect(await releaseDeferredSends({ ...table.store, queue, clock, caps: [] })).toBe(CONTACTS);
    // Released twice (a retried job): the sender's claims keep it to one email each.
    await releaseDeferredSends({ ...table.store, queue, clock, caps: [] });
    await drainQueue(queue, deps, processSendBatch);
    expect(mailer.sent).toHaveLength(CONTACTS);
  });
});

describe('npm run pause / resume', () => {
  it('pauses and resumes through the stored switch, and refuses an unknown campaign', async () => {
    const env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.tableName };
    const paused = await runScript('scripts/pause.ts', ['pause', '--campaign', campaign.id, '--reason', 'typo in subject'], env);
    expect(paused.output).toContain(`paused '${campaign.id}'`);
    expect(paused.code).toBe(0);
    expect(await table.store.pauses.listPauses()).toMatchObject([{ scope: campaign.id, reason: 'typo in subject' }]);
    const status = await runScript('scripts/pause.ts', ['pause', '--status'], env);
    expect(status.output).toContain(`now paused: ${campaign.id}`);
    const unknown = await runScript('scripts/pause.ts', ['pause', '--campaign', 'monthly-newsleter', '--reason', 'x'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/no campaign, sequence or webinar 'monthly-newsleter'; known: /);
    const resumed = await runScript('scripts/pause.ts', ['resume', '--campaign', campaign.id], env);
    expect(resumed.output).toContain(`resumed '${campaign.id}'`);
    expect(await table.store.pauses.listPauses()).toEqual([]);
  }, 60_000);
});

describe('against a deployed stage (--aws-table)', () => {
  it('uses the AWS SDK default credentials and endpoint, as against a real stage', async () => {
    // The SDK's own endpoint variable points the default client at DynamoDB Local.
    const aws = { AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), AWS_REGION: 'ap-northeast-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', DYNAMODB_ENDPOINT: '' };
    const paused = await runScript('scripts/pause.ts', ['pause', '--aws-table', table.tableName, '--reason', 'stage test'], aws);
    expect(paused.code, paused.output).toBe(0);
    expect(await table.store.pauses.listPauses()).toMatchObject([{ scope: PAUSE_ALL, reason: 'stage test' }]);
    const resumed = await runScript('scripts/pause.ts', ['resume', '--aws-table', table.tableName], aws);
    expect(resumed.output).toContain('resumed all sending');
    expect(await table.store.pauses.listPauses()).toEqual([]);
  }, 60_000);
});

describe('the home page', () => {
  it('says whether the engine sends, and why it is paused', async () => {
    const { createHttpApp } = await import('../../http/app.ts');
    const app = createHttpApp({ customers: table.store.customers, clock, ingestToken: 'ingest-token-0123456789', pauses: table.store.pauses });
    expect(await (await app.request('/')).text()).toContain('Sending: active');
    await table.store.pauses.pause({ scope: PAUSE_ALL, reason: 'bounce rate <check>', pausedAt: '2026-12-02T05:00:00.000Z', pausedBy: 'ops-1' });
    const page = await (await app.request('/')).text();
    expect(page).toContain('Sending: paused');
    expect(page).toContain('all sending since 2026-12-02T05:00:00.000Z by ops-1: bounce rate &#60;check&#62;');
    await table.store.pauses.resume(PAUSE_ALL);
  });
});
