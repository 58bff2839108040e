/**
 * Whether an account should become a CSQL, stay one, or stop being one: the CSQL rules of the
 * config over the account's facts (engagement with breadth, DEAR health and its components, tier,
 * phase, recent signals, webinar attendance on products it does not own, rising usage), the
 * exclusions (an open opportunity, a cool-down after sales rejected it), and hysteresis so an
 * account at a threshold does not flap. A CSQL stays one until sales rejects it, its score falls
 * below `demoteBelowScore` (set below the rules' `minAccountScore`) or its promotion expires; while
 * an opportunity is open it stays one whatever its score (sales is working it). An account that
 * stopped being one is not promoted again within the cooldown. Pure.
 */
import { parseDuration } from '../config/duration.ts';
import type { CsqlRules, HealthDimension } from '../config/schema/scoring.ts';
import type { Account } from '../customers/account.ts';
import type { AccountEngagement } from '../scoring/account-score.ts';
import type { PipelineFacts } from './crm-outcome.ts';
import type { CsqlState } from './csql-promotion.ts';

export interface AccountFacts {
  account: Account;
  engagement: AccountEngagement;
  /** DEAR total 0-100; undefined when nothing is known (a rule with minHealth then fails). */
  health: number | undefined;
  /** Webinar sessions the account's contacts attended, with the product each was about and when (ISO-8601). */
  webinarAttendances: Array<{ webinarId: string; product?: string; at?: string }>;
  /** The DEAR components 0-100, for rules with minHealthDimensions. */
  healthDimensions?: Partial<Record<HealthDimension, number>>;
  /** What the CRM reported: open opportunities and the latest rejection (exclusions). */
  pipeline?: PipelineFacts;
  /** Latest usage figures, and the figures as they stood `over` ago (keyed by the rule's `over`), for usageRising. */
  usage?: { now: Record<string, number>; before: Record<string, Record<string, number>> };
}

export type CsqlRule = CsqlRules['rules'][number];

export type CsqlDecision =
  | { action: 'promote'; rule: CsqlRule; values: Record<string, number | string | boolean> }
  | { action: 'demote'; reason: string }
  | { action: 'stay'; reason: string };

export function evaluateCsql(facts: AccountFacts, state: CsqlState | undefined, rules: CsqlRules, now: Date): CsqlDecision {
  const score = facts.engagement.total;
  const rejection = facts.pipeline?.lastRejection;
  const openOpportunities = facts.pipeline?.openOpportunities ?? [];
  if (state?.status === 'csql') {
    if (rejection && state.promotedAt && rejection.at >= state.promotedAt) return { action: 'demote', reason: `rejected by sales: ${rejection.reason}` };
    // Sales is working it: a falling score or an old promotion is not a reason to take it back.
    if (openOpportunities.length > 0) return { action: 'stay', reason: `in the sales pipeline: opportunity ${openOpportunities.join(', ')} is open` };
    if (score < rules.demoteBelowScore) return { action: 'demote', reason: `account score ${round(score)} fell below ${rules.demoteBelowScore}` };
    const expireMs = rules.expireAfter ? parseDuration(rules.expireAfter) : undefined;
    if (expireMs !== undefined && state.promotedAt && now.getTime() - Date.parse(state.promotedAt) >= expireMs) return { action: 'demote', reason: `promotion expired after ${rules.expireAfter}` };
    return { action: 'stay', reason: 'already a CSQL' };
  }
  if (rules.exclusions.openOpportunity && openOpportunities.length > 0) return { action: 'stay', reason: `excluded: opportunity ${openOpportunities.join(', ')} is open in the CRM` };
  const rejectionCooldownMs = rules.exclusions.rejectionCooldown ? parseDuration(rules.exclusions.rejectionCooldown) : undefined;
  if (rejection && rejectionCooldownMs !== undefined && now.getTime() - Date.parse(rejection.at) < rejectionCooldownMs) {
    return { action: 'stay', reason: `excluded: sales rejected it on ${rejection.at.slice(0, 10)} (${rejection.reason}); cool-down until ${new Date(Date.parse(rejection.at) + rejectionCooldownMs).toISOString()}` };
  }
  const cooldownMs = parseDuration(rules.cooldown) ?? 0;
  const lastChange = state?.demotedAt ?? state?.promotedAt;
  if (lastChange && now.getTime() - Date.parse(lastChange) < cooldownMs) return { action: 'stay', reason: `in cooldown until ${new Date(Date.parse(lastChange) + cooldownMs).toISOString()}` };
  for (const rule of rules.rules) {
    const values = matches(rule, facts, now);
    if (values) return { action: 'promote', rule, values };
  }
  return { action: 'stay', reason: 'no rule matches' };
}

/** The values the rule compared when every condition holds; undefined otherwise. */
export function matches(rule: CsqlRule, facts: AccountFacts, now: Date): Record<string, number | string | boolean> | undefined {
  const { account, engagement, health } = facts;
  const values: Record<string, number | string | boolean> = { tier: account.tier, phase: account.phase, accountScore: round(engagement.total), engagedContacts: engagement.engagedContacts };
  if (rule.tiers && !rule.tiers.includes(account.tier)) return undefined;
  if (rule.phases && !rule.phases.includes(account.phase)) return undefined;
  if (rule.minAccountScore !== undefined && engagement.total < rule.minAccountScore) return undefined;
  if (rule.minEngagedContacts !== undefined && engagement.engagedContacts < rule.minEngagedContacts) return undefined;
  if (rule.minHealth !== undefined) {
    if (health === undefined || health < rule.minHealth) return undefined;
    values.health = round(health);
  }
  // Products the account does not own yet, among those the rule names: the expansion it points at.
  const notOwned = rule.productsNotOwned?.filter((product) => !account.products.includes(product));
  if (rule.productsNotOwned && notOwned?.length === 0) return undefined;
  if (notOwned) values.productsNotOwned = notOwned.join(',');
  if (rule.minWebinarAttendances !== undefined) {
    // With products named, only webinars about one of those products count; with a window, only recent ones.
    const withinMs = rule.webinarsWithin ? parseDuration(rule.webinarsWithin) : undefined;
    const counted = facts.webinarAttendances.filter(
      (attendance) =>
        (!notOwned || (attendance.product !== undefined && notOwned.includes(attendance.product))) &&
        (withinMs === undefined || (attendance.at !== undefined && now.getTime() - Date.parse(attendance.at) <= withinMs)),
    );
    if (counted.length < rule.minWebinarAttendances) return undefined;
    values.webinarAttendances = counted.length;
  }
  for (const [dimension, min] of Object.entries(rule.minHealthDimensions ?? {}) as Array<[HealthDimension, number]>) {
    const component = facts.healthDimensions?.[dimension];
    if (component === undefined || component < min) return undefined;
    values[`health.${dimension}`] = round(component);
  }
  for (const [signal, min] of Object.entries(rule.minSignals ?? {})) {
    const contribution = facts.engagement.signals.find((candidate) => candidate.signal === signal)?.score ?? 0;
    if (contribution < min) return undefined;
    values[`signal.${signal}`] = round(contribution);
  }
  if (rule.usageRising) {
    const { metric, per, over, minIncrease } = rule.usageRising;
    const figure = (figures: Record<string, number> | undefined) => {
      const value = figures?.[metric];
      if (value === undefined) return undefined;
      if (per === undefined) return value;
      const whole = figures?.[per];
      return whole !== undefined && whole > 0 ? value / whole : undefined;
    };
    const current = figure(facts.usage?.now);
    const before = figure(facts.usage?.before[over]);
    // No figure then is no evidence of a rise: a new account's first report is not growth.
    if (current === undefined || before === undefined || current - before < minIncrease) return undefined;
    values[`usage.${per === undefined ? metric : `${metric}/${per}`}`] = `${round2(before)} -> ${round2(current)} in ${over}`;
  }
  return values;
}

/** The distinct look-back periods of the rules' usageRising conditions: the usage figures to read as they stood then. */
export function usageLookbacks(rules: CsqlRules): string[] {
  return [...new Set(rules.rules.flatMap((rule) => (rule.usageRising ? [rule.usageRising.over] : [])))];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

const round = (value: number) => Math.round(value * 10) / 10;
