/**
 * "Never twice" against the real components: DynamoDB Local for claims and the SES v2 emulator
 * for delivery. Re-invoking a run, redelivering a queue message, and a worker killed after SES
 * accepted an email but before it recorded it: each leaves exactly one email per recipient. And
 * an SES account that refuses to send (answered through the real SDK) leaves every request
 * retryable, none failed for good.
 */
import { createServer, request as httpRequest } from 'node:http';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import { SesMailer } from '../../adapters/aws/ses-mailer.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import type { Mailer, OutgoingEmail } from '../../core/ports.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { LOCAL_AWS } from '../../local/dynamodb-local.ts';
import { freePort } from '../../local/ports.ts';
import { startSesEmulator, type SesEmulator } from '../../local/ses-emulator.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { drainQueue, openConfig, senderDeps } from '../support/sending-fixtures.ts';

let table: TestTable;
let ses: SesEmulator;
let config: EngineConfig;
let campaign: Campaign;
const now = new Date('2026-12-02T01:00:00Z');
const clock = { now: () => now };

async function mailbox(): Promise<Map<string, number>> {
  const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: Array<{ destination: { to: string[] } }> };
  const counts = new Map<string, number>();
  for (const email of store.emails) for (const to of email.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

beforeAll(async () => {
  table = await createTestTable('send-once');
  ses = await startSesEmulator(await freePort(), 1000);
  ({ config, campaign } = await openConfig());
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme K.K.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  for (let i = 0; i < 25; i++) {
    await table.store.customers.upsertContact(
      { contactId: `c${i}`, accountId: 'acc', email: `c${i}@example.com`, firstName: '花', lastName: '佐藤', locale: i % 2 ? 'ja' : 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] },
      now,
    );
  }
}, 60_000);
afterAll(async () => {
  await ses.stop();
  await table.drop();
});

const sesMailer = () => new SesMailer(new SESv2Client({ ...LOCAL_AWS, endpoint: ses.endpoint, maxAttempts: 1 }));

describe('exactly one email each', () => {
  it('re-invoking a run and redelivering every message sends nothing new', async () => {
    const queue = new InProcessQueue();
    const deps = senderDeps(table.store, config, sesMailer(), clock);
    const dispatchDeps = { ...table.store, runs: table.store.campaignRuns, config, queue, clock };

    const first = await dispatchCampaignRun(campaign, now, dispatchDeps);
    expect(first).toMatchObject({ outcome: 'dispatched', counts: { audience: 25, queued: 25 } });
    // Every message delivered twice (SQS at-least-once), and the run invoked again (scheduler retry).
    for (const message of queue.receive(100)) {
      queue.sendMessage(message.body);
      queue.release(message.id);
    }
    expect(await dispatchCampaignRun(campaign, now, dispatchDeps)).toEqual({ outcome: 'already-dispatched', runId: first.runId });
    await drainQueue(queue, deps, processSendBatch);

    const received = await mailbox();
    expect(received.size).toBe(25);
    expect([...received.values()].every((count) => count === 1)).toBe(true);
    const sends = await table.store.sends.listSendsOfRun(campaign.id, first.runId);
    expect(sends.filter((send) => send.state === 'sent')).toHaveLength(25);
  });

  it('a run resumed after a crash mid-dispatch queues again but sends nothing twice', async () => {
    const queue = new InProcessQueue();
    const dispatchDeps = { ...table.store, runs: table.store.campaignRuns, config, queue, clock };
    const before = await mailbox();
    const later = new Date(now.getTime() + 86_400_000);
    const { runId } = await dispatchCampaignRun(campaign, later, dispatchDeps);
    await drainQueue(queue, senderDeps(table.store, config, sesMailer(), clock), processSendBatch);
    // The dispatcher died after queueing: its run is still 'dispatching' when the scheduler retries.
    await table.store.campaignRuns.setRunState(campaign.id, runId, 'dispatching');
    const resumed = await dispatchCampaignRun(campaign, later, dispatchDeps);
    expect(resumed.outcome).toBe('dispatched');
    await drainQueue(queue, senderDeps(table.store, config, sesMailer(), clock), processSendBatch);
    const after = await mailbox();
    for (const [to, count] of after) expect(count - (before.get(to) ?? 0)).toBe(1);
  });

  it('a worker killed after SES accepted the email, before recording it, does not cause a second email', async () => {
    const queue = new InProcessQueue({ visibilityTimeoutMs: 50 });
    const real = sesMailer();
    // The first worker reaches SES, then dies: its call never returns, so markSent never runs.
    const dying: Mailer = {
      maxSendRate: () => real.maxSendRate(),
      send: async (email: OutgoingEmail) => {
        await real.send(email);
        return new Promise<never>(() => {});
      },
    };
    const before = await mailbox();
    const later = new Date(now.getTime() + 2 * 86_400_000);
    await dispatchCampaignRun(campaign, later, { ...table.store, runs: table.store.campaignRuns, config, queue, clock });
    const batch = queue.receive(10);
    void processSendBatch(batch.map((message) => ({ id: message.id, body: message.body })), senderDeps(table.store, config, dying, clock));
    // Give the doomed worker time to reach SES for its batch, then let its messages time out.
    for (let i = 0; i < 100 && (await mailbox()).size < 25; i++) {
      const sentByDying = [...(await mailbox()).entries()].filter(([to, count]) => count > (before.get(to) ?? 0)).length;
      if (sentByDying >= batch.length) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A healthy worker takes over everything, including the dead worker's redelivered messages.
    await drainQueue(queue, senderDeps(table.store, config, real, clock), processSendBatch);
    const after = await mailbox();
    for (let i = 0; i < 25; i++) expect((after.get(`c${i}@example.com`) ?? 0) - (before.get(`c${i}@example.com`) ?? 0)).toBe(1);
  });
});

describe('an SES account that refuses to send (sending paused)', () => {
  it('leaves every request retryable: nothing failed, every claim released; after the fix each email goes once', async () => {
    // SES in front of the emulator: while `paused`, SendEmail answers as SES does for a paused account.
    let paused = true;
    let refusals = 0;
    const upstream = new URL(ses.endpoint);
    const proxy = createServer((request, response) => {
      if (paused && request.url?.includes('/outbound-emails')) {
        refusals++;
        request.resume();
        response.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'SendingPausedException' });
        response.end(JSON.stringify({ message: 'Email sending is disabled for your account.' }));
        return;
      }
      const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      request.pipe(forwarded);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    try {
      const mailer = new SesMailer(new SESv2Client({ ...LOCAL_AWS, endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 }));
      const queue = new InProcessQueue();
      const logs: Array<Record<string, unknown>> = [];
      const deps = { ...senderDeps(table.store, config, mailer, clock), log: (entry: Record<string, unknown>) => logs.push(entry) };
      // Queued as the dispatcher queues them (a run of its own, so the earlier tests' sends do not count).
      const dispatched = { runId: '20261202T060000Z' };
      await queue.enqueue(Array.from({ length: 25 }, (_, i) => ({ source: { kind: 'campaign' as const, campaignId: campaign.id }, runId: dispatched.runId, contactId: `c${i}`, accountId: 'acc' })));
      const before = await mailbox();

      const messages = queue.receive(25);
      for (let start = 0; start < messages.length; start += 10) {
        const batch = messages.slice(start, start + 10);
        const result = await processSendBatch(batch.map((message) => ({ id: message.id, body: message.body })), deps);
        expect(result.halted).toEqual({ reason: 'account-level', errorName: 'SendingPausedException' });
        expect(result.retryIds.sort()).toEqual(batch.map((message) => message.id).sort());
        for (const message of batch) queue.release(message.id, 0);
      }
      expect(refusals).toBe(3); // one SES call per batch, not one per email
      expect(await table.store.sends.listSendsOfRun(campaign.id, dispatched.runId)).toEqual([]);
      expect(logs.filter((entry) => entry.level === 'ERROR' && entry.errorName === 'SendingPausedException')).toHaveLength(3);
      expect(queue.size).toBe(25);

      paused = false;
      await drainQueue(queue, deps, processSendBatch);
      const sends = await table.store.sends.listSendsOfRun(campaign.id, dispatched.runId);
      expect(sends.map((send) => send.state)).toEqual(Array(25).fill('sent'));
      const after = await mailbox();
      for (let i = 0; i < 25; i++) expect((after.get(`c${i}@example.com`) ?? 0) - (before.get(`c${i}@example.com`) ?? 0)).toBe(1);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
