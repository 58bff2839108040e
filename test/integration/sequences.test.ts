/**
 * Nurture sequences against DynamoDB Local: enrollment when an account enters the phase,
 * due steps found through the index, branching on a human open of an earlier step,
 * exit on unsubscribe, and one email per step however often the job runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { advanceDueEnrollments } from '../../core/sequences/advance-enrollments.ts';
import { enrollAccounts, sequenceRunId } from '../../core/sequences/enroll-contacts.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { drainQueue, openConfig, RecordingMailer, senderDeps } from '../support/sending-fixtures.ts';
import { withEngagementPath } from '../../core/scoring/record-engagement.ts';

let table: TestTable;
let config: EngineConfig;
let now = new Date('2026-12-01T01:00:00Z');
const clock = { now: () => now };
const DAY = 86_400_000;

beforeAll(async () => {
  table = await createTestTable('sequences');
  ({ config } = await openConfig());
  const account = { accountId: 'acc', name: 'Acme K.K.', tier: 'tier3' as const, plan: 'standard', products: ['core'], phase: 'adoption' as const, mrr: 1, currency: 'JPY' };
  await table.store.customers.upsertAccount(account, now);
  for (const id of ['opener', 'ignorer', 'leaver']) {
    await table.store.customers.upsertContact({ contactId: id, accountId: 'acc', email: `${id}@example.com`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  }
  await table.store.customers.upsertAccount({ ...account, accountId: 'acc-tier1', tier: 'tier1' }, now);
  await table.store.customers.upsertContact({ contactId: 'vip', accountId: 'acc-tier1', email: 'vip@example.com', firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
});
afterAll(() => table.drop());

describe('adoption-nurture', () => {
  it('enrolls the contacts of accounts entering adoption once, only those in the sequence audience (tier3)', async () => {
    const deps = { ...table.store, config, clock };
    expect(await enrollAccounts(['acc', 'acc-tier1'], deps)).toBe(3);
    expect(await enrollAccounts(['acc', 'acc-tier1'], deps)).toBe(0);
    expect(await table.store.enrollments.getEnrollment('vip', 'adoption-nurture')).toBeUndefined();
  });

  it('sends the welcome step once, then branches on whether it was opened by a person', async () => {
    const queue = new InProcessQueue();
    const mailer = new RecordingMailer();
    const sender = senderDeps(table.store, config, mailer, clock);
    const advanceDeps = { ...table.store, config, queue, clock };

    // Welcome is due at once (wait 0d). Running the job twice must not send twice.
    expect(Object.fromEntries(await advanceDueEnrollments(advanceDeps))).toEqual({ queued: 3 });
    expect(Object.fromEntries(await advanceDueEnrollments(advanceDeps))).toEqual({});
    await drainQueue(queue, sender, processSendBatch);
    expect(mailer.sent.map((email) => email.to).sort()).toEqual(['ignorer@example.com', 'leaver@example.com', 'opener@example.com']);

    // opener opens it (a person), ignorer's "open" is a privacy-proxy machine open, leaver unsubscribes.
    const enrolledAt = (await table.store.enrollments.getEnrollment('opener', 'adoption-nurture'))!.enrolledAt;
    const welcomeRun = sequenceRunId('welcome', enrolledAt);
    const open = (contactId: string, machine: boolean) =>
      withEngagementPath(table.store, config.scoring, clock).engagement.recordEvent({ eventId: `open-${contactId}`, type: 'open', contactId, accountId: 'acc', occurredAt: now.toISOString(), campaignId: 'adoption-nurture', runId: welcomeRun, machine, detail: {} });
    await open('opener', false);
    await open('ignorer', true);
    await table.store.suppressions.suppress({ email: 'leaver@example.com', reason: 'unsubscribe', suppressedAt: now.toISOString(), source: 'test' });

    // Step 2 ("tips", 3 days later, only if welcome was opened).
    now = new Date(now.getTime() + 3 * DAY + 60_000);
    expect(Object.fromEntries(await advanceDueEnrollments(advanceDeps))).toEqual({ queued: 1, 'condition-not-met': 1, exited: 1 });
    await drainQueue(queue, sender, processSendBatch);
    expect(mailer.sent.slice(3).map((email) => email.to)).toEqual(['opener@example.com']);
    expect(await table.store.enrollments.getEnrollment('leaver', 'adoption-nurture')).toMatchObject({ state: 'exited', exitReason: 'unsubscribed' });

    // Step 3 ("nudge", 4 days later, only if welcome was NOT opened by a person): the machine open does not count.
    now = new Date(now.getTime() + 4 * DAY + 60_000);
    expect(Object.fromEntries(await advanceDueEnrollments(advanceDeps))).toEqual({ queued: 1, 'condition-not-met': 1 });
    await drainQueue(queue, sender, processSendBatch);
    expect(mailer.sent.slice(4).map((email) => email.to)).toEqual(['ignorer@example.com']);
    expect(mailer.sent.slice(4)[0]?.tags).toMatchObject({ kind: 'sequence', campaign: 'adoption-nurture', step: 'nudge' });
  });
});
