/**
 * Frequency caps are checked again when parked sends are released (DynamoDB Local): a contact
 * mailed by another campaign while their send waited is skipped with `frequency-cap`, two parked
 * bulk sends released in the same sweep do not both go, and webinar emails (asked for by
 * registering) are released whatever the caps say.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { frequencyCaps } from '../../core/sending/guardrails.ts';
import { releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import type { DeferredSend, SendRequest } from '../../core/sending/send-request.ts';
import { webinarSource } from '../../core/webinars/webinar-source.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { drainQueue, openConfig, RecordingMailer, senderDeps } from '../support/sending-fixtures.ts';

let table: TestTable;
let config: EngineConfig;
let newsletter: Campaign;
let launch: Campaign;
let now = new Date('2026-12-02T01:00:00Z');
const clock = { now: () => now };
const contacts = Array.from({ length: 10 }, (_, i) => `cap${i}`);

beforeAll(async () => {
  table = await createTestTable('release-caps');
  ({ config, campaign: newsletter } = await openConfig());
  launch = { ...newsletter, id: 'launch-news' };
  config = { ...config, campaigns: [newsletter, launch], guardrails: { ...config.guardrails, frequencyCaps: [{ max: 1, per: '7d' }] } };
  await table.store.customers.upsertAccount({ accountId: 'acc', name: 'Acme K.K.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'nurturing', mrr: 1, currency: 'JPY' }, now);
  for (const contactId of contacts) {
    await table.store.customers.upsertContact({ contactId, accountId: 'acc', email: `${contactId}@example.com`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  }
}, 60_000);
afterAll(() => table.drop());

const parked = (request: SendRequest, at: Date): DeferredSend => ({ request, notBefore: at.toISOString() });

describe('releasing parked sends', () => {
  it('skips bulk sends that would break a cap since they were parked, and releases webinar emails regardless', async () => {
    const inAnHour = new Date(now.getTime() + 3_600_000);
    // Parked last night (within the caps then): the newsletter for everyone, a second bulk email for the last five.
    await table.store.sends.deferSends(contacts.map((contactId) => parked({ source: { kind: 'campaign', campaignId: newsletter.id }, runId: 'r-news', contactId, accountId: 'acc' }, inAnHour)));
    await table.store.sends.deferSends(contacts.slice(5).map((contactId) => parked({ source: { kind: 'campaign', campaignId: launch.id }, runId: 'r-launch-late', contactId, accountId: 'acc' }, inAnHour)));
    const confirmation = webinarSource('dashboards-101', 'tokyo', 'confirmation');
    await table.store.sends.deferSends([parked({ source: confirmation, runId: 'confirmation-tokyo', contactId: 'cap0', accountId: 'acc' }, inAnHour)]);

    // Meanwhile another campaign reaches the first five.
    const queue = new InProcessQueue();
    const mailer = new RecordingMailer();
    const sender = senderDeps(table.store, config, mailer, clock);
    const early = { ...launch, audience: { tiers: ['tier3' as const] } };
    await table.store.customers.upsertContact({ contactId: 'cap-other', accountId: 'acc', email: 'other@example.com', firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
    const run = await dispatchCampaignRun(early, now, { ...table.store, runs: table.store.campaignRuns, config, queue, clock });
    expect(run.outcome).toBe('dispatched');
    // Keep only the first five (and the extra contact) in the queue: the others are not mailed now.
    const keep = new Set([...contacts.slice(0, 5), 'cap-other']);
    for (const message of queue.receive(1000)) {
      if (keep.has((JSON.parse(message.body) as SendRequest).contactId)) queue.release(message.id, 0);
      else queue.delete(message.id);
    }
    await drainQueue(queue, sender, processSendBatch);
    expect(mailer.sent).toHaveLength(6);

    now = new Date(inAnHour.getTime() + 60_000);
    const released = await releaseDeferredSends({ ...table.store, queue, clock, caps: frequencyCaps(config.guardrails) });
    const queued = queue.receive(1000).map((message) => JSON.parse(message.body) as SendRequest);
    // The webinar confirmation for cap0, and one bulk email for each of cap5..cap9.
    expect(released).toBe(6);
    expect(queued.filter((request) => request.source.kind === 'webinar').map((request) => request.contactId)).toEqual(['cap0']);
    const bulk = queued.filter((request) => request.source.kind === 'campaign');
    expect(bulk.map((request) => request.contactId).sort()).toEqual(contacts.slice(5));

    const skips = [...(await table.store.sends.listSkipsOfRun(newsletter.id, 'r-news')), ...(await table.store.sends.listSkipsOfRun(launch.id, 'r-launch-late'))];
    expect(skips).toHaveLength(10);
    expect(new Set(skips.map((skip) => skip.reason))).toEqual(new Set(['frequency-cap']));
    // Nothing is left parked: a second sweep releases and skips nothing more.
    expect(await releaseDeferredSends({ ...table.store, queue, clock, caps: frequencyCaps(config.guardrails) })).toBe(0);
    expect(await table.store.sends.listDueDeferredSends(now, 100)).toEqual([]);
  }, 120_000);
});
