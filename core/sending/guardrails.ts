/**
 * The per-contact guardrails every send passes before anything is queued: suppression,
 * consent, topic preference, frequency caps across campaigns, then the send window. The
 * result is a decision with a recorded reason: send now, defer to a later instant, or skip.
 */
import { parseDuration } from '../config/duration.ts';
import type { Guardrails } from '../config/schema/settings.ts';
import type { Contact } from '../customers/contact.ts';
import type { Suppression } from '../tracking/suppression.ts';
import { earliestSendTime, type SendWindowRules } from './send-window.ts';

export const SKIP_REASONS = ['suppressed', 'no-consent', 'topic-opted-out', 'frequency-cap', 'no-send-window', 'not-in-audience'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type GuardrailDecision =
  | { action: 'send' }
  | { action: 'defer'; notBefore: Date }
  | { action: 'skip'; reason: SkipReason; detail?: string };

export interface GuardrailInput {
  contact: Contact;
  topic: string;
  suppression: Suppression | undefined;
  /** When this contact was emailed recently (any campaign), newest or oldest first. */
  recentSends: readonly Date[];
  now: Date;
}

export interface FrequencyCap {
  max: number;
  perMs: number;
}

export function frequencyCaps(guardrails: Guardrails): FrequencyCap[] {
  return guardrails.frequencyCaps.map((cap) => ({ max: cap.max, perMs: parseDuration(cap.per) ?? 0 }));
}

/** How far back send history must be read to evaluate every cap. */
export function longestCapWindowMs(caps: readonly FrequencyCap[]): number {
  return Math.max(0, ...caps.map((cap) => cap.perMs));
}

export function evaluateGuardrails(input: GuardrailInput, caps: readonly FrequencyCap[], window: SendWindowRules): GuardrailDecision {
  const { contact, now } = input;
  if (input.suppression) return { action: 'skip', reason: 'suppressed', detail: input.suppression.reason };
  if (contact.consent !== 'granted') return { action: 'skip', reason: 'no-consent', detail: contact.consent };
  if (contact.topicsOptedOut.includes(input.topic)) return { action: 'skip', reason: 'topic-opted-out', detail: input.topic };
  const overCap = evaluateFrequencyCaps(input.recentSends, now, caps);
  if (overCap) return overCap;
  const notBefore = earliestSendTime(now, contact.timeZone, window);
  if (!notBefore) return { action: 'skip', reason: 'no-send-window' };
  return notBefore.getTime() === now.getTime() ? { action: 'send' } : { action: 'defer', notBefore };
}

/** The first cap these sends already fill, as a skip; undefined when one more send is within every cap. */
export function evaluateFrequencyCaps(recentSends: readonly Date[], now: Date, caps: readonly FrequencyCap[]): { action: 'skip'; reason: 'frequency-cap'; detail: string } | undefined {
  for (const cap of caps) {
    const since = now.getTime() - cap.perMs;
    const inWindow = recentSends.filter((sentAt) => sentAt.getTime() > since).length;
    if (inWindow >= cap.max) return { action: 'skip', reason: 'frequency-cap', detail: `${cap.max} per ${cap.perMs / 86_400_000}d` };
  }
  return undefined;
}
