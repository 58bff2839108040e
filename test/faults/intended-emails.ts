/**
 * The fault scenario's readback of emails, without faults: for every intended email (the campaign
 * run's, the sequence step's, the webinar follow-ups) how it ended (sent, skipped with a reason,
 * failed with a reason, stranded for ops, only in the dead-letter queue, or lost), who SES
 * accepted the same email from more than once, and whether each run's `sent` counter equals its
 * sent items and SES's accepted emails.
 */
import type { ReceivedMessage } from '../../adapters/local/in-process-queue.ts';
import type { Send } from '../../core/sending/send.ts';
import { encodeTagValue } from '../../core/sending/email-tags.ts';
import { messageIdOf, sendRequestSchema } from '../../core/sending/send-request.ts';
import type { Store } from '../../core/ports.ts';
import type { AcceptedEmail } from './faulty-ses.ts';

export type EmailKind = 'campaign' | 'sequence' | 'webinar';

export interface IntendedEmail {
  kind: EmailKind;
  /** Campaign, sequence or webinar id: what its sends are filed under. */
  messageId: string;
  runId: string;
  contactId: string;
  email: string;
  /** Ended before any send or skip was filed, with this reason (a sequence enrollment that exited). */
  endedWith?: string;
}

export interface Endings {
  intended: number;
  sent: number;
  skipped: number;
  failed: number;
  deadLetters: number;
  lost: number;
}

export interface EmailReadback {
  byKind: Record<EmailKind, Endings>;
  total: Endings;
  /** Sends in state sent (every run), for the SES events the scenario ingests next. */
  sent: Send[];
  strandedLeft: number;
  /** Emails SES accepted more than once (same message, run and recipient). */
  duplicates: number;
  /** Emails SES accepted that the engine recorded as failed (a timeout after SES took it): visible, never resent. */
  failedButAccepted: number;
  /** Runs whose `sent` counter, sent items or SES-accepted sent emails disagree. */
  counterErrors: string[];
  /** The intended emails that ended nowhere, for the failure message. */
  lostExamples: string[];
  /** Skipped intended emails by reason (frequency-cap, suppressed, no-consent, an enrollment's exit). */
  skipReasons: Record<string, number>;
}

/** The key an email is known by: SES's tags for what it accepted, the send's fields for the engine's side. */
const emailKey = (messageId: string, runId: string, to: string) => `${encodeTagValue(messageId)}|${encodeTagValue(runId)}|${to}`;
export const acceptedKey = (accepted: AcceptedEmail) => `${accepted.email.tags.campaign ?? ''}|${accepted.email.tags.run ?? ''}|${accepted.email.to}`;
export const sendKey = (send: Pick<Send, 'campaignId' | 'runId'>, email: string) => emailKey(send.campaignId, send.runId, email);

export async function readBackEmails(intended: readonly IntendedEmail[], truth: Store, accepted: readonly AcceptedEmail[], deadLetters: readonly ReceivedMessage[]): Promise<EmailReadback> {
  const runs = new Map<string, { messageId: string; runId: string }>();
  for (const email of intended) runs.set(`${email.messageId}\u0000${email.runId}`, { messageId: email.messageId, runId: email.runId });
  const sendOf = new Map<string, Send>();
  const skipped = new Map<string, string>();
  const acceptedTimes = new Map<string, number>();
  for (const email of accepted) acceptedTimes.set(acceptedKey(email), (acceptedTimes.get(acceptedKey(email)) ?? 0) + 1);
  const counterErrors: string[] = [];
  const sent: Send[] = [];
  const emailOf = new Map(intended.map((email) => [email.contactId, email.email]));
  for (const { messageId, runId } of runs.values()) {
    const [sends, skips, counters] = await Promise.all([truth.sends.listSendsOfRun(messageId, runId), truth.sends.listSkipsOfRun(messageId, runId), truth.kpis.runCounters(messageId, runId)]);
    for (const send of sends) sendOf.set(`${messageId}\u0000${runId}\u0000${send.contactId}`, send);
    for (const skip of skips) if (skip.reason) skipped.set(`${messageId}\u0000${runId}\u0000${skip.contactId}`, skip.reason);
    const runSent = sends.filter((send) => send.state === 'sent');
    sent.push(...runSent);
    const acceptedAndSent = runSent.filter((send) => acceptedTimes.has(sendKey(send, emailOf.get(send.contactId) ?? ''))).length;
    const sentCounter = counters?.totals.sent ?? 0;
    if (sentCounter !== runSent.length || acceptedAndSent !== runSent.length) counterErrors.push(`${messageId}/${runId}: sent counter ${sentCounter}, sent items ${runSent.length}, accepted by SES ${acceptedAndSent}`);
  }
  const dead = new Set(
    deadLetters.map((message) => {
      const request = sendRequestSchema.parse(JSON.parse(message.body));
      return `${messageIdOf(request.source)}\u0000${request.runId}\u0000${request.contactId}`;
    }),
  );
  const empty = (): Endings => ({ intended: 0, sent: 0, skipped: 0, failed: 0, deadLetters: 0, lost: 0 });
  const byKind: Record<EmailKind, Endings> = { campaign: empty(), sequence: empty(), webinar: empty() };
  const total = empty();
  const lostExamples: string[] = [];
  let strandedLeft = 0;
  let failedButAccepted = 0;
  const skipReasons: Record<string, number> = {};
  for (const email of intended) {
    const key = `${email.messageId}\u0000${email.runId}\u0000${email.contactId}`;
    const send = sendOf.get(key);
    const ending: keyof Endings =
      send?.state === 'sent' ? 'sent'
      : (send?.state === 'failed' && send.reason) || send?.state === 'stranded' ? 'failed'
      : skipped.has(key) || email.endedWith ? 'skipped'
      : dead.has(key) ? 'deadLetters'
      : 'lost';
    if (send?.state === 'stranded') strandedLeft++;
    const reason = ending === 'skipped' ? (skipped.get(key) ?? email.endedWith ?? '') : undefined;
    if (reason !== undefined) skipReasons[reason] = (skipReasons[reason] ?? 0) + 1;
    if (send?.state === 'failed' && acceptedTimes.has(sendKey(send, email.email))) failedButAccepted++;
    if (ending === 'lost' && lostExamples.length < 10) lostExamples.push(`${email.kind} ${email.messageId}/${email.runId} to ${email.contactId}: ${send ? `send in state ${send.state}` : 'no send, skip or dead letter'}`);
    for (const endings of [byKind[email.kind], total]) {
      endings.intended++;
      endings[ending]++;
    }
  }
  return {
    byKind,
    total,
    sent,
    strandedLeft,
    duplicates: [...acceptedTimes.values()].filter((times) => times > 1).length,
    failedButAccepted,
    counterErrors,
    lostExamples,
    skipReasons,
  };
}
