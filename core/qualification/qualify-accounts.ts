/**
 * Use case: evaluate accounts against the CSQL rules and act on the decision. A promotion writes
 * its audit record (rule, values, top signals, and the evidence: which contact did what, when),
 * the new state and the outbox entry of `AccountQualifiedAsCsql` in one transaction; a demotion
 * writes the state and `AccountCsqlDemoted`. The reads per account do not grow with its history:
 * its contacts, their scores and registrations, its score, usage and state, and a bounded query of
 * the latest events of its three most engaged contacts.
 */
import type { EngineConfig } from '../config/engine-config.ts';
import type { Account } from '../customers/account.ts';
import { mapBounded } from '../bounded-parallel.ts';
import { parseDuration } from '../config/duration.ts';
import { TIERS } from '../config/schema/common.ts';
import type { Clock, CsqlStore, CustomerStore, EngagementStore, PipelineStore, ScoreStore, SurveyStore, UsageStore, WebinarStore } from '../ports.ts';
import { accountEngagement, type AccountEngagement } from '../scoring/account-score.ts';
import { readAccountHealth } from '../scoring/health-score.ts';
import { latestFigures } from '../scoring/usage.ts';
import { findSession } from '../webinars/webinar-catalog.ts';
import { CSQL_DEMOTED, CSQL_EVENT_VERSION, qualifiedEvent, type CsqlPromotion, type CsqlState } from './csql-promotion.ts';
import { evaluateCsql, usageLookbacks, type AccountFacts, type CsqlDecision } from './evaluate-csql.ts';
import { withReclassifiedClicks } from '../tracking/recipient-clicks.ts';

export interface QualifyDeps {
  config: EngineConfig;
  customers: Pick<CustomerStore, 'getAccounts' | 'listContactsOfAccount'>;
  scores: Pick<ScoreStore, 'getScore' | 'getScores'>;
  usage: Pick<UsageStore, 'latestUsage' | 'usageAsOf'>;
  /** The account's NPS for the health score's NPS input (absent: that input is left out). */
  surveys?: Pick<SurveyStore, 'answersOfAccount'>;
  webinars: Pick<WebinarStore, 'listRegistrationsOfContact'>;
  engagement: Pick<EngagementStore, 'recentEventsOfContact'>;
  csql: Pick<CsqlStore, 'getState' | 'promote' | 'demote'>;
  pipeline: Pick<PipelineStore, 'pipelineOf'>;
  clock: Clock;
}

export interface QualifyOutcome {
  accountId: string;
  /** `failed`: a read or write for this account failed; the others went on, and the next run evaluates it again. */
  decision: CsqlDecision['action'] | 'conflict' | 'failed';
  reason?: string;
  promotion?: CsqlPromotion;
}

const EVIDENCE_CONTACTS = 3;
const EVIDENCE_EVENTS_PER_CONTACT = 5;

export async function qualifyAccounts(accountIds: readonly string[], deps: QualifyDeps): Promise<QualifyOutcome[]> {
  const accounts = await deps.customers.getAccounts(accountIds);
  const outcomes: QualifyOutcome[] = [];
  for (const account of accounts.values()) outcomes.push(await qualifyAccountOrFail(account, deps));
  return outcomes;
}

/** Accounts evaluated at once: each is a handful of reads, so a few in flight keep the store busy without throttling. */
const ACCOUNTS_IN_FLIGHT = 8;

/** Every account, tier by tier (the scheduled job: every 15 minutes in AWS and locally). */
export async function qualifyAllAccounts(deps: QualifyDeps & { customers: Pick<CustomerStore, 'listAccountsByTier'> }): Promise<QualifyOutcome[]> {
  const accounts = (await Promise.all(TIERS.map((tier) => deps.customers.listAccountsByTier(tier)))).flat();
  return mapBounded(accounts, ACCOUNTS_IN_FLIGHT, (account) => qualifyAccountOrFail(account, deps));
}

/**
 * One account's evaluation, its failure kept to itself: a throttled read on one account must not
 * stop the other accounts' promotions (each account's writes are conditional on its own state's
 * version, so an evaluation that failed halfway is simply done again by the next run).
 */
async function qualifyAccountOrFail(account: Account, deps: QualifyDeps): Promise<QualifyOutcome> {
  try {
    return await qualifyAccount(account, deps);
  } catch (error) {
    // The error's name and message only: store errors name tables and keys, never a person.
    return { accountId: account.accountId, decision: 'failed', reason: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

export async function qualifyAccount(account: Account, deps: QualifyDeps): Promise<QualifyOutcome> {
  const now = deps.clock.now();
  const [facts, state] = await Promise.all([accountFacts(account, deps, now), deps.csql.getState(account.accountId)]);
  const decision = evaluateCsql(facts, state, deps.config.csqlRules, now);
  const expectedVersion = state?.version ?? 0;
  if (decision.action === 'stay') return { accountId: account.accountId, decision: 'stay', reason: decision.reason };
  if (decision.action === 'demote') {
    const next: CsqlState = { accountId: account.accountId, status: 'not-csql', ...(state?.promotedAt ? { promotedAt: state.promotedAt } : {}), ...(state?.ruleId ? { ruleId: state.ruleId } : {}), demotedAt: now.toISOString(), demotionReason: decision.reason, version: expectedVersion + 1 };
    const demoted = await deps.csql.demote(next, expectedVersion, {
      id: `csql-demoted:${account.accountId}:${now.toISOString()}`,
      detailType: CSQL_DEMOTED,
      detail: { version: CSQL_EVENT_VERSION, accountId: account.accountId, demotedAt: now.toISOString(), reason: decision.reason, promotedAt: state?.promotedAt ?? null },
      createdAt: now.toISOString(),
    });
    return { accountId: account.accountId, decision: demoted ? 'demote' : 'conflict', reason: decision.reason };
  }
  const promotion = await promotionOf(account, facts, decision, deps, now);
  const next: CsqlState = { accountId: account.accountId, status: 'csql', promotedAt: promotion.promotedAt, ruleId: promotion.ruleId, version: expectedVersion + 1 };
  const promoted = await deps.csql.promote(promotion, next, expectedVersion, qualifiedEvent(promotion));
  return { accountId: account.accountId, decision: promoted ? 'promote' : 'conflict', reason: decision.rule.description, ...(promoted ? { promotion } : {}) };
}

/** What the rules look at for one account. */
export async function accountFacts(account: Account, deps: QualifyDeps, now: Date): Promise<AccountFacts & { engagement: AccountEngagement }> {
  const contacts = await deps.customers.listContactsOfAccount(account.accountId);
  const contactIds = contacts.map((contact) => contact.contactId);
  const lookbacks = usageLookbacks(deps.config.csqlRules);
  const [accountScore, contactScores, health, pipeline, usageBefore] = await Promise.all([
    deps.scores.getScore('account', account.accountId),
    contactIds.length > 0 ? deps.scores.getScores('contact', contactIds) : Promise.resolve(new Map()),
    readAccountHealth(account.accountId, { usage: deps.usage, scores: deps.scores, ...(deps.surveys ? { surveys: deps.surveys } : {}), scoring: deps.config.scoring, now }),
    deps.pipeline.pipelineOf(account.accountId),
    Promise.all(lookbacks.map(async (over) => [over, await deps.usage.usageAsOf(account.accountId, new Date(now.getTime() - (parseDuration(over) ?? 0)))] as const)),
  ]);
  const engagement = accountEngagement(accountScore, contactScores, now, deps.config.scoring);
  // Registrations of contacts who engaged at all: attendance moves the score, so the others attended nothing.
  const engaged = engagement.contacts.filter((contact) => contact.score > 0).map((contact) => contact.contactId);
  const registrations = (await Promise.all(engaged.map((contactId) => deps.webinars.listRegistrationsOfContact(contactId)))).flat();
  const productOf = new Map(deps.config.webinars.map((webinar) => [webinar.id, webinar.product]));
  const webinarAttendances = registrations
    .filter((registrant) => registrant.attended)
    .map((registrant) => {
      const at = registrant.firstJoinedAt ?? findSession(deps.config, registrant.webinarId, registrant.sessionId)?.startsAt.toISOString();
      const product = productOf.get(registrant.webinarId);
      return { webinarId: registrant.webinarId, ...(product ? { product } : {}), ...(at ? { at } : {}) };
    });
  const usageKnown = health.health.missing.length < countInputs(deps.config);
  return {
    account,
    engagement,
    health: usageKnown || health.engagementScore > 0 ? health.health.total : undefined,
    healthDimensions: Object.fromEntries(health.health.components.map((component) => [component.dimension, component.score])),
    webinarAttendances,
    pipeline,
    usage: { now: latestFigures(health.latest), before: Object.fromEntries(usageBefore) },
  };
}

function countInputs(config: EngineConfig): number {
  const { health } = config.scoring;
  return [health.deployment, health.engagement, health.adoption, health.roi].reduce((sum, dimension) => sum + dimension.inputs.length, 0);
}

async function promotionOf(account: Account, facts: AccountFacts & { engagement: AccountEngagement }, decision: Extract<CsqlDecision, { action: 'promote' }>, deps: QualifyDeps, now: Date): Promise<CsqlPromotion> {
  const top = deps.config.csqlRules.explainTopSignals;
  const evidence = (
    await Promise.all(facts.engagement.contacts.slice(0, EVIDENCE_CONTACTS).filter((contact) => contact.score > 0).map((contact) => deps.engagement.recentEventsOfContact(contact.contactId, EVIDENCE_EVENTS_PER_CONTACT)))
  )
    .map(withReclassifiedClicks)
    .flat()
    .filter((event) => !event.machine && !['send', 'delivery', 'bounce', 'delivery-delay', 'reject', 'rendering-failure', 'webinar-no-show'].includes(event.type))
    .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))
    .slice(0, top * 2)
    .map((event) => ({ contactId: event.contactId, type: event.type, occurredAt: event.occurredAt, ...(event.campaignId ? { source: event.campaignId } : {}) }));
  return {
    accountId: account.accountId,
    promotedAt: now.toISOString(),
    ruleId: decision.rule.id,
    ruleDescription: decision.rule.description,
    accountScore: Math.round(facts.engagement.total * 10) / 10,
    health: Math.round(facts.health ?? 0),
    values: decision.values,
    topSignals: facts.engagement.signals.slice(0, top).map((signal) => ({ signal: signal.signal, contribution: Math.round(signal.score * 10) / 10 })),
    evidence,
  };
}
