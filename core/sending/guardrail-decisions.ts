/**
 * The guardrail decisions of a page of candidates, shared by campaign dispatch, sequence steps and
 * the audience preview: suppressions in one batched read, send history only where caps need it,
 * then each candidate queued, deferred or skipped with its reason.
 */
import { mapBounded } from '../bounded-parallel.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { SendStore, SuppressionStore } from '../ports.ts';
import type { AudienceCandidate } from '../audience/segment.ts';
import { evaluateGuardrails, frequencyCaps, longestCapWindowMs, type FrequencyCap, type GuardrailDecision } from './guardrails.ts';
import type { DeferredSend, MessageSource, SendRequest, SkippedSend } from './send-request.ts';
import { sendWindowRules, type SendWindowRules } from './send-window.ts';

const HISTORY_READ_CONCURRENCY = 16;

export interface GuardrailContext {
  caps: FrequencyCap[];
  historyMs: number;
  window: SendWindowRules;
}

export function guardrailContext(config: EngineConfig): GuardrailContext {
  const caps = frequencyCaps(config.guardrails);
  return { caps, historyMs: longestCapWindowMs(caps), window: sendWindowRules(config.guardrails) };
}

/** Suppressions in one batched read per page; send history per contact only when caps exist. */
export async function decideForMembers(
  members: readonly AudienceCandidate[],
  topic: string,
  now: Date,
  guard: GuardrailContext,
  deps: { sends: SendStore; suppressions: SuppressionStore },
): Promise<Array<{ member: AudienceCandidate; decision: GuardrailDecision }>> {
  const suppressed = members.length > 0 ? await deps.suppressions.suppressedAmong(members.map((member) => member.contact.email)) : new Map();
  const since = new Date(now.getTime() - guard.historyMs);
  return mapBounded(members, HISTORY_READ_CONCURRENCY, async (member) => {
    const suppression = suppressed.get(member.contact.email);
    // Reading history costs a query: only for contacts the cheaper checks did not already rule out.
    const cheap = evaluateGuardrails({ contact: member.contact, topic, suppression, recentSends: [], now }, [], guard.window);
    if (cheap.action === 'skip' || guard.caps.length === 0) return { member, decision: cheap };
    const recentSends = await deps.sends.sendTimesOfContactSince(member.contact.contactId, since);
    return { member, decision: evaluateGuardrails({ contact: member.contact, topic, suppression, recentSends, now }, guard.caps, guard.window) };
  });
}

export function partition(
  decisions: ReadonlyArray<{ member: AudienceCandidate; decision: GuardrailDecision }>,
  source: MessageSource,
  runId: string,
  filedUnder: string,
  now: Date,
): { queued: SendRequest[]; deferred: DeferredSend[]; skipped: SkippedSend[] } {
  const queued: SendRequest[] = [];
  const deferred: DeferredSend[] = [];
  const skipped: SkippedSend[] = [];
  for (const { member, decision } of decisions) {
    const request: SendRequest = { source, runId, contactId: member.contact.contactId, accountId: member.account.accountId };
    if (decision.action === 'send') queued.push(request);
    else if (decision.action === 'defer') deferred.push({ request, notBefore: decision.notBefore.toISOString() });
    else {
      skipped.push({
        campaignId: filedUnder,
        runId,
        contactId: request.contactId,
        accountId: request.accountId,
        reason: decision.reason,
        ...(decision.detail ? { detail: decision.detail } : {}),
        skippedAt: now.toISOString(),
      });
    }
  }
  return { queued, deferred, skipped };
}
