/**
 * Claims stranded by a worker killed mid-batch (DynamoDB Local): some of its emails reached SES,
 * some did not. Their requests come back, find the abandoned claims and strand them (none lost,
 * none sent twice); `reviewStrandedClaims` lists them with what SES shows, then marks sent what
 * SES took (the run's `sent` counter moves once) and sends the rest again through the release job;
 * `npm run sends -- stranded --resolve` does the same.
 * Every recipient ends with exactly one email and the counters are exact.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import type { Mailer, OutgoingEmail } from '../../core/ports.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { CLAIM_LEASE_MS, reviewStrandedClaims } from '../../core/sending/stranded-claims.ts';
import { ingestSesEvent } from '../../core/tracking/ses-events/record-ses-event.ts';
import { loadSesFixture } from '../fixtures/ses/index.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { runScript } from '../support/spawn-script.ts';
import { drainQueue, openConfig, RecordingMailer, senderDeps, TEST_TOKEN_SECRET } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
let campaign: Campaign;
let now = new Date('2026-12-02T01:00:00Z');
const clock = { now: () => now };
const CONTACTS = 20;

beforeAll(async () => {
  table = await createTestTable('stranded', { kpiStream: true });
  ({ config, campaign } = await openConfig());
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme K.K.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  for (let i = 0; i < CONTACTS; i++) {
    await table.store.customers.upsertContact({ contactId: `s${i}`, accountId: 'acc', email: `s${i}@example.com`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  }
}, 60_000);
afterAll(() => table.drop());

/** The Send event SES publishes for an email it took, with the email's own (signed) tags. */
function sesSendEvent(email: OutgoingEmail, sesMessageId: string, at: Date) {
  const event = loadSesFixture('send');
  event.detail.mail = { ...event.detail.mail, messageId: sesMessageId, timestamp: at.toISOString(), destination: [email.to], tags: Object.fromEntries(Object.entries(email.tags).map(([name, value]) => [name, [value]])) };
  return event;
}

describe('a worker killed mid-batch', () => {
  it('strands its claims, loses none, and resolves each one way: sent if SES took it, sent again if not', async () => {
    const queue = new InProcessQueue({ visibilityTimeoutMs: 20 });
    const delivered = new RecordingMailer();
    const run = await dispatchCampaignRun(campaign, now, { ...table.store, runs: table.store.campaignRuns, config, queue, clock });
    expect(run).toMatchObject({ outcome: 'dispatched', counts: { queued: CONTACTS } });

    // The doomed worker: its first email goes as usual; the next five reach SES, then it dies
    // before recording them; the last four die on the way to SES.
    const sentByDying: OutgoingEmail[] = [];
    const tookBySes: OutgoingEmail[] = [];
    let calls = 0;
    const dying: Mailer = {
      maxSendRate: async () => 1_000_000,
      send: async (email) => {
        if (++calls === 1) {
          sentByDying.push(email);
          return { messageId: 'ses-first' };
        }
        if (calls <= 6) tookBySes.push(email);
        return new Promise<never>(() => {});
      },
    };
    const batch = queue.receive(10);
    void processSendBatch(batch.map((message) => ({ id: message.id, body: message.body })), senderDeps(table.store, config, dying, clock));
    for (let i = 0; i < 200 && calls < 10; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(10);

    // While the claims are young, their requests come back later rather than being dropped.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const healthy = senderDeps(table.store, config, delivered, clock);
    const early = queue.receive(10).filter((message) => batch.some((doomed) => doomed.id === message.id));
    if (early.length > 0) {
      const result = await processSendBatch(early.map((message) => ({ id: message.id, body: message.body })), healthy);
      // The first one was recorded as sent: a plain duplicate, dropped. The others come back.
      const outcomes = [...result.outcomes.values()];
      expect(outcomes.filter((outcome) => outcome !== 'claimed-elsewhere')).toEqual(outcomes.length === early.length && outcomes.includes('duplicate') ? ['duplicate'] : []);
      expect(result.retryIds).toHaveLength(outcomes.filter((outcome) => outcome === 'claimed-elsewhere').length);
      for (const message of early) {
        if (result.retryIds.includes(message.id)) queue.release(message.id);
        else queue.delete(message.id);
      }
    }

    // After the lease: the healthy worker strands the nine abandoned claims and sends everyone else.
    now = new Date(now.getTime() + CLAIM_LEASE_MS + 1_000);
    await drainQueue(queue, healthy, processSendBatch);
    expect(delivered.sent).toHaveLength(CONTACTS - 10);
    expect(queue.size).toBe(0);
    const sends = await table.store.sends.listSendsOfRun(campaign.id, run.runId);
    expect(sends.filter((send) => send.state === 'stranded')).toHaveLength(9);

    // SES's Send events arrive for the five it took (placed by their signed tags).
    const sesDeps = {
      sends: table.store.sends,
      engagement: withEngagementPath(table.store, config.scoring, clock).engagement,
      suppressions: table.store.suppressions,
      customers: table.store.customers,
      topics: { kind: 'topics' as const, topics: [] },
      tagSecret: TEST_TOKEN_SECRET,
    };
    for (const [index, email] of tookBySes.entries()) expect(await ingestSesEvent(sesSendEvent(email, `ses-took-${index}`, now), sesDeps)).toMatchObject({ outcome: 'recorded', type: 'send', campaignId: campaign.id });

    // Listed with what SES shows; too recent to resolve yet.
    const review = { strandedClaims: table.store.strandedClaims, sends: table.store.sends, clock };
    const listed = await reviewStrandedClaims({ resolve: true, giveUp: false, olderThanMs: 3_600_000 }, review);
    expect(listed).toHaveLength(9);
    expect(listed.filter((report) => report.sesMessageId !== undefined)).toHaveLength(5);
    expect(new Set(listed.map((report) => report.resolution))).toEqual(new Set(['waiting']));

    // The command ops run (on the real clock, for which these claims are long stranded): a bad flag changes nothing.
    const env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.tableName };
    const badFlag = await runScript('scripts/sends.ts', ['stranded', '--resolve', '--older-than', 'soon'], env);
    expect(badFlag.code).toBe(2);
    expect(badFlag.output).toContain("--older-than: expected a duration like 30m, 1h or 2d, got 'soon'");
    expect(await table.store.strandedClaims.listStranded()).toHaveLength(9);
    const command = await runScript('scripts/sends.ts', ['stranded', '--resolve', '--format', 'json'], env);
    expect(command.code, command.output).toBe(0);
    const resolved = JSON.parse(command.output.slice(command.output.indexOf('['), command.output.lastIndexOf(']') + 1)) as Array<{ resolution: string; sesMessageId?: string; contactId: string }>;
    expect(resolved.filter((report) => report.resolution === 'marked-sent').map((report) => report.sesMessageId).sort()).toEqual(tookBySes.map((_, index) => `ses-took-${index}`).sort());
    expect(resolved.filter((report) => report.resolution === 'resent')).toHaveLength(4);
    expect(command.output).not.toContain('@example.com');
    expect(await table.store.strandedClaims.listStranded()).toEqual([]);
    // Resolving again finds nothing.
    expect(await reviewStrandedClaims({ resolve: true, giveUp: false, olderThanMs: 0 }, review)).toEqual([]);
    now = new Date(Date.now() + 60_000);

    // The resent ones go out through the release job: everyone has exactly one email.
    expect(await releaseDeferredSends({ ...table.store, queue, clock, caps: [] })).toBe(4);
    await drainQueue(queue, healthy, processSendBatch);
    const recipients = [...sentByDying, ...tookBySes, ...delivered.sent].map((email) => email.to).sort();
    expect(recipients).toEqual(Array.from({ length: CONTACTS }, (_, i) => `s${i}@example.com`).sort());
    const final = await table.store.sends.listSendsOfRun(campaign.id, run.runId);
    expect(final.map((send) => send.state)).toEqual(Array(CONTACTS).fill('sent'));
    await table.countKpis();
    expect((await table.store.kpis.runCounters(campaign.id, run.runId))?.totals.sent).toBe(CONTACTS);
  }, 120_000);
});
