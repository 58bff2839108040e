/**
 * Reputation auto-pause: a campaign (or sequence, or webinar email) whose bounce or complaint rate
 * crosses the configured limit over a minimum volume pauses itself, and so does all sending when
 * the rates over every email of the last days cross them. It uses the pause switch
 * (core/sending/sending-pause.ts): the sender parks the rest at once, nothing is failed or dropped,
 * and only an operator resumes (`npm run resume`); a pause is never lifted by this guard.
 *
 * Checked after each recorded bounce or complaint (the SES event handler), from the KPI counters
 * (core/reporting/kpi-counters.ts): a few reads, no scan of sends or events.
 * Limits: config `guardrails.reputation` (defaults below SES's review levels: 5 % bounces, 0.1 %
 * complaints). Rates are over emails sent; bounced and complained count contacts once per run.
 */
import type { EngineConfig } from '../config/engine-config.ts';
import type { Guardrails } from '../config/schema/settings.ts';
import type { Clock, KpiStore, SendingPauseStore } from '../ports.ts';
import { sumCounts, type KpiCounts, type RunCounters } from '../reporting/kpi-counters.ts';
import { PAUSE_ALL, pauseOf, type SendingPause } from './sending-pause.ts';

export type ReputationLimits = Guardrails['reputation'];

export interface ReputationBreach {
  /** Which rate crossed its limit. */
  rate: 'bounce' | 'complaint';
  value: number;
  limit: number;
  sent: number;
  bounced: number;
  complained: number;
}

/** The first limit the counts cross, over at least `minimumSample` emails sent; undefined when within them. */
export function reputationBreach(counts: Pick<KpiCounts, 'sent' | 'bounced' | 'complained'>, limits: ReputationLimits): ReputationBreach | undefined {
  if (counts.sent < limits.minimumSample) return undefined;
  const base = { sent: counts.sent, bounced: counts.bounced, complained: counts.complained };
  // Complaints first: the stricter limit, and the one mailbox providers weigh most.
  const complaintRate = counts.complained / counts.sent;
  if (complaintRate > limits.maxComplaintRate) return { rate: 'complaint', value: complaintRate, limit: limits.maxComplaintRate, ...base };
  const bounceRate = counts.bounced / counts.sent;
  if (bounceRate > limits.maxBounceRate) return { rate: 'bounce', value: bounceRate, limit: limits.maxBounceRate, ...base };
  return undefined;
}

/** The pause reason operators read (`npm run pause -- --status`, the dashboard, the event). */
export function breachReason(scope: string, breach: ReputationBreach): string {
  const percent = (value: number) => `${(value * 100).toFixed(2)} %`;
  const what = scope === PAUSE_ALL ? 'all sending' : `"${scope}"`;
  const count = breach.rate === 'bounce' ? `${breach.bounced} bounced` : `${breach.complained} complained`;
  return `auto-pause: ${what} ${breach.rate} rate ${percent(breach.value)} over ${breach.sent} sent (${count}) is above the ${percent(breach.limit)} limit; resume explicitly once the cause is fixed`;
}

/** Who paused it, in the pause item: operators tell the guard's pauses from their own. */
export const AUTO_PAUSED_BY = 'reputation-guard';

/** The event published when the guard pauses (EventBridge detail-type; docs/events.md). */
export const SENDING_AUTO_PAUSED = 'SendingAutoPaused';
export const SENDING_AUTO_PAUSED_VERSION = '1';

export interface ReputationGuardDeps {
  kpis: Pick<KpiStore, 'runCounters' | 'runCountersOf'>;
  pauses: Pick<SendingPauseStore, 'pauseOnce' | 'listPauses'>;
  limits: ReputationLimits;
  /** The campaigns, sequences and webinars whose emails count for the sender-wide rates. */
  messageIds: readonly string[];
  clock: Clock;
  /** How far back the sender-wide rates look (default 7 days). */
  accountWindowMs?: number;
}

export interface GuardOutcome {
  /** Pauses this check put in place (already-paused scopes are not repeated). */
  paused: Array<{ scope: string; breach: ReputationBreach; reason: string }>;
}

const DEFAULT_ACCOUNT_WINDOW_MS = 7 * 86_400_000;

/** The guard over a store, with the config's limits and every campaign, sequence and webinar of it. */
export function reputationGuardOf(store: Pick<ReputationGuardDeps, 'kpis' | 'pauses'>, config: Pick<EngineConfig, 'guardrails' | 'campaigns' | 'sequences' | 'webinars'>, clock: Clock): ReputationGuardDeps {
  const messageIds = [...config.campaigns, ...config.sequences, ...config.webinars].map((message) => message.id);
  return { kpis: store.kpis, pauses: store.pauses, limits: config.guardrails.reputation, messageIds, clock };
}

/**
 * After a bounce or complaint of `messageId`'s run `runId`: pause the campaign when its run's rates
 * cross the limits, and all sending when the rates over every email of the window do. Idempotent:
 * a scope already paused is left as it is (its reason and time stay the first pause's).
 */
export async function guardReputation(messageId: string, runId: string, deps: ReputationGuardDeps): Promise<GuardOutcome> {
  const pauses = await deps.pauses.listPauses();
  if (pauses.some((pause) => pause.scope === PAUSE_ALL)) return { paused: [] };
  const paused: GuardOutcome['paused'] = [];
  if (!pauseOf(pauses, messageId)) {
    const run = await deps.kpis.runCounters(messageId, runId);
    const breach = run ? reputationBreach(run.totals, deps.limits) : undefined;
    if (breach) await pauseFor(messageId, breach, deps, paused);
  }
  const since = deps.clock.now().getTime() - (deps.accountWindowMs ?? DEFAULT_ACCOUNT_WINDOW_MS);
  const recent = (await Promise.all(deps.messageIds.map((id) => deps.kpis.runCountersOf(id)))).flat().filter((run: RunCounters) => Date.parse(run.firstAt) >= since);
  const breach = reputationBreach(sumCounts(recent.map((run) => run.totals)), deps.limits);
  if (breach) await pauseFor(PAUSE_ALL, breach, deps, paused);
  return { paused };
}

async function pauseFor(scope: string, breach: ReputationBreach, deps: ReputationGuardDeps, paused: GuardOutcome['paused']): Promise<void> {
  const now = deps.clock.now().toISOString();
  const reason = breachReason(scope, breach);
  const pause: SendingPause = { scope, reason: reason.slice(0, 500), pausedAt: now, pausedBy: AUTO_PAUSED_BY };
  // The pause and its event (for ops and the webhook route, through the outbox: at least once) in one write.
  const id = `sending-auto-paused:${scope}:${now}`;
  const event = {
    id,
    detailType: SENDING_AUTO_PAUSED,
    detail: { eventId: id, version: SENDING_AUTO_PAUSED_VERSION, scope, rate: breach.rate, value: breach.value, limit: breach.limit, sent: breach.sent, bounced: breach.bounced, complained: breach.complained, reason, pausedAt: now },
    createdAt: now,
  };
  // Another handler paused it a moment ago: that pause (and its event) stands.
  if (await deps.pauses.pauseOnce(pause, event)) paused.push({ scope, breach, reason });
}
