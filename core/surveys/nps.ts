/**
 * NPS maths, pure: % promoters (9-10) minus % detractors (0-6), -100..100, over the latest answer
 * of each contact. Per survey, per tier and per account; and the account NPS the DEAR health
 * input reads (latest answer per contact across every survey).
 */
import type { Tier } from '../config/schema/common.ts';
import { npsGroupOf, type NpsGroup, type SurveyAnswer } from './survey-answer.ts';

export interface NpsResult {
  /** -100..100; undefined when nobody answered. */
  nps: number | undefined;
  answers: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Mean of the 0-10 scores; undefined when nobody answered. */
  meanScore: number | undefined;
}

type Scored = Pick<SurveyAnswer, 'contactId' | 'score' | 'answeredAt'>;

/** The newest answer of each contact (by answeredAt; the later one in the list on a tie). */
export function latestPerContact<A extends Scored>(answers: readonly A[]): A[] {
  const latest = new Map<string, A>();
  for (const answer of answers) {
    const seen = latest.get(answer.contactId);
    if (!seen || seen.answeredAt <= answer.answeredAt) latest.set(answer.contactId, answer);
  }
  return [...latest.values()];
}

/** NPS of these answers, one per contact (the latest). */
export function npsOf(answers: readonly Scored[]): NpsResult {
  const counts: Record<NpsGroup, number> = { promoter: 0, passive: 0, detractor: 0 };
  const latest = latestPerContact(answers);
  let sum = 0;
  for (const answer of latest) {
    counts[npsGroupOf(answer.score)]++;
    sum += answer.score;
  }
  const total = latest.length;
  return {
    nps: total === 0 ? undefined : (100 * (counts.promoter - counts.detractor)) / total,
    answers: total,
    promoters: counts.promoter,
    passives: counts.passive,
    detractors: counts.detractor,
    meanScore: total === 0 ? undefined : sum / total,
  };
}

export type NpsBreakdown = 'survey' | 'tier' | 'account' | 'month';

export interface NpsRow extends NpsResult {
  /** The survey id, the tier, the account id, or the month (yyyy-mm, UTC). */
  key: string;
}

/** NPS of one survey's answers as a whole, or by tier, account or month (rows sorted by key). */
export function npsBy(answers: readonly Pick<SurveyAnswer, 'surveyId' | 'contactId' | 'accountId' | 'tier' | 'score' | 'answeredAt'>[], by: NpsBreakdown): NpsRow[] {
  const groups = new Map<string, Scored[]>();
  for (const answer of answers) {
    // By month: each contact's latest answer of that month (UTC), so the NPS over time shows minds changing.
    const key = by === 'survey' ? answer.surveyId : by === 'tier' ? (answer.tier as Tier) : by === 'month' ? answer.answeredAt.slice(0, 7) : answer.accountId;
    const group = groups.get(key) ?? [];
    group.push(answer);
    groups.set(key, group);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, group]) => ({ key, ...npsOf(group) }));
}

/**
 * How an NPS scores as a DEAR health input, 0-100: linear from -100 (0) to the target (100),
 * capped at 100. With target 30, an NPS of 30 or more scores 100, 0 scores 76.9, -100 scores 0.
 */
export function npsInputScore(nps: number, target: number): number {
  const score = (100 * (nps + 100)) / (target + 100);
  return score >= 100 ? 100 : score > 0 ? score : 0;
}
