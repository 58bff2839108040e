/**
 * The local sender workers when SES refuses the account: they pause together instead of calling
 * SES for every queued email, probe with one message after a doubling back-off, keep every
 * request in the queue (none failed, none dead-lettered), make drain() say why it cannot finish,
 * and send everything once the account is fixed.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InProcessQueue } from '../../../adapters/local/in-process-queue.ts';
import { SenderWorkers, SendingHaltedError } from '../../../adapters/local/sender-workers.ts';
import type { EngineConfig } from '../../../core/config/engine-config.ts';
import type { Campaign } from '../../../core/config/schema/messages.ts';
import { TemplateCompiler } from '../../../core/rendering/template-compiler.ts';
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

let workers: SenderWorkers | undefined;
afterEach(async () => {
  await workers?.stop();
  workers = undefined;
});

const now = new Date('2026-12-02T01:00:00Z');

describe('local sender workers on an account-level SES refusal', () => {
  it('pause and probe instead of sending, keep the queue, and send everything once the account is fixed', async () => {
    const store = createMemoryStore();
    const queue = new InProcessQueue({ maxReceiveCount: 50 });
    await queue.enqueue(await seedAudience(store, campaign, 24, now));
    const mailer = new PausableMailer('SendingPausedException');
    const logs: Array<Record<string, unknown>> = [];
    const { rateLimiter: _unused, ...deps } = senderDeps(store, config, mailer, { now: () => now }, compiler);
    workers = new SenderWorkers(queue, { ...deps, log: (entry) => void logs.push(entry) }, { workers: 3, maxSendRate: 1000, retryDelayMs: 0, haltBackoff: { initialMs: 40, maxMs: 160 } });
    workers.start();

    const halted = await workers.drain(5).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(halted).toBeInstanceOf(SendingHaltedError);
    expect((halted as SendingHaltedError).halt).toEqual({ reason: 'account-level', errorName: 'SendingPausedException' });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', errorName: 'SendingPausedException', pauseMs: 40 }));
    // After the first pause, one worker probes with one message; refused, the pause doubles.
    await vi.waitFor(() => expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', errorName: 'SendingPausedException', pauseMs: 80 })), { timeout: 5_000, interval: 5 });

    // One call per batch in flight when SES said no (at most one per worker), then one per probe (the next is 80 ms
    // away). Without the pause it would be a call per email, again and again.
    expect(mailer.calls).toBeLessThanOrEqual(3 + 2);
    expect(mailer.sent).toEqual([]);
    expect(queue.size).toBe(24);
    expect(queue.deadLetters).toEqual([]);
    expect(await store.sends.listSendsOfRun(campaign.id, 'run-1')).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain('@');

    mailer.refusal = undefined;
    await vi.waitFor(() => expect(queue.size).toBe(0), { timeout: 5_000, interval: 20 });
    await workers.drain(5);

    expect(workers.halted).toBeUndefined();
    const received = mailer.sent.map((email) => email.to);
    expect(received).toHaveLength(24);
    expect(new Set(received).size).toBe(24);
    expect((await store.sends.listSendsOfRun(campaign.id, 'run-1')).every((send) => send.state === 'sent')).toBe(true);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'INFO', message: expect.stringContaining('resume') }));
  });
});
