/** Shared pieces for sending use-case tests: the shipped config opened up, a recording mailer, sender deps. */
import { join } from 'node:path';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import { defaultConfigLocation, loadConfigOrThrow } from '../../adapters/fs/config-directory.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Campaign } from '../../core/config/schema/messages.ts';
import type { Clock, Mailer, OutgoingEmail, Store } from '../../core/ports.ts';
import { TemplateCompiler } from '../../core/rendering/template-compiler.ts';
import type { SenderDeps } from '../../core/sending/send-emails.ts';
import { SendRateLimiter } from '../../core/sending/send-rate-limiter.ts';

/** The link secret the test sender signs tokens and SES tags with. */
export const TEST_TOKEN_SECRET = 'test-secret-0123456789abcdef';
export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** The shipped config with a campaign to everyone and guardrails that never defer (time rules are tested apart). */
export async function openConfig(): Promise<{ config: EngineConfig; campaign: Campaign }> {
  const shipped = await loadConfigOrThrow(defaultConfigLocation(REPO_ROOT));
  const newsletter = shipped.campaigns.find((campaign) => campaign.id === 'monthly-newsletter')!;
  const campaign: Campaign = { ...newsletter, audience: {} };
  return {
    campaign,
    config: {
      ...shipped,
      campaigns: [campaign],
      guardrails: { ...shipped.guardrails, quietHours: { start: '00:00', end: '00:00' }, holidays: [], frequencyCaps: [] },
    } as EngineConfig,
  };
}

export class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  private next = 0;
  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.sent.push(email);
    return { messageId: `msg-${++this.next}` };
  }
  async maxSendRate(): Promise<number> {
    return 1_000_000;
  }
}

export function senderDeps(store: Store, config: EngineConfig, mailer: Mailer, clock: Clock, compiler = new TemplateCompiler(config.templates)): SenderDeps {
  let claims = 0;
  return {
    config,
    customers: store.customers,
    sends: store.sends,
    strandedClaims: store.strandedClaims,
    suppressions: store.suppressions,
    pauses: store.pauses,
    webinars: store.webinars,
    mailer,
    compiler,
    clock,
    rateLimiter: new SendRateLimiter(1_000_000, { now: () => 0, sleep: async () => {} }),
    links: { baseUrl: 'https://links.example.com', tokenSecret: TEST_TOKEN_SECRET },
    newClaimToken: () => `claim-${++claims}`,
    sleep: async () => {},
  };
}

/** Drains an in-process queue through the sender use case, like a worker would. */
export async function drainQueue(queue: InProcessQueue, deps: SenderDeps, process: typeof import('../../core/sending/send-emails.ts').processSendBatch): Promise<void> {
  for (let guard = 0; queue.size > 0 && guard < 1000; guard++) {
    const messages = queue.receive(10);
    if (messages.length === 0) break;
    const { retryIds } = await process(messages.map((message) => ({ id: message.id, body: message.body })), deps);
    const retry = new Set(retryIds);
    for (const message of messages) {
      if (retry.has(message.id)) queue.release(message.id);
      else queue.delete(message.id);
    }
  }
}
