/**
 * A mailer whose SES account can be paused and fixed mid-test, and a small audience to send to:
 * the pieces of the account-level error tests (sender use case and local workers).
 */
import type { Campaign } from '../../core/config/schema/messages.ts';
import { MailerError, type Mailer, type OutgoingEmail, type Store } from '../../core/ports.ts';
import type { SendRequest } from '../../core/sending/send-request.ts';

export class PausableMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  calls = 0;
  /** While set, every send is refused with this account-level error name (as the SES adapter reports it). */
  refusal: string | undefined;
  /** Accept this many emails, then start refusing (an account paused mid-batch). */
  refuseAfter: number | undefined;
  private next = 0;

  constructor(refusal?: string) {
    this.refusal = refusal;
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.calls++;
    await Promise.resolve();
    if (this.refuseAfter !== undefined && this.sent.length >= this.refuseAfter) this.refusal ??= 'SendingPausedException';
    if (this.refusal) throw new MailerError('account-level', this.refusal);
    this.sent.push(email);
    return { messageId: `msg-${++this.next}` };
  }

  async maxSendRate(): Promise<number> {
    return 1_000_000;
  }
}

/** `count` consenting contacts of one account, and one campaign send request for each. */
export async function seedAudience(store: Store, campaign: Campaign, count: number, now: Date): Promise<SendRequest[]> {
  await store.customers.upsertAccount({ accountId: 'acc', name: 'Acme', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  const requests: SendRequest[] = [];
  for (let index = 0; index < count; index++) {
    const contactId = `c${index}`;
    await store.customers.upsertContact(
      { contactId, accountId: 'acc', email: `c${index}@example.com`, firstName: 'A', lastName: 'B', locale: index % 2 ? 'ja' : 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] },
      now,
    );
    requests.push({ source: { kind: 'campaign', campaignId: campaign.id }, runId: 'run-1', contactId, accountId: 'acc' });
  }
  return requests;
}
