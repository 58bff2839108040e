/**
 * What-if: the CSQL list under candidate weights and rules, from stored history, compared with the
 * list under the current config. Scores are replayed from the accounts' events (the same signal
 * weights and decay as the engagement path, in memory), so a candidate half-life or weight is
 * seen as if it had always been in force. Writes nothing. Pure except for the reads of `WhatIfDeps`.
 */
import type { EngineConfig } from '../config/engine-config.ts';
import type { Account } from '../customers/account.ts';
import { parseDuration } from '../config/duration.ts';
import type { CustomerStore, EngagementStore, PipelineStore, SurveyStore, UsageStore, WebinarStore } from '../ports.ts';
import { accountEngagement } from '../scoring/account-score.ts';
import { eraOf } from '../scoring/decayed-score.ts';
import { computeHealth } from '../scoring/health-score.ts';
import { newestPerMetric, type UsageRecord } from '../scoring/usage.ts';
import type { StoredScore } from '../scoring/score.ts';
import { halfLifeOf, scoreUpdatesOf } from '../scoring/score-event.ts';
import { npsOf } from '../surveys/nps.ts';
import type { SurveyAnswer } from '../surveys/survey-answer.ts';
import { mapBounded } from '../bounded-parallel.ts';
import type { EngagementEvent } from '../tracking/engagement-event.ts';
import type { PipelineFacts } from './crm-outcome.ts';
import { matches, usageLookbacks, type AccountFacts } from './evaluate-csql.ts';

export interface WhatIfDeps {
  customers: Pick<CustomerStore, 'listContactsOfAccount'>;
  engagement: Pick<EngagementStore, 'listEventsOfContact'>;
  usage: Pick<UsageStore, 'listUsageRecords'>;
  webinars: Pick<WebinarStore, 'listRegistrationsOfContact'>;
  pipeline: Pick<PipelineStore, 'pipelineOf'>;
  /** Survey answers, for health models with an NPS input. */
  surveys: Pick<SurveyStore, 'answersOfAccount'>;
}

export interface WhatIfVerdict {
  accountId: string;
  today?: { ruleId: string; score: number };
  candidate?: { ruleId: string; score: number };
  change: 'promoted' | 'dropped' | 'rule-changed' | 'same';
}

export async function whatIf(accounts: readonly Account[], current: EngineConfig, candidate: EngineConfig, now: Date, deps: WhatIfDeps): Promise<WhatIfVerdict[]> {
  const verdicts: WhatIfVerdict[] = [];
  for (const account of accounts) {
    const [{ events, usage, attended, answers }, pipeline] = await Promise.all([readAccountHistory(account.accountId, deps), deps.pipeline.pipelineOf(account.accountId)]);
    // The answers given by now; undefined when nobody answered (an NPS input is then left out, as in health).
    const nps = npsOf(answers.filter((answer) => Date.parse(answer.answeredAt) <= now.getTime())).nps;
    const verdictUnder = (config: EngineConfig) => {
      // Exclusions hold under any candidate: they are what the CRM says, not what the config weighs.
      if (config.csqlRules.exclusions.openOpportunity && pipeline.openOpportunities.length > 0) return undefined;
      const facts = replayedFacts(account, events, config, now, usage, attended, pipeline, nps);
      for (const rule of config.csqlRules.rules) if (matches(rule, facts, now)) return { ruleId: rule.id, score: Math.round(facts.engagement.total * 10) / 10 };
      return undefined;
    };
    const today = verdictUnder(current);
    const next = verdictUnder(candidate);
    const change = today && !next ? 'dropped' : !today && next ? 'promoted' : today && next && today.ruleId !== next.ruleId ? 'rule-changed' : 'same';
    verdicts.push({ accountId: account.accountId, ...(today ? { today } : {}), ...(next ? { candidate: next } : {}), change });
  }
  return verdicts;
}

/** What a replay of an account's scores needs: its contacts' events, its usage, the webinars they attended, its survey answers. */
export interface AccountHistory {
  events: EngagementEvent[];
  usage: UsageRecord[];
  attended: Array<{ webinarId: string; at?: string }>;
  answers: SurveyAnswer[];
}

/** Reads an account's history for a replay (what-if, the dashboard's trends). */
export async function readAccountHistory(accountId: string, deps: Omit<WhatIfDeps, 'pipeline'>): Promise<AccountHistory> {
  const contacts = await deps.customers.listContactsOfAccount(accountId);
  const [events, usage, registrations, answers] = await Promise.all([
    mapBounded(contacts, 4, (contact) => deps.engagement.listEventsOfContact(contact.contactId)).then((all) => all.flat()),
    deps.usage.listUsageRecords(accountId),
    mapBounded(contacts, 4, (contact) => deps.webinars.listRegistrationsOfContact(contact.contactId)).then((all) => all.flat()),
    deps.surveys.answersOfAccount(accountId),
  ]);
  const attended = registrations.filter((registrant) => registrant.attended).map((registrant) => ({ webinarId: registrant.webinarId, ...(registrant.firstJoinedAt ? { at: registrant.firstJoinedAt } : {}) }));
  return { events, usage, attended, answers };
}

/** The account's facts with scores replayed from its events under `config`'s scoring. */
export function replayedFacts(
  account: Account,
  events: readonly EngagementEvent[],
  config: EngineConfig,
  now: Date,
  usageRecords: readonly UsageRecord[],
  attendedWebinars: ReadonlyArray<{ webinarId: string; at?: string }>,
  pipeline?: PipelineFacts,
  nps?: number,
): AccountFacts {
  const halfLifeMs = halfLifeOf(config.scoring);
  const epoch = eraOf(now, halfLifeMs);
  const scores = new Map<string, StoredScore>();
  const add = (scope: 'contact' | 'account', id: string, signal: string, scaled: number) => {
    const key = `${scope}:${id}`;
    const stored = scores.get(key) ?? { scope, id, epoch, scaledSum: 0, signals: {}, updatedAt: now.toISOString(), version: 0 };
    stored.scaledSum += scaled;
    stored.signals[signal] = (stored.signals[signal] ?? 0) + scaled;
    scores.set(key, stored);
  };
  for (const event of events) {
    if (Date.parse(event.occurredAt) > now.getTime()) continue;
    for (const update of scoreUpdatesOf(event, config.scoring, epoch)) add(update.scope, update.id, update.signal, update.scaled);
  }
  const contactScores = new Map([...scores.values()].filter((score) => score.scope === 'contact').map((score) => [score.id, score]));
  const engagement = accountEngagement(scores.get(`account:${account.accountId}`), contactScores, now, config.scoring);
  const figuresAt = (instant: number) => Object.fromEntries([...newestPerMetric(usageRecords.filter((record) => Date.parse(record.at) <= instant))].map(([metric, entry]) => [metric, entry.value]));
  const usage = figuresAt(now.getTime());
  const health = computeHealth(config.scoring.health, { usage, engagementScore: engagement.rollUp, nps });
  const productOf = new Map(config.webinars.map((webinar) => [webinar.id, webinar.product]));
  return {
    account,
    engagement,
    health: health.total,
    healthDimensions: Object.fromEntries(health.components.map((component) => [component.dimension, component.score])),
    webinarAttendances: attendedWebinars.map(({ webinarId, at }) => ({ webinarId, ...(productOf.get(webinarId) ? { product: productOf.get(webinarId) as string } : {}), ...(at ? { at } : {}) })),
    ...(pipeline ? { pipeline } : {}),
    usage: { now: usage, before: Object.fromEntries(usageLookbacks(config.csqlRules).map((over) => [over, figuresAt(now.getTime() - (parseDuration(over) ?? 0))])) },
  };
}
