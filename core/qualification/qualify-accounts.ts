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
import type { Clock, CsqlStore, CustomerStore, EngagementStore, ScoreStore, UsageStore, WebinarStore } from '../ports.ts';
import { accountEngagement, type AccountEngagement } from '../scoring/account-score.ts';
import { readAccountHealth } from '../scoring/health-score.ts';
import { CSQL_DEMOTED, CSQL_EVENT_VERSION, qualifiedEvent, type CsqlPromotion, type CsqlState } from './csql-promotion.ts';
import { evaluateCsql, type AccountFacts, type CsqlDecision } from './evaluate-csql.ts';

export interface QualifyDeps {
  config: EngineConfig;
  customers: Pick<CustomerStore, 'getAccounts' | 'listContactsOfAccount'>;
  scores: Pick<ScoreStore, 'getScore' | 'getScores'>;
  usage: Pick<UsageStore, 'latestUsage'>;
  webinars: Pick<WebinarStore, 'listRegistrationsOfContact'>;
  engagement: Pick<EngagementStore, 'recentEventsOfContact'>;
  csql: Pick<CsqlStore, 'getState' | 'promote' | 'demote'>;
  clock: Clock;
}

export interface QualifyOutcome {
  accountId: string;
  decision: CsqlDecision['action'] | 'conflict';
  reason?: string;
  promotion?: CsqlPromotion;
}

const EVIDENCE_CONTACTS = 3;
const EVIDENCE_EVENTS_PER_CONTACT = 5;

export async function qualifyAccounts(accountIds: readonly string[], deps: QualifyDeps): Promise<QualifyOutcome[]> {
  const accounts = await deps.customers.getAccounts(accountIds);
  const outcomes: QualifyOutcome[] = [];
  for (const account of accounts.values()) outcomes.push(await qualifyAccount(account, deps));
  return outcomes;
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
  const [accountScore, contactScores, health] = await Promise.all([
    deps.scores.getScore('account', account.accountId),
    contactIds.length > 0 ? deps.scores.getScores('contact', contactIds) : Promise.resolve(new Map()),
    readAccountHealth(account.accountId, { usage: deps.usage, scores: deps.scores, scoring: deps.config.scoring, now }),
  ]);
  const engagement = accountEngagement(accountScore, contactScores, now, deps.config.scoring);
  // Registrations of contacts who engaged at all: attendance moves the score, so the others attended nothing.
  const engaged = engagement.contacts.filter((contact) => contact.score > 0).map((contact) => contact.contactId);
  const registrations = (await Promise.all(engaged.map((contactId) => deps.webinars.listRegistrationsOfContact(contactId)))).flat();
  const productOf = new Map(deps.config.webinars.map((webinar) => [webinar.id, webinar.product]));
  const webinarAttendances = registrations.filter((registrant) => registrant.attended).map((registrant) => ({ webinarId: registrant.webinarId, ...(productOf.get(registrant.webinarId) ? { product: productOf.get(registrant.webinarId) as string } : {}) }));
  const usageKnown = health.health.missing.length < countInputs(deps.config);
  return { account, engagement, health: usageKnown || health.engagementScore > 0 ? health.health.total : undefined, webinarAttendances };
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
