/**
 * When SES refuses the sending account (paused, suspended, access denied) rather than an email,
 * no email of the run may be failed for good: the batch stops at the first refusal, frees every
 * claim, returns every unsent record for retry and says it halted; once the account is fixed,
 * the retried records go out, each once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../../core/config/engine-config.ts';
import type { Campaign } from '../../../core/config/schema/messages.ts';
import { MailerError, type Mailer, type OutgoingEmail } from '../../../core/ports.ts';
import { TemplateCompiler } from '../../../core/rendering/template-compiler.ts';
import { processSendBatch, type QueueRecord } from '../../../core/sending/send-emails.ts';
import { createMemoryStore } from '../../support/memory-store.ts';
import { PausableMailer, seedAudience } from '../../support/pausable-mailer.ts';
import { openConfig, senderDeps } from '../../support/sending-fixtures.ts';

let config: EngineConfig;
let campaign: Campaign;
let compiler: TemplateCompiler;
beforeAll(async () => {
  ({ config, campaign } = await openConfig());
  compiler = new TemplateCompiler(config.templates);
});

const now = new Date('2026-12-02T01:00:00Z');
const clock = { now: () => now };

async function setUp(mailer: Mailer, count = 10) {
  const store = createMemoryStore();
  const requests = await seedAudience(store, campaign, count, now);
  const records: QueueRecord[] = requests.map((request, index) => ({ id: `record-${index}`, body: JSON.stringify(request) }));
  const logs: Array<Record<string, unknown>> = [];
  const deps = { ...senderDeps(store, config, mailer, clock, compiler), log: (entry: Record<string, unknown>) => void logs.push(entry) };
  return { store, records, logs, deps };
}

describe('an account-level SES refusal', () => {
  it('halts the batch at the first email: one SES call, every record retried, every claim released, nothing failed', async () => {
    const mailer = new PausableMailer('SendingPausedException');
    const { store, records, logs, deps } = await setUp(mailer);

    const result = await processSendBatch(records, deps);

    expect(mailer.calls).toBe(1);
    expect([...result.retryIds].sort()).toEqual(records.map((record) => record.id).sort());
    expect(result.halted).toEqual({ reason: 'account-level', errorName: 'SendingPausedException' });
    // No send left failed (a retry could never send it) or claimed (a retry would take it for a duplicate).
    expect(await store.sends.listSendsOfRun(campaign.id, 'run-1')).toEqual([]);
    const errors = logs.filter((entry) => entry.level === 'ERROR');
    expect(errors).toEqual([expect.objectContaining({ errorName: 'SendingPausedException', reason: 'account-level', retried: 10 })]);
    expect(JSON.stringify(logs)).not.toContain('@');
  });

  it('sends every email once when the retried records come back after the account is fixed', async () => {
    const mailer = new PausableMailer('AccessDeniedException');
    const { store, records, deps } = await setUp(mailer);
    const first = await processSendBatch(records, deps);
    mailer.refusal = undefined;

    const retried = await processSendBatch(records.filter((record) => first.retryIds.includes(record.id)), deps);

    expect(retried.halted).toBeUndefined();
    expect(retried.retryIds).toEqual([]);
    expect(mailer.sent.map((email) => email.to).sort()).toEqual(Array.from({ length: 10 }, (_, index) => `c${index}@example.com`).sort());
    expect((await store.sends.listSendsOfRun(campaign.id, 'run-1')).map((send) => send.state)).toEqual(Array(10).fill('sent'));
  });

  it('keeps what SES accepted before the account was paused mid-batch, and returns the rest', async () => {
    const mailer = new PausableMailer();
    mailer.refuseAfter = 1;
    const { store, records, deps } = await setUp(mailer);

    const result = await processSendBatch(records, deps);

    expect(mailer.sent).toHaveLength(1);
    expect(result.halted?.errorName).toBe('SendingPausedException');
    expect(result.retryIds).toHaveLength(9);
    expect([...result.outcomes.values()].filter((outcome) => outcome === 'sent')).toHaveLength(1);
    const sends = await store.sends.listSendsOfRun(campaign.id, 'run-1');
    expect(sends.map((send) => send.state)).toEqual(['sent']);
  });

  it('is not how a refused email is handled: that one fails for good, the others go, the batch does not halt', async () => {
    const mailer: Mailer & { sent: OutgoingEmail[] } = {
      sent: [],
      async send(email) {
        if (email.to === 'c3@example.com') throw new MailerError('permanent', 'MessageRejected: content refused');
        this.sent.push(email);
        return { messageId: `msg-${this.sent.length}` };
      },
      maxSendRate: async () => 1_000_000,
    };
    const { store, records, deps } = await setUp(mailer);

    const result = await processSendBatch(records, deps);

    expect(result.halted).toBeUndefined();
    expect(result.retryIds).toEqual([]);
    expect(mailer.sent).toHaveLength(9);
    expect((await store.sends.getSend(campaign.id, 'run-1', 'c3'))?.state).toBe('failed');
  });
});
