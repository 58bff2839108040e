/**
 * Reputation auto-pause against DynamoDB Local, with the real dispatcher, sender and SES event
 * path and the KPI stream's consumer: a campaign whose complaint rate crosses its limit mid-run pauses itself (and, with the
 * same emails being all the account sent, all sending), the rest of the run is parked and nothing
 * more is sent; the pause carries its reason and its event (outbox); a resent complaint pauses
 * nothing twice; only an explicit resume lets the rest go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { AUTO_PAUSED_BY, reputationGuardOf, SENDING_AUTO_PAUSED } from '../../core/sending/reputation-guard.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { PAUSE_ALL, PAUSED_RECHECK_MS } from '../../core/sending/sending-pause.ts';
import { buildSesEventBridgeEvent } from '../../core/tracking/ses-events/ses-event-builder.ts';
import { ingestSesEvent } from '../../core/tracking/ses-events/record-ses-event.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { drainQueue, openConfig, RecordingMailer, senderDeps } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
let campaign: Campaign;
// Inside the shipped guardrails' send window: Wednesday 10:00 in Tokyo.
let now = new Date('2026-12-02T01:00:00Z');
const clock = { now: () => now };
const CONTACTS = 60;

beforeAll(async () => {
  table = await createTestTable('auto-pause', { kpiStream: true });
  ({ config, campaign } = await openConfig());
  campaign = { ...campaign, audience: {} };
  config = {
    ...config,
    guardrails: { ...config.guardrails, frequencyCaps: [], quietHours: { start: '00:00', end: '00:00' }, reputation: { ...config.guardrails.reputation, minimumSample: 20 } },
  };
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme K.K.', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'nurturing', mrr: 1, currency: 'JPY' }, now);
  for (let i = 0; i < CONTACTS; i++) {
    await table.store.customers.upsertContact({ contactId: `r${i}`, accountId: 'acc', email: `r${i}@example.com`, firstName: 'A', lastName: 'B', locale: i % 2 ? 'ja' : 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  }
}, 60_000);
afterAll(() => table.drop());

describe('reputation auto-pause', () => {
  it('pauses a campaign whose complaint rate crosses its limit mid-run: nothing more is sent until resumed', async () => {
    const queue = new InProcessQueue();
    const mailer = new RecordingMailer();
    const deps = senderDeps(table.store, config, mailer, clock);
    const run = await dispatchCampaignRun(campaign, now, { ...table.store, runs: table.store.campaignRuns, config, queue, clock });
    expect(run).toMatchObject({ outcome: 'dispatched', counts: { queued: CONTACTS } });

    // Two batches go out (20 emails: the minimum sample), then one recipient complains.
    for (let batch = 0; batch < 2; batch++) {
      const messages = queue.receive(10);
      await processSendBatch(messages.map((message) => ({ id: message.id, body: message.body })), deps);
      for (const message of messages) queue.delete(message.id);
    }
    expect(mailer.sent).toHaveLength(20);
    const reputation = reputationGuardOf(table.store, config, clock);
    await table.countKpis({ reputation });
    expect((await table.store.kpis.runCounters(campaign.id, run.runId!))?.totals.sent).toBe(20);
    const complainer = mailer.sent[3]!;
    // RecordingMailer numbers the emails it takes: the fourth is msg-4.
    const send = (await table.store.sends.listSendsOfRun(campaign.id, run.runId!)).find((candidate) => candidate.messageId === 'msg-4')!;
    expect(send.contactId).toBeDefined();
    const sesDeps = { ...withEngagementPath(table.store, config.scoring, clock), topics: config.topics, tagSecret: deps.links.tokenSecret };
    const tags = complainer.tags;
    const complaint = buildSesEventBridgeEvent('complaint', { messageId: send.messageId!, email: complainer.to, tags, sentAt: now }, new Date(now.getTime() + 60_000));
    now = new Date(now.getTime() + 2 * 60_000);
    const outcome = await ingestSesEvent(complaint, sesDeps);
    expect(outcome).toMatchObject({ outcome: 'recorded', type: 'complaint' });
    // The complaint is counted from the table's stream, and the guard runs where it is counted.
    // 1 in 20 is 5 %, far above the 0.1 % limit: the campaign pauses, and so does all sending (these are all the account sent).
    const paused = (await table.countKpis({ reputation })).flatMap((counted) => counted.autoPaused);
    expect(paused.map((pause) => pause.scope).sort()).toEqual([PAUSE_ALL, campaign.id].sort());
    const stored = await table.store.pauses.listPauses();
    expect(stored.find((pause) => pause.scope === campaign.id)).toMatchObject({ pausedBy: AUTO_PAUSED_BY, reason: expect.stringMatching(/complaint rate 5\.00 % over 20 sent \(1 complained\) is above the 0\.10 % limit/) });
    // Its event waits in the outbox (published to the bus by the publisher job).
    const events = (await table.store.csql.listUnpublished(20)).filter((entry) => entry.detailType === SENDING_AUTO_PAUSED);
    expect(events.map((entry) => entry.detail.scope).sort()).toEqual([PAUSE_ALL, campaign.id].sort());
    expect(events[0]?.detail).toMatchObject({ version: '1', rate: 'complaint', sent: 20, complained: 1 });

    // SES resends the complaint: recorded once, no second pause nor event.
    const again = await ingestSesEvent(complaint, sesDeps);
    expect(again).toMatchObject({ outcome: 'duplicate' });
    expect((await table.countKpis({ reputation })).flatMap((counted) => counted.autoPaused)).toEqual([]);
    expect((await table.store.csql.listUnpublished(20)).filter((entry) => entry.detailType === SENDING_AUTO_PAUSED)).toHaveLength(2);

    // The rest of the run reaches the sender and is parked: nothing more goes out, nothing failed.
    await drainQueue(queue, deps, processSendBatch);
    expect(mailer.sent).toHaveLength(20);
    const sends = await table.store.sends.listSendsOfRun(campaign.id, run.runId!);
    expect(sends.filter((candidate) => candidate.state === 'failed')).toEqual([]);
    // Never resumes by itself: the release job keeps them parked however long it runs.
    now = new Date(now.getTime() + 3 * PAUSED_RECHECK_MS);
    expect(await releaseDeferredSends({ ...table.store, queue, clock, caps: [] })).toBe(0);

    // An operator resumes both: the rest goes out once each.
    await table.store.pauses.resume(campaign.id);
    await table.store.pauses.resume(PAUSE_ALL);
    now = new Date(now.getTime() + PAUSED_RECHECK_MS);
    expect(await releaseDeferredSends({ ...table.store, queue, clock, caps: [] })).toBe(CONTACTS - 20);
    await drainQueue(queue, deps, processSendBatch);
    expect(new Set(mailer.sent.map((email) => email.to)).size).toBe(CONTACTS);
    expect(mailer.sent).toHaveLength(CONTACTS);
  });
});
