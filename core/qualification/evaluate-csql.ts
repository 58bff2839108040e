/**
 * Whether an account should become a CSQL, stay one, or stop being one: the CSQL rules of the
 * config over the account's facts (engagement with breadth, DEAR health, tier, phase, webinar
 * attendance on products it does not own), with hysteresis so an account at a threshold does not
 * flap. A CSQL stays one until its score falls below `demoteBelowScore` (set below the rules'
 * `minAccountScore`) or its promotion expires; an account that stopped being one is not promoted
 * again within the cooldown. Pure.
 */
import { parseDuration } from '../config/duration.ts';
import type { CsqlRules } from '../config/schema/scoring.ts';
import type { Account } from '../customers/account.ts';
import type { AccountEngagement } from '../scoring/account-score.ts';
import type { CsqlState } from './csql-promotion.ts';

export interface AccountFacts {
  account: Account;
  engagement: AccountEngagement;
  /** DEAR total 0-100; undefined when nothing is known (a rule with minHealth then fails). */
  health: number | undefined;
  /** Webinar sessions the account's contacts attended, with the product each was about. */
  webinarAttendances: Array<{ webinarId: string; product?: string }>;
}

export type CsqlRule = CsqlRules['rules'][number];

export type CsqlDecision =
  | { action: 'promote'; rule: CsqlRule; values: Record<string, number | string | boolean> }
  | { action: 'demote'; reason: string }
  | { action: 'stay'; reason: string };

export function evaluateCsql(facts: AccountFacts, state: CsqlState | undefined, rules: CsqlRules, now: Date): CsqlDecision {
  const score = facts.engagement.total;
  if (state?.status === 'csql') {
    if (score < rules.demoteBelowScore) return { action: 'demote', reason: `account score ${round(score)} fell below ${rules.demoteBelowScore}` };
    const expireMs = rules.expireAfter ? parseDuration(rules.expireAfter) : undefined;
    if (expireMs !== undefined && state.promotedAt && now.getTime() - Date.parse(state.promotedAt) >= expireMs) return { action: 'demote', reason: `promotion expired after ${rules.expireAfter}` };
    return { action: 'stay', reason: 'already a CSQL' };
  }
  const cooldownMs = parseDuration(rules.cooldown) ?? 0;
  const lastChange = state?.demotedAt ?? state?.promotedAt;
  if (lastChange && now.getTime() - Date.parse(lastChange) < cooldownMs) return { action: 'stay', reason: `in cooldown until ${new Date(Date.parse(lastChange) + cooldownMs).toISOString()}` };
  for (const rule of rules.rules) {
    const values = matches(rule, facts);
    if (values) return { action: 'promote', rule, values };
  }
  return { action: 'stay', reason: 'no rule matches' };
}

/** The values the rule compared when every condition holds; undefined otherwise. */
export function matches(rule: CsqlRule, facts: AccountFacts): Record<string, number | string | boolean> | undefined {
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
    // With products named, only webinars about one of those products count.
    const counted = facts.webinarAttendances.filter((attendance) => !notOwned || (attendance.product !== undefined && notOwned.includes(attendance.product)));
    if (counted.length < rule.minWebinarAttendances) return undefined;
    values.webinarAttendances = counted.length;
  }
  return values;
}

const round = (value: number) => Math.round(value * 10) / 10;
