/**
 * The DEAR health score of an account, 0-100: Deployment, Engagement, Adoption, ROI.
 * `computeHealth` is pure: the config's model, the account's latest usage figures and its
 * engagement score in, every input's score, the four components, the total, the band and the
 * missing inputs out. Each input scores 100 at or above its target and linearly less below it;
 * a dimension is the weighted mean of its inputs; the total is the weighted mean of the
 * dimensions. An input without a value scores 0 (no evidence of health is not health) and is
 * listed as missing, so a CSM sees what to ask for; an NPS input of an account nobody there answered
 * is listed as missing but left out of its dimension. `readAccountHealth` gathers the figures
 * through the ports. docs/scoring.md and docs/surveys.md explain the model.
 */
import { parseDuration } from '../config/duration.ts';
import { HEALTH_DIMENSIONS, type HealthDimension, type HealthModel, type Scoring } from '../config/schema/scoring.ts';
import type { ScoreStore, SurveyStore, UsageStore } from '../ports.ts';
import { scoreAt } from './decayed-score.ts';
import { latestFigures, type LatestUsage } from './usage.ts';
import { npsInputScore, npsOf } from '../surveys/nps.ts';

export const HEALTH_BANDS = ['healthy', 'watch', 'at-risk'] as const;
export type HealthBand = (typeof HEALTH_BANDS)[number];

type HealthInput = HealthModel[HealthDimension]['inputs'][number];

/** What the score is computed from. */
export interface HealthFigures {
  /** The account's latest value per usage metric; a metric never reported is absent. */
  usage: Readonly<Record<string, number>>;
  /** The account's engagement score now (decayed); 0 for an account with no engagement yet. */
  engagementScore: number;
  /** The account's NPS (-100..100, core/surveys/nps.ts); undefined when none of its contacts answered a survey. */
  nps?: number | undefined;
}

export interface HealthInputScore {
  /** How the config names the input: `seats_used / seats_bought`, `logins_30d`, `engagement score (account)`. */
  label: string;
  /** The input's value (a metric, a ratio, the engagement score); undefined when a metric it needs is missing. */
  value: number | undefined;
  target: number;
  weight: number;
  /** 0-100. */
  score: number;
  /** The metrics it needs that have no value (empty when the input has its value). */
  missingMetrics: string[];
  /**
   * An NPS input of an account nobody there answered: left out of its dimension's mean (most
   * accounts never answer a survey; scoring them 0 would drown every other signal) and listed as missing.
   */
  notScored?: true;
}

export interface HealthComponent {
  dimension: HealthDimension;
  /** The dimension's weight in the total. */
  weight: number;
  /** 0-100: the weighted mean of its inputs' scores. */
  score: number;
  inputs: HealthInputScore[];
}

export interface MissingHealthInput {
  dimension: HealthDimension;
  input: string;
  metrics: string[];
}

export interface HealthScore {
  /** 0-100: the weighted mean of the components. */
  total: number;
  band: HealthBand;
  /** In DEAR order. */
  components: HealthComponent[];
  /** Inputs scored 0 because a metric they need was never reported. */
  missing: MissingHealthInput[];
}

export function computeHealth(model: HealthModel, figures: HealthFigures): HealthScore {
  const components = HEALTH_DIMENSIONS.map((dimension): HealthComponent => {
    const inputs = model[dimension].inputs.map((input) => scoreInput(input, figures));
    return { dimension, weight: model[dimension].weight, score: weightedMean(inputs.map((input) => [input.score, input.notScored ? 0 : input.weight])), inputs };
  });
  const total = weightedMean(components.map((component) => [component.score, component.weight]));
  const missing = components.flatMap((component) =>
    component.inputs.filter((input) => input.missingMetrics.length > 0).map((input) => ({ dimension: component.dimension, input: input.label, metrics: input.missingMetrics })),
  );
  return { total, band: bandOf(total, model.bands), components, missing };
}

export function bandOf(total: number, bands: HealthModel['bands']): HealthBand {
  if (total >= bands.healthy.minScore) return 'healthy';
  if (total >= bands.watch.minScore) return 'watch';
  return 'at-risk';
}

/** The input's label as the config names it. */
export function inputLabel(input: HealthInput): string {
  if (input.engagementScore !== undefined) return `engagement score (${input.engagementScore})`;
  if (input.nps !== undefined) return `NPS (${input.nps})`;
  return input.per === undefined ? String(input.metric) : `${String(input.metric)} / ${input.per}`;
}

/** 100 at or above the target, linearly less below it, 0 at or below 0 (and for a value that is not a number). */
export function inputScore(value: number, target: number): number {
  const score = (100 * value) / target;
  return score >= 100 ? 100 : score > 0 ? score : 0;
}

function scoreInput(input: HealthInput, figures: HealthFigures): HealthInputScore {
  const label = inputLabel(input);
  const base = { label, target: input.target, weight: input.weight };
  if (input.engagementScore !== undefined) {
    const value = figures.engagementScore;
    return { ...base, value, score: inputScore(value, input.target), missingMetrics: [] };
  }
  if (input.nps !== undefined) {
    if (figures.nps === undefined) return { ...base, value: undefined, score: 0, missingMetrics: ['nps'], notScored: true };
    return { ...base, value: figures.nps, score: npsInputScore(figures.nps, input.target), missingMetrics: [] };
  }
  const needed = input.per === undefined ? [input.metric] : [input.metric, input.per];
  const missingMetrics = needed.filter((metric): metric is string => metric !== undefined && figures.usage[metric] === undefined);
  if (missingMetrics.length > 0 || input.metric === undefined) return { ...base, value: undefined, score: 0, missingMetrics };
  const value = input.per === undefined ? (figures.usage[input.metric] as number) : ratio(figures.usage[input.metric] as number, figures.usage[input.per] as number);
  return { ...base, value, score: inputScore(value, input.target), missingMetrics };
}

/**
 * `part / whole`, with nothing of nothing = 0 and something of nothing = Infinity (scores 100):
 * so the ratio never falls as the part grows or rises as the whole grows, even through 0.
 */
function ratio(part: number, whole: number): number {
  if (whole > 0) return part / whole;
  return part > 0 ? Infinity : 0;
}

function weightedMean(scored: ReadonlyArray<readonly [score: number, weight: number]>): number {
  let sum = 0;
  let weights = 0;
  for (const [score, weight] of scored) {
    sum += score * weight;
    weights += weight;
  }
  // The config guarantees a positive weight somewhere; the guard keeps a hand-built model from dividing by 0.
  return weights > 0 ? Math.min(100, Math.max(0, sum / weights)) : 0;
}

/** The account's engagement score at `now` from its stored decayed score (0 when it has none). */
export function engagementScoreNow(stored: { scaledSum: number; epoch: number } | undefined, now: Date, halfLife: string): number {
  const halfLifeMs = parseDuration(halfLife);
  if (!stored || halfLifeMs === undefined) return 0;
  return scoreAt(stored.scaledSum, now, halfLifeMs, stored.epoch);
}

export interface AccountHealth {
  health: HealthScore;
  /** The figures the score was computed from, with when each was reported. */
  latest: LatestUsage | undefined;
  engagementScore: number;
  /** The account's NPS when the model has an NPS input and someone answered. */
  nps?: number;
}

/**
 * The account's health now: its latest usage (UsageStore), its engagement score (ScoreStore) and,
 * when the model has an NPS input and `surveys` is given, its NPS (SurveyStore), through computeHealth.
 */
export async function readAccountHealth(
  accountId: string,
  deps: { usage: Pick<UsageStore, 'latestUsage'>; scores: Pick<ScoreStore, 'getScore'>; surveys?: Pick<SurveyStore, 'answersOfAccount'>; scoring: Scoring; now: Date },
): Promise<AccountHealth> {
  const readsNps = deps.surveys !== undefined && HEALTH_DIMENSIONS.some((dimension) => deps.scoring.health[dimension].inputs.some((input) => input.nps !== undefined));
  const [latest, stored, answers] = await Promise.all([deps.usage.latestUsage(accountId), deps.scores.getScore('account', accountId), readsNps ? deps.surveys?.answersOfAccount(accountId) : undefined]);
  const engagementScore = engagementScoreNow(stored, deps.now, deps.scoring.halfLife);
  const nps = answers ? npsOf(answers).nps : undefined;
  return { health: computeHealth(deps.scoring.health, { usage: latestFigures(latest), engagementScore, nps }), latest, engagementScore, ...(nps === undefined ? {} : { nps }) };
}
