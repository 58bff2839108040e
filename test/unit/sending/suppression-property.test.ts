/**
 * The rule users, regulators and mailbox providers care most about: a suppressed, unsubscribed
 * or non-consenting contact never receives mail, whatever the order of events (suppressed
 * before the run, between queueing and sending, while messages are redelivered), and nobody
 * gets the same email twice. Property-based over random contact sets and event orders.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../../core/config/engine-config.ts';
import type { Campaign } from '../../../core/config/schema/messages.ts';
import { TemplateCompiler } from '../../../core/rendering/template-compiler.ts';
import { dispatchCampaignRun } from '../../../core/sending/dispatch-campaign.ts';
import { processSendBatch } from '../../../core/sending/send-emails.ts';
import { createMemoryStore } from '../../support/memory-store.ts';
import { drainQueue, openConfig, RecordingMailer, senderDeps } from '../../support/sending-fixtures.ts';

let config: EngineConfig;
let campaign: Campaign;
let compiler: TemplateCompiler;
beforeAll(async () => {
  ({ config, campaign } = await openConfig());
  compiler = new TemplateCompiler(config.templates);
});

const contactArbitrary = fc.record({
  consent: fc.constantFrom('granted', 'granted', 'granted', 'withdrawn', 'unknown'),
  optedOutOfTopic: fc.boolean(),
  suppression: fc.option(
    fc.record({
      reason: fc.constantFrom('hard-bounce', 'complaint', 'unsubscribe', 'manual'),
      // When the suppression lands relative to the pipeline.
      when: fc.constantFrom('before-dispatch', 'after-dispatch', 'between-redeliveries'),
    }),
    { freq: 2 },
  ),
  redelivered: fc.boolean(),
});

describe('suppression, consent and preferences', () => {
  it('never email a contact who must not be emailed, and never email anyone twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(contactArbitrary, { minLength: 1, maxLength: 12 }), async (people) => {
        const store = createMemoryStore();
        const now = new Date('2026-12-02T01:00:00Z');
        const clock = { now: () => now };
        await store.customers.upsertAccount({ accountId: 'acc', name: 'Acme', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
        for (const [index, person] of people.entries()) {
          await store.customers.upsertContact(
            {
              contactId: `c${index}`,
              accountId: 'acc',
              email: `c${index}@example.com`,
              firstName: 'A',
              lastName: 'B',
              locale: index % 2 ? 'ja' : 'en',
              timeZone: 'Asia/Tokyo',
              consent: person.consent as 'granted' | 'withdrawn' | 'unknown',
              topicsOptedOut: person.optedOutOfTopic ? [campaign.topic] : [],
            },
            now,
          );
        }
        const suppress = async (when: string) => {
          for (const [index, person] of people.entries()) {
            if (person.suppression?.when === when) {
              await store.suppressions.suppress({ email: `C${index}@EXAMPLE.com`, reason: person.suppression.reason as 'manual', suppressedAt: now.toISOString(), source: 'test' });
            }
          }
        };
        const queue = new InProcessQueue();
        const mailer = new RecordingMailer();
        const deps = senderDeps(store, config, mailer, clock, compiler);

        await suppress('before-dispatch');
        await dispatchCampaignRun(campaign, now, { ...store, runs: store.campaignRuns, config, queue, clock });
        await suppress('after-dispatch');
        // Redeliver some messages: SQS is at-least-once.
        const first = queue.receive(100);
        for (const message of first) {
          const person = people[Number(JSON.parse(message.body).contactId.slice(1))];
          if (person?.redelivered) queue.sendMessage(message.body);
          queue.release(message.id);
        }
        const half = queue.receive(Math.ceil(queue.size / 2));
        const { retryIds } = await processSendBatch(half.map((message) => ({ id: message.id, body: message.body })), deps);
        for (const message of half) {
          if (retryIds.includes(message.id)) queue.release(message.id);
          else queue.delete(message.id);
        }
        await suppress('between-redeliveries');
        await drainQueue(queue, deps, processSendBatch);

        const received = mailer.sent.map((email) => email.to);
        expect(new Set(received).size).toBe(received.length);
        for (const [index, person] of people.entries()) {
          const mustNot =
            person.consent !== 'granted' || person.optedOutOfTopic || person.suppression?.when === 'before-dispatch' || person.suppression?.when === 'after-dispatch';
          if (mustNot) expect(received).not.toContain(`c${index}@example.com`);
          const mayNot = mustNot || person.suppression !== null;
          if (!mayNot) expect(received).toContain(`c${index}@example.com`);
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
