/**
 * Use case: dispatch a campaign run. Resolves the audience, applies the guardrails to every
 * contact, queues who may be emailed now, parks who must wait (quiet hours, send window,
 * holidays) and records why each skipped contact was skipped. The run moves
 * scheduled -> dispatching -> dispatched; a second invocation of a dispatched run does nothing,
 * and a resumed one (a crash mid-dispatch) re-queues safely because the sender claims each email.
 * While the campaign (or all sending) is paused, who would be queued is parked instead, due at once:
 * the release job queues them when the pause is lifted (sending-pause.ts).
 */
import { resolveAudience, type AudienceDeps } from '../audience/resolve-audience.ts';
import { runIdFor } from '../campaigns/campaign-run.ts';
import { mapBounded } from '../bounded-parallel.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { Campaign } from '../config/schema/messages.ts';
import type { CampaignRunStore, Clock, SendingPauseStore, SendQueue, SendStore, SuppressionStore } from '../ports.ts';
import { pauseOf } from './sending-pause.ts';
import type { AudienceCandidate } from '../audience/segment.ts';
import { evaluateGuardrails, frequencyCaps, longestCapWindowMs, type FrequencyCap, type GuardrailDecision } from './guardrails.ts';
import type { DeferredSend, MessageSource, SendRequest, SkippedSend } from './send-request.ts';
import { sendWindowRules, type SendWindowRules } from './send-window.ts';

export interface DispatchDeps extends Omit<AudienceDeps, 'scoring'> {
  config: EngineConfig;
  runs: CampaignRunStore;
  sends: SendStore;
  suppressions: SuppressionStore;
  pauses: Pick<SendingPauseStore, 'listPauses'>;
  queue: SendQueue;
  clock: Clock;
}

export type DispatchOutcome =
  | { outcome: 'dispatched'; runId: string; counts: Record<string, number> }
  | { outcome: 'already-dispatched'; runId: string }
  | { outcome: 'not-active'; runId: string; status: string };

const HISTORY_READ_CONCURRENCY = 16;

export async function dispatchCampaignRun(campaign: Campaign, scheduledFor: Date, deps: DispatchDeps): Promise<DispatchOutcome> {
  const runId = runIdFor(scheduledFor);
  if (campaign.status !== 'active') return { outcome: 'not-active', runId, status: campaign.status };
  const now = deps.clock.now();
  await deps.runs.createRun({ campaignId: campaign.id, runId, state: 'scheduled', scheduledFor: scheduledFor.toISOString(), createdAt: now.toISOString(), counts: {} });
  const run = await deps.runs.getRun(campaign.id, runId);
  if (run && run.state !== 'scheduled' && run.state !== 'dispatching') return { outcome: 'already-dispatched', runId };
  await deps.runs.setRunState(campaign.id, runId, 'dispatching');

  const counts: Record<string, number> = { audience: 0, queued: 0, deferred: 0 };
  const source: MessageSource = { kind: 'campaign', campaignId: campaign.id };
  const guard = guardrailContext(deps.config);
  for await (const members of resolveAudience(campaign.audience, now, { ...deps, scoring: deps.config.scoring })) {
    counts.audience = (counts.audience ?? 0) + members.length;
    const decisions = await decideForMembers(members, campaign.topic, now, guard, deps);
    const partitioned = partition(decisions, source, runId, campaign.id, now);
    const { skipped } = partitioned;
    // Read per page, so a pause ops set during a long dispatch takes effect on the next page.
    const paused = pauseOf(await deps.pauses.listPauses(), campaign.id) !== undefined;
    const queued = paused ? [] : partitioned.queued;
    const deferred = paused ? [...partitioned.deferred, ...partitioned.queued.map((request) => ({ request, notBefore: now.toISOString() }))] : partitioned.deferred;
    if (paused) counts.paused = (counts.paused ?? 0) + partitioned.queued.length;
    await deps.queue.enqueue(queued);
    await deps.sends.deferSends(deferred);
    await deps.sends.recordSkips(skipped);
    counts.queued = (counts.queued ?? 0) + queued.length;
    counts.deferred = (counts.deferred ?? 0) + deferred.length;
    for (const skip of skipped) counts[`skipped:${skip.reason}`] = (counts[`skipped:${skip.reason}`] ?? 0) + 1;
  }
  await deps.runs.setRunState(campaign.id, runId, 'dispatched', counts);
  return { outcome: 'dispatched', runId, counts };
}

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
